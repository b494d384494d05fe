"""``{% competency_name competency %}``: a competency as students and families read it.

The code, the grade and the short name, with the full standard one click away (a native
disclosure: keyboard and screen readers work unaided). A tag rather than an included
template: a student's home page names about a hundred competencies, and an include per name
cost more than the rest of the page.
"""

from __future__ import annotations

from typing import Protocol

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tandem.content.mathml import math_html

register = template.Library()


class Named(Protocol):
    code: str
    short_name: str
    full_statement: str

    @property
    def name(self) -> str: ...

    @property
    def grade_label(self) -> str: ...


@register.simple_tag
def full_standard(competency: Named) -> SafeString:
    """The full standard behind a short name, folded (nothing when the name is the standard)."""
    if not competency.short_name or competency.short_name == competency.full_statement:
        return mark_safe("")
    return format_html(
        '<details class="competency-more"><summary>{}<span class="visually-hidden"> {}</span>'
        '</summary><p class="competency-statement">{}</p></details>',
        gettext("Full standard"),
        gettext("for %(code)s") % {"code": competency.code},
        mark_safe(math_html(competency.full_statement)),
    )


@register.simple_tag
def competency_name(competency: Named) -> SafeString:
    grade = competency.grade_label
    return format_html(
        '<span class="competency-name"><span class="badge">{}</span>{} '
        '<span class="competency-short">{}</span></span>{}',
        competency.code,
        format_html(
            ' <span class="small muted">{}</span>', gettext("Grade %(grade)s") % {"grade": grade}
        )
        if grade
        else "",
        mark_safe(math_html(competency.name)),
        full_standard(competency),
    )
