"""Who is in the school: orgs, sessions, courses, classes, people, enrollments (OneRoster 1.2)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from tandem.roster.constants import ClassType, EnrollmentRole, Language, OrgType, Role, SessionType


def new_pseudonym() -> str:
    """A random, stable, non-identifying learner id used in analytics and exports."""
    return "L-" + secrets.token_hex(5).upper()


class Org(models.Model):
    sourced_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=20, choices=OrgType.choices)
    identifier = models.CharField(max_length=255, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return self.name


class AcademicSession(models.Model):
    sourced_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=255)
    type = models.CharField(max_length=20, choices=SessionType.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    school_year = models.PositiveIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    sourced_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=255)
    course_code = models.CharField(max_length=100, blank=True)
    grades = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="courses")
    school_year = models.ForeignKey(
        AcademicSession, null=True, blank=True, on_delete=models.PROTECT
    )

    def __str__(self) -> str:
        return self.title


class User(AbstractUser):
    """A person in the roster. Students, teachers, guardians and administrators are all users."""

    sourced_id = models.CharField(max_length=255, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    grade = models.CharField(max_length=4, blank=True, help_text="OneRoster grade code, e.g. 07")
    identifier = models.CharField(max_length=255, blank=True)
    pseudonym = models.CharField(max_length=16, unique=True, default=new_pseudonym, editable=False)
    orgs = models.ManyToManyField(Org, blank=True, related_name="users")
    # The language the pages speak to this user; blank: the browser's (Accept-Language).
    language = models.CharField(max_length=8, choices=Language.choices, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.username

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_guardian(self) -> bool:
        return self.role == Role.GUARDIAN


class SchoolClass(models.Model):
    """A OneRoster class: a group of students taught together in a course."""

    sourced_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=255)
    class_code = models.CharField(max_length=100, blank=True)
    class_type = models.CharField(
        max_length=20, choices=ClassType.choices, default=ClassType.SCHEDULED
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    school = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="classes")
    terms = models.ManyToManyField(AcademicSession, blank=True, related_name="classes")
    grades = models.JSONField(default=list, blank=True)
    periods = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    sourced_id = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrollments")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    role = models.CharField(max_length=20, choices=EnrollmentRole.choices)
    primary = models.BooleanField(default=False)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school_class", "role"], name="enrollment_unique_per_role"
            )
        ]
        indexes = [models.Index(fields=["school_class", "role"])]


class GuardianLink(models.Model):
    """A guardian's right to see one student (OneRoster user 'agents')."""

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wards")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=50, default="parent")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardian_link_unique")
        ]
