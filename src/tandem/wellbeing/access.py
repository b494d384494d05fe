"""Who may read wellbeing self-checks: the student, their teachers, their school's counselors.

Guardians, administrators and other students never do (see ``tandem.roster.access`` for the
wellbeing reach and why). Missing and forbidden are both a 404, and every read of another
person's self-checks is audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tandem.roster.access import access_student, is_administrator, students_visible_to
from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.wellbeing.models import SelfCheck


def selfchecks_visible_to(user: Any) -> QuerySet[SelfCheck]:
    return SelfCheck.objects.filter(student__in=students_visible_to(user, wellbeing=True))


def may_read_wellbeing(user: Any) -> bool:
    """Whether ``user`` reads other students' self-checks at all (a teacher or a counselor)."""
    return (
        bool(user.is_authenticated)
        and not is_administrator(user)
        and (getattr(user, "role", None) in (Role.TEACHER, Role.COUNSELOR))
    )


def access_student_wellbeing(
    *, user: Any, student_id: int, action: str = "wellbeing:view", path: str = ""
) -> User:
    """The student if ``user`` may read their self-checks (audited), else 404."""
    return access_student(
        user=user, student_id=student_id, action=action, path=path, wellbeing=True
    )
