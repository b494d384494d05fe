"""The report card's sentences, shared by the page and the PDF so both say the same thing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, pgettext

from tandem.credit.selectors import CourseReport, ReportCard
from tandem.roster.models import User


def _date(value: dt.date) -> str:
    # The date as the page's language writes it: "March 12, 2025", "12 de marzo de 2025".
    return date_format(value, pgettext("report card date", "F j, Y"))


def term_sentence(card: ReportCard) -> str:
    as_of = _date(timezone.localtime(card.as_of))
    if card.term is None:
        return gettext("Where things stand on %(day)s.") % {"day": as_of}
    term = card.term
    return gettext("%(term)s (%(start)s to %(end)s). Where things stand on %(day)s.") % {
        "term": term.title,
        "start": _date(term.start_date),
        "end": _date(term.end_date),
        "day": as_of,
    }


def intro_sentence() -> str:
    return gettext(
        "Each of the course's grade-level standards is shown in words: Got it (mastered and "
        "checked again on a later day), Probably mastered (check again later), Needs review, "
        "Nearly there, Practicing, or Not started."
    )


def credit_sentence(course: CourseReport, student: User) -> str:
    """Where the student stands for the course's credit, in one plain sentence."""
    name = student.first_name or student.display_name
    standing = course.standing
    if standing is None:
        return gettext("This course does not give credit by standards.")
    if standing.credit is not None:
        return gettext("%(name)s earned the credit for %(course)s on %(day)s.") % {
            "name": name,
            "course": course.course.title,
            "day": _date(timezone.localtime(standing.credit.awarded_at)),
        }
    needed = standing.needed
    values = {"name": name, "mastered": standing.mastered, "total": standing.total}
    if standing.awaiting_sign_off:
        return (
            gettext(
                "%(name)s has mastered %(mastered)s of the %(total)s standards, enough for the "
                "credit: waiting for the teacher to confirm it."
            )
            % values
        )
    if standing.meets_rule:
        return (
            gettext(
                "%(name)s has mastered %(mastered)s of the %(total)s standards, enough for the "
                "credit, which will be recorded soon."
            )
            % values
        )
    if needed == standing.total:
        return (
            gettext(
                "%(name)s has mastered %(mastered)s of the %(total)s standards. The credit asks "
                "for all of them."
            )
            % values
        )
    return gettext(
        "%(name)s has mastered %(mastered)s of the %(total)s standards. The credit asks for "
        "%(needed)s of them."
    ) % {**values, "needed": needed}
