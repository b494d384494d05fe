"""The access chokepoints for people and classes: nowhere else decides who may see whom.

Missing and forbidden look the same from outside: both raise Http404. Enrollments count only
between their begin and end dates (both inclusive, either may be open), so a teacher stops seeing
a student the day after the enrollment ends. Every refusal to a signed-in user is recorded in the
privacy audit log as a refused attempt.

Two reaches. A student's *record* (progress, evidence, plans, goals, projects, notes) is read by
the student, their guardians, their teachers and administrators (``students_visible_to``). A
student's *wellbeing* self-checks are read by the student, their teachers (including one whose
group or flex session they are in, see ``register_teacher_reach``) and the counselors of their
school, and by nobody else: not their guardians in the app (a family's formal records
request still includes them, see tandem.studentdata), not administrators, not other students
(``students_visible_to(user, wellbeing=True)``).

A counselor (OneRoster 1.2 ``counselor``) sees every student of the schools they belong to
(their orgs, and the schools of a district they belong to) through their wellbeing reach only:
the name, grade and classes with their teachers (whom to talk to), and the self-checks. Nothing
academic: the record reach of a counselor is empty, so every progress, evidence, plan, goal,
project or check-in-note page answers a counselor with a 404 like any other stranger's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from tandem.privacy.services import access_log_record, access_log_refusal
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import Org, SchoolClass, User

_View = TypeVar("_View", bound=Callable[..., HttpResponse])

# Apps above the roster that let a teacher work with students outside their classes (a
# mini-lesson group or a flex session they lead) register here, from their AppConfig.ready(),
# a function giving the extra students as a Q over User. The roster never imports them.
_TeacherReach = Callable[[Any], Q]
_teacher_reach: dict[str, _TeacherReach] = {}


def register_teacher_reach(name: str, reach: _TeacherReach) -> None:
    """Let teachers also see the students ``reach(teacher)`` selects (idempotent per name)."""
    _teacher_reach[name] = reach


def is_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def enrollment_in_force(prefix: str = "", *, today: dt.date | None = None) -> Q:
    """Enrollments in force on ``today`` (the school's local date by default).

    ``prefix`` is the lookup path to the enrollment, e.g. ``"enrollments__"``; use the Q in the
    same ``filter()`` call as the enrollment's other conditions so that all apply to one row.
    """
    day = today or timezone.localdate()
    begun = Q(**{f"{prefix}begin_date__isnull": True}) | Q(**{f"{prefix}begin_date__lte": day})
    not_ended = Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    return begun & not_ended


def _classes_taught_by(user: Any) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(
        enrollment_in_force("enrollments__"),
        enrollments__user=user,
        enrollments__role=EnrollmentRole.TEACHER,
    )


def is_counselor(user: Any) -> bool:
    """Whether ``user`` has the counselor role (see the module docstring for what it reaches)."""
    return bool(user.is_authenticated and getattr(user, "role", None) == Role.COUNSELOR)


def _students_of_counselor(user: Any, students: QuerySet[User]) -> QuerySet[User]:
    """The active students of the counselor's schools: members of the school (or of a school in
    the counselor's district), or enrolled there now."""
    mine = Org.objects.filter(users=user).values("pk")
    schools = Org.objects.filter(Q(pk__in=mine) | Q(parent__in=mine)).values("pk")
    enrolled = students.filter(
        enrollment_in_force("enrollments__"),
        enrollments__role=EnrollmentRole.STUDENT,
        enrollments__school_class__school__in=schools,
    )
    return students.filter(
        Q(pk__in=students.filter(orgs__in=schools).values("pk")) | Q(pk__in=enrolled.values("pk"))
    )


def students_visible_to(user: Any, *, wellbeing: bool = False) -> QuerySet[User]:
    """Students whose records ``user`` may read; with ``wellbeing``, whose self-checks."""
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if not user.is_authenticated:
        return students.none()
    if wellbeing:
        if is_counselor(user):
            return _students_of_counselor(user, students)
        if is_administrator(user) or user.role not in (Role.TEACHER, Role.STUDENT):
            return students.none()
    if is_administrator(user):
        return students
    if user.role == Role.TEACHER:
        taught = students.filter(
            enrollment_in_force("enrollments__"),
            enrollments__school_class__in=_classes_taught_by(user),
            enrollments__role=EnrollmentRole.STUDENT,
        )
        if not _teacher_reach:
            return taught.distinct()
        # One IN over a UNION of a subquery each (so that the enrollment's conditions stay on
        # one row): PostgreSQL drives each part from its indexes, where an OR of IN-subqueries
        # scans every user (tests/core/test_query_plans.py).
        ids = taught.order_by().values("pk")
        for reach in _teacher_reach.values():
            ids = ids.union(students.filter(reach(user)).order_by().values("pk"))
        return students.filter(pk__in=ids)
    if user.role == Role.GUARDIAN:
        return students.filter(guardian_links__guardian=user)
    if user.role == Role.STUDENT:
        return students.filter(pk=user.pk)
    return students.none()


def access_student(
    *, user: Any, student_id: int, action: str = "view", path: str = "", wellbeing: bool = False
) -> User:
    """The student ``student_id`` if ``user`` may see them (the access is audited), else 404.

    ``wellbeing``: through the wellbeing reach (self-checks) rather than the record's.
    """
    try:
        student = students_visible_to(user, wellbeing=wellbeing).get(pk=student_id)
    except (User.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=student_id, action=action, path=path)
        raise Http404("No such student.") from None
    if student.pk != user.pk:
        access_log_record(actor=user, student=student, action=action, path=path)
    return student


def may_read_staff_notes(user: Any) -> bool:
    """Whether ``user`` may read teachers' notes about a student they may already see.

    Notes (observations, check-ins) are written by staff for staff: a student's teachers and
    administrators read them; the student and their guardians never do.
    """
    return is_administrator(user) or (
        bool(user.is_authenticated) and getattr(user, "role", None) == Role.TEACHER
    )


def classes_visible_to(user: Any) -> QuerySet[SchoolClass]:
    """Classes ``user`` may open: those they teach (or, for administrators, all)."""
    classes = SchoolClass.objects.select_related("course")
    if not user.is_authenticated:
        return classes.none()
    if is_administrator(user):
        return classes
    if user.role in (Role.TEACHER, Role.STUDENT):
        role = EnrollmentRole.TEACHER if user.role == Role.TEACHER else EnrollmentRole.STUDENT
        return classes.filter(
            enrollment_in_force("enrollments__"), enrollments__user=user, enrollments__role=role
        ).distinct()
    return classes.none()


def access_class(
    *, user: Any, class_id: int, action: str = "class:view", path: str = ""
) -> SchoolClass:
    """The class ``class_id`` if ``user`` teaches it (or administers the school), else 404."""
    try:
        if not (is_administrator(user) or getattr(user, "role", None) == Role.TEACHER):
            raise SchoolClass.DoesNotExist
        return classes_visible_to(user).get(pk=class_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=class_id, action=action, path=path)
        raise Http404("No such class.") from None


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user, typed; only for views behind ``role_required``."""
    user = request.user
    assert isinstance(user, User), "role_required lets only signed-in users through"
    return user


def role_required(*roles: str) -> Callable[[_View], _View]:
    """Page decorator: signed-in users of these roles only. Others get a 404 (recorded as a
    refused attempt), or the login page when not signed in."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in roles and not (
                Role.ADMINISTRATOR in roles and is_administrator(user)
            ):
                access_log_refusal(
                    actor=user,
                    requested_id=",".join(str(value) for value in kwargs.values()),
                    action=f"page:{view.__module__}.{view.__name__}",
                    path=request.path,
                )
                raise Http404("Not found.")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
