"""Who may read a student's goals and reflections: the one chokepoint for both.

Goals are for the student, their teachers, administrators and their guardians (guardians see
their child's goals). Reflections are the student's own thinking: the student, their teachers
and administrators, never guardians. As everywhere, missing and forbidden are both a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tandem.goals.models import Reflection, WeeklyGoal
from tandem.roster.access import access_student, students_visible_to
from tandem.roster.constants import Role
from tandem.roster.models import User


def _may_read_reflections(user: Any) -> bool:
    return bool(user.is_authenticated) and getattr(user, "role", None) != Role.GUARDIAN


def goals_visible_to(user: Any) -> QuerySet[WeeklyGoal]:
    return WeeklyGoal.objects.filter(student__in=students_visible_to(user))


def reflections_visible_to(user: Any) -> QuerySet[Reflection]:
    if not _may_read_reflections(user):
        return Reflection.objects.none()
    return Reflection.objects.filter(student__in=students_visible_to(user))


def access_student_reflections(
    *, user: Any, student_id: int, action: str = "goals:view", path: str = ""
) -> User:
    """The student if ``user`` may read their goals *and* reflections (audited), else 404."""
    if not _may_read_reflections(user):
        raise Http404("No such student.")
    return access_student(user=user, student_id=student_id, action=action, path=path)
