"""Reads of the roster: who is in which class, counting only enrollments in force today."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from tandem.roster.access import enrollment_in_force
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import Enrollment, SchoolClass, User
from tandem.rows import ValuesQuery, model_field


def class_students(school_class: SchoolClass) -> QuerySet[User]:
    return User.objects.filter(
        enrollment_in_force("enrollments__"),
        enrollments__school_class=school_class,
        enrollments__role=EnrollmentRole.STUDENT,
        is_active=True,
    ).order_by("last_name", "first_name")


def student_classes(student: User) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(
        enrollment_in_force("enrollments__"),
        enrollments__user=student,
        enrollments__role=EnrollmentRole.STUDENT,
    ).select_related("course")


_STUDENT_CLASS = ValuesQuery(
    f"SELECT c.id FROM {SchoolClass._meta.db_table} c"
    f" INNER JOIN {Enrollment._meta.db_table} e ON e.school_class_id = c.id"
    " WHERE e.user_id = %s AND e.role = %s"
    " AND (e.begin_date IS NULL OR e.begin_date <= %s)"
    " AND (e.end_date IS NULL OR e.end_date >= %s)"
    " ORDER BY c.title, c.id LIMIT 1",
    [model_field(SchoolClass, "id")],
)


def student_class_id(*, student_id: int, today: dt.date | None = None) -> int | None:
    """The first (by title) class the student is enrolled in today, as ``student_classes``
    would list it; read on every practice request, so as SQL written once (tandem/rows.py)."""
    day = connection.ops.adapt_datefield_value(today or timezone.localdate())
    row = _STUDENT_CLASS.first([student_id, EnrollmentRole.STUDENT, day, day])
    return row[0] if row else None


def class_teachers(school_class: SchoolClass) -> QuerySet[User]:
    return User.objects.filter(
        enrollment_in_force("enrollments__"),
        enrollments__school_class=school_class,
        enrollments__role=EnrollmentRole.TEACHER,
    )


def guardian_children(guardian: User) -> QuerySet[User]:
    return User.objects.filter(guardian_links__guardian=guardian, is_active=True)
