"""Reads of the roster: who is in which class, counting only enrollments in force today."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.roster.access import enrollment_in_force
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import SchoolClass, User


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


def class_teachers(school_class: SchoolClass) -> QuerySet[User]:
    return User.objects.filter(
        enrollment_in_force("enrollments__"),
        enrollments__school_class=school_class,
        enrollments__role=EnrollmentRole.TEACHER,
    )


def guardian_children(guardian: User) -> QuerySet[User]:
    return User.objects.filter(guardian_links__guardian=guardian, is_active=True)
