"""Template helpers of the credit pages: a rule's share and the report card's sentences in
words. Load with ``{% load credit_ui %}``."""

from __future__ import annotations

from django import template

from tandem.credit import text
from tandem.credit.selectors import CourseReport, ReportCard
from tandem.roster.models import User

register = template.Library()


@register.simple_tag
def share_words(share: float) -> str:
    """1.0 → "all"; 0.75 → "75%"."""
    return "all" if share >= 1.0 else f"{share:.0%}"


@register.simple_tag
def credit_sentence(course: CourseReport, student: User) -> str:
    return text.credit_sentence(course, student)


@register.simple_tag
def term_sentence(card: ReportCard) -> str:
    return text.term_sentence(card)


@register.simple_tag
def intro_sentence() -> str:
    return text.intro_sentence()
