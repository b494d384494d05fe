"""Who may open mini-lesson groups, and whom a teacher may put in one.

A group is its leader's (administrators see every group); anybody else gets a 404, as for a
missing id. A teacher may group students of the schools where they teach, across classes and
grades; leading an open group lets them see its members' records (registered with the roster
as a teacher reach).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.groups.constants import GroupStatus
from tandem.groups.models import MiniLesson, MiniLessonGroup
from tandem.privacy.services import access_log_refusal
from tandem.roster.access import classes_visible_to, enrollment_in_force, is_administrator
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import User


def may_lead_groups(user: Any) -> bool:
    return bool(user.is_authenticated) and (
        is_administrator(user) or getattr(user, "role", None) == Role.TEACHER
    )


def group_members_reached(teacher: Any) -> Q:
    """The members of the open groups ``teacher`` leads, as a Q over User, while they may still
    be grouped by the teacher (both enrolled, now, in the same school): a student who left, or
    a teacher who did, no longer opens the other's records through an old group."""
    members = students_groupable_by(teacher).filter(
        lesson_group_memberships__group__leader=teacher,
        lesson_group_memberships__group__status=GroupStatus.OPEN,
    )
    return Q(pk__in=members.values("pk"))


def groups_visible_to(user: Any) -> QuerySet[MiniLessonGroup]:
    groups = MiniLessonGroup.objects.select_related("competency", "leader")
    if not may_lead_groups(user):
        return groups.none()
    if is_administrator(user):
        return groups
    return groups.filter(leader=user)


def access_group(
    *, user: Any, group_id: int, action: str = "groups:view", path: str = ""
) -> MiniLessonGroup:
    """The group if ``user`` leads it (or administers the school), else 404 (recorded)."""
    try:
        return groups_visible_to(user).get(pk=group_id)
    except (MiniLessonGroup.DoesNotExist, ValueError, TypeError):
        if user.is_authenticated:
            access_log_refusal(actor=user, requested_id=group_id, action=action, path=path)
        raise Http404("No such group.") from None


def access_lesson(
    *, user: Any, lesson_id: int, action: str = "groups:lesson", path: str = ""
) -> MiniLesson:
    """The mini-lesson if ``user`` may open its group, else 404 (recorded)."""
    try:
        return MiniLesson.objects.select_related("group", "group__competency", "group__leader").get(
            pk=lesson_id, group__in=groups_visible_to(user)
        )
    except (MiniLesson.DoesNotExist, ValueError, TypeError):
        if user.is_authenticated:
            access_log_refusal(actor=user, requested_id=lesson_id, action=action, path=path)
        raise Http404("No such mini-lesson.") from None


def students_groupable_by(user: Any) -> QuerySet[User]:
    """Students ``user`` may put in a group: those enrolled (now) in any class of a school
    where the teacher teaches; every student for administrators; nobody for anyone else.

    The school-wide suggestions show these students' names and estimates on the group's
    competency only; their records open once they are in a group the teacher leads.
    """
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if not may_lead_groups(user):
        return students.none()
    if is_administrator(user):
        return students
    schools = classes_visible_to(user).values("school_id")
    return students.filter(
        pk__in=User.objects.filter(
            enrollment_in_force("enrollments__"),
            enrollments__role=EnrollmentRole.STUDENT,
            enrollments__school_class__school_id__in=schools,
        ).values("pk")
    )
