"""The report card's sentences, shared by the page and the PDF so both say the same thing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as date_format

from tandem.credit.selectors import CourseReport, ReportCard
from tandem.roster.models import User


def _date(value: dt.date) -> str:
    return date_format(value, "F j, Y")


def term_sentence(card: ReportCard) -> str:
    as_of = _date(timezone.localtime(card.as_of))
    if card.term is None:
        return f"Where things stand on {as_of}."
    term = card.term
    return (
        f"{term.title} ({_date(term.start_date)} to {_date(term.end_date)}). "
        f"Where things stand on {as_of}."
    )


def intro_sentence() -> str:
    return (
        "Each of the course's grade-level standards is shown in words: Got it (mastered and "
        "checked again on a later day), Probably mastered (check again later), Needs review, "
        "Nearly there, Practicing, or Not started."
    )


def credit_sentence(course: CourseReport, student: User) -> str:
    """Where the student stands for the course's credit, in one plain sentence."""
    name = student.first_name or student.display_name
    standing = course.standing
    if standing is None:
        return "This course does not give credit by standards."
    if standing.credit is not None:
        return (
            f"{name} earned the credit for {course.course.title} on "
            f"{_date(timezone.localtime(standing.credit.awarded_at))}."
        )
    needed = standing.needed
    progress = f"{name} has mastered {standing.mastered} of the {standing.total} standards"
    if standing.awaiting_sign_off:
        return f"{progress}, enough for the credit: waiting for the teacher to confirm it."
    if standing.meets_rule:
        return f"{progress}, enough for the credit, which will be recorded soon."
    rule = "all of them" if needed == standing.total else f"{needed} of them"
    return f"{progress}. The credit asks for {rule}."
