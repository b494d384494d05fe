"""``{% flex_week student %}``: a student's published flex sessions, for pages of apps below
flex (the student's home page) that may not import it."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.flex.selectors import student_week

register = template.Library()


@register.inclusion_tag("flex/_week_card.html", takes_context=True)
def flex_week(
    context: template.Context, student: Any, heading: str = "Flex this week"
) -> dict[str, Any]:
    user = context.get("user")
    return {
        "placements": student_week(student_id=student.pk),
        "heading": heading,
        "own": getattr(user, "pk", None) == student.pk,
    }
