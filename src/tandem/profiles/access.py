"""The access chokepoints for learner profiles and accommodations.

The profile's basics (interests, own words, languages, strengths and needs) are visible to whoever
may see the student at all: the student, their teachers, administrators and linked guardians.
Accommodations are for the student's teachers and administrators only, never the student or their
guardians. Missing and forbidden look the same from outside: both raise Http404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from tandem.profiles.models import Accommodation
from tandem.roster.access import access_student, is_administrator
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import SchoolClass, User


def accommodations_visible_to(*, user: Any, student: User) -> bool:
    """Whether ``user`` may read and record ``student``'s accommodations."""
    if not getattr(user, "is_authenticated", False) or user.pk == student.pk:
        return False
    if is_administrator(user):
        return True
    if user.role != Role.TEACHER:
        return False
    # A class this user teaches that the student is enrolled in (two joins, one query).
    return (
        SchoolClass.objects.filter(enrollments__user=user, enrollments__role=EnrollmentRole.TEACHER)
        .filter(enrollments__user=student, enrollments__role=EnrollmentRole.STUDENT)
        .exists()
    )


def access_profile(*, user: Any, student_id: int, action: str, path: str = "") -> User:
    """The student whose profile ``user`` may read (the look is audited), else 404."""
    return access_student(user=user, student_id=student_id, action=action, path=path)


def access_accommodation(
    *, user: Any, accommodation_id: int, action: str, path: str = ""
) -> Accommodation:
    """The accommodation ``accommodation_id`` if ``user`` may see its student's accommodations
    (the look is audited, as a look at the student's record), else 404."""
    try:
        accommodation = Accommodation.objects.select_related("student").get(pk=accommodation_id)
    except (Accommodation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such accommodation.") from None
    if not accommodations_visible_to(user=user, student=accommodation.student):
        raise Http404("No such accommodation.")
    # Through the student chokepoint too, so an inactive student is as missing here as elsewhere.
    access_student(user=user, student_id=accommodation.student_id, action=action, path=path)
    return accommodation
