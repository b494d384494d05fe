"""Who may read check-ins: the student's teachers and administrators, nobody else.

A check-in holds a teacher's private notes, so neither the student nor their guardians may
open one (the student sees the next steps, which are their goals). Missing and forbidden are
both a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tandem.checkins.models import CheckIn
from tandem.privacy.services import access_log_refusal
from tandem.roster.access import access_student, is_administrator, students_visible_to
from tandem.roster.constants import Role
from tandem.roster.models import User


def _is_staff(user: Any) -> bool:
    return is_administrator(user) or (
        bool(user.is_authenticated) and getattr(user, "role", None) == Role.TEACHER
    )


def checkins_visible_to(user: Any) -> QuerySet[CheckIn]:
    if not _is_staff(user):
        return CheckIn.objects.none()
    if is_administrator(user):
        return CheckIn.objects.all()
    return CheckIn.objects.filter(student__in=students_visible_to(user))


def access_checkin(*, user: Any, check_in_id: int) -> CheckIn:
    """The check-in if ``user`` teaches its student (or administers the school), else 404."""
    try:
        return checkins_visible_to(user).select_related("student", "teacher").get(pk=check_in_id)
    except (CheckIn.DoesNotExist, ValueError, TypeError):
        raise Http404("No such check-in.") from None


def access_student_checkins(
    *, user: Any, student_id: int, action: str = "checkins:view", path: str = ""
) -> User:
    """The student if ``user`` may read and record their check-ins (audited), else 404."""
    if not _is_staff(user):
        access_log_refusal(actor=user, requested_id=student_id, action=action, path=path)
        raise Http404("No such student.")
    return access_student(user=user, student_id=student_id, action=action, path=path)
