"""Test state for the profile pages, built through the services: one school with two classes,
a guardian linked to student A, and an administrator. The competency framework is loaded only
by the tests that need estimates (it is the slow part)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import Course, SchoolClass, User
from tandem.roster.services import (
    class_create,
    enrollment_create,
    guardian_link_create,
    org_create,
    user_create,
)

PASSWORD = "a-long-test-password"
_ids = itertools.count(1)


def make_user(role: Role, grade: str = "") -> User:
    n = next(_ids)
    return user_create(
        sourced_id=f"profiles-{role}-{n}",
        username=f"profiles-{role}-{n}",
        role=role,
        first_name=str(role.label),
        last_name=f"Number{n}",
        password=PASSWORD,
        grade=grade,
    )


@dataclass
class School:
    class_a: SchoolClass
    class_b: SchoolClass
    teacher_a: User
    teacher_b: User
    student_a: User
    student_b: User
    guardian_a: User
    guardian_b: User
    admin: User


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing each test user's password properly would take most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(db) -> School:
    """Teacher A teaches class A (student A, whose guardian is guardian A); teacher B teaches
    class B (student B, guardian B)."""
    n = next(_ids)
    org = org_create(sourced_id=f"profiles-school-{n}", name="Test School", type=OrgType.SCHOOL)
    course = Course.objects.create(sourced_id=f"profiles-course-{n}", title="Math 6", org=org)
    class_a = class_create(
        sourced_id=f"profiles-a-{n}", title="Math 6 A", course=course, school=org
    )
    class_b = class_create(
        sourced_id=f"profiles-b-{n}", title="Math 6 B", course=course, school=org
    )
    teacher_a, teacher_b = make_user(Role.TEACHER), make_user(Role.TEACHER)
    student_a, student_b = make_user(Role.STUDENT, "06"), make_user(Role.STUDENT, "06")
    guardian_a, guardian_b = make_user(Role.GUARDIAN), make_user(Role.GUARDIAN)
    enrollment_create(user=teacher_a, school_class=class_a, role=EnrollmentRole.TEACHER)
    enrollment_create(user=teacher_b, school_class=class_b, role=EnrollmentRole.TEACHER)
    enrollment_create(user=student_a, school_class=class_a, role=EnrollmentRole.STUDENT)
    enrollment_create(user=student_b, school_class=class_b, role=EnrollmentRole.STUDENT)
    guardian_link_create(guardian=guardian_a, student=student_a)
    guardian_link_create(guardian=guardian_b, student=student_b)
    return School(
        class_a,
        class_b,
        teacher_a,
        teacher_b,
        student_a,
        student_b,
        guardian_a,
        guardian_b,
        make_user(Role.ADMINISTRATOR),
    )


@pytest.fixture
def login(client):
    """Sign ``user`` in on the test client and return the client."""

    def sign_in(user: User):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return sign_in
