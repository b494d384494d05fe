"""The student home page's prompt to this week's self-check (a link to change it once done)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tandem.wellbeing.selectors import selfcheck_for_week

register = template.Library()


@register.inclusion_tag("wellbeing/_prompt.html")
def selfcheck_prompt(student: Any) -> dict[str, Any]:
    due = selfcheck_for_week(student_id=student.pk, now=timezone.now()) is None
    return {"due": due}
