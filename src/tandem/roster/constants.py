"""Roster vocabularies, after OneRoster 1.2."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    GUARDIAN = "guardian", _("Guardian")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Reads students' wellbeing self-checks across their school, nothing academic (see
    # tandem.roster.access).
    COUNSELOR = "counselor", _("Counselor")


class OrgType(models.TextChoices):
    DISTRICT = "district", "District"
    SCHOOL = "school", "School"


class SessionType(models.TextChoices):
    SCHOOL_YEAR = "schoolYear", "School year"
    SEMESTER = "semester", "Semester"
    TERM = "term", "Term"
    GRADING_PERIOD = "gradingPeriod", "Grading period"


class ClassType(models.TextChoices):
    HOMEROOM = "homeroom", "Homeroom"
    SCHEDULED = "scheduled", "Scheduled"


class EnrollmentRole(models.TextChoices):
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"


# OneRoster grade codes in school order; the index is used to compare grades.
GRADES = ["PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]


def grade_rank(code: str) -> int:
    """Position of a OneRoster grade code in school order (KG=1, 01=2 ...); unknown sort last."""
    try:
        return GRADES.index(code)
    except ValueError:
        return len(GRADES)


def grade_label(code: str) -> str:
    return {"PK": "Pre-K", "KG": "K"}.get(code, code.lstrip("0") or code)


class Language(models.TextChoices):
    """The languages Tandem's pages speak, each named in itself so a reader finds their own.

    Spanish is the second language: it is the most common home language of US English
    learners. A user's choice is kept on their account; without one, the browser's applies.
    """

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
