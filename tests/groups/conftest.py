"""Test state for mini-lesson groups: the small school with a grade 7 student added to a third
class (taught by teacher B), and helpers that make a student ready for or stuck on 6.EE.A.3."""

from __future__ import annotations

import pytest
from tests.factories import School, make_school, make_user, master, record_answer

from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import class_create, enrollment_create

TOPIC = "6.EE.A.3"  # a grade 6 standard whose prerequisite is 6.NS.B.4
PREREQUISITE = "6.NS.B.4"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_ready(student) -> None:
    master(student, PREREQUISITE)


def make_stuck(student, code: str = TOPIC) -> None:
    for _ in range(8):
        record_answer(student, code, False)


@pytest.fixture
def school(db) -> School:
    school = make_school()
    course = school.class_a.course
    school.class_c = class_create(
        sourced_id=f"class-c-{school.org.pk}", title="Math 7 C", course=course, school=school.org
    )
    school.student_c = make_user(Role.STUDENT, grade="07")
    enrollment_create(
        user=school.teacher_b, school_class=school.class_c, role=EnrollmentRole.TEACHER
    )
    enrollment_create(
        user=school.student_c, school_class=school.class_c, role=EnrollmentRole.STUDENT
    )
    return school
