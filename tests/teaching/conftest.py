"""Test state for the teacher pages, built through the services: one school, two classes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_record
from tandem.mastery.services import mastery_apply
from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import Course, SchoolClass, User
from tandem.roster.services import class_create, enrollment_create, org_create

PASSWORD = "a-long-test-password"
CODE = "6.EE.A.2.c"  # practisable, domain EE
OTHER_DOMAIN_CODE = "6.RP.A.1"

_ids = itertools.count(1)


def make_user(role: Role, grade: str = "") -> User:
    n = next(_ids)
    return User.objects.create_user(
        username=f"teach-{role}-{n}",
        password=PASSWORD,
        role=role,
        sourced_id=f"teach-{role}-{n}",
        grade=grade,
        first_name=str(role.label),
        last_name=f"Number{n}",
    )


def enrol_student(school_class: SchoolClass, grade: str = "06") -> User:
    student = make_user(Role.STUDENT, grade=grade)
    enrollment_create(user=student, school_class=school_class, role=EnrollmentRole.STUDENT)
    return student


def record_answer(
    student: User, code: str, correct: bool, at: dt.datetime | None = None
) -> Statement:
    """A practice answer about one competency, applied to the learner model."""
    competency = Competency.objects.get(human_coding_scheme=code)
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=f"urn:test:{code}",
        object_name=f"Practice item on {code}",
        competencies=[competency],
        source=Source.PRACTICE,
        authority=student,
        timestamp=at or timezone.now(),
        success=correct,
    )
    mastery_apply(statement=statement)
    return statement


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing each test user's password properly would take most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class School:
    class_a: SchoolClass
    class_b: SchoolClass
    teacher_a: User
    teacher_b: User
    student_a: User
    student_b: User
    guardian: User
    admin: User


@pytest.fixture
def school() -> School:
    """Teacher A teaches class A (student A); teacher B teaches class B (student B)."""
    framework_load_coherence_map()
    n = next(_ids)
    org = org_create(sourced_id=f"teach-school-{n}", name="Test School", type=OrgType.SCHOOL)
    course = Course.objects.create(sourced_id=f"teach-course-{n}", title="Math 6", org=org)
    class_a = class_create(sourced_id=f"teach-a-{n}", title="Math 6 A", course=course, school=org)
    class_b = class_create(sourced_id=f"teach-b-{n}", title="Math 6 B", course=course, school=org)
    teacher_a, teacher_b = make_user(Role.TEACHER), make_user(Role.TEACHER)
    enrollment_create(user=teacher_a, school_class=class_a, role=EnrollmentRole.TEACHER)
    enrollment_create(user=teacher_b, school_class=class_b, role=EnrollmentRole.TEACHER)
    student_a, student_b = enrol_student(class_a), enrol_student(class_b)
    for correct in (True, True, False, True, True):
        record_answer(student_a, CODE, correct)
    record_answer(student_a, OTHER_DOMAIN_CODE, True)
    record_answer(student_b, CODE, False)
    return School(
        class_a,
        class_b,
        teacher_a,
        teacher_b,
        student_a,
        student_b,
        make_user(Role.GUARDIAN),
        make_user(Role.ADMINISTRATOR),
    )


@pytest.fixture
def teacher_client(client, school):
    assert client.login(username=school.teacher_a.username, password=PASSWORD)
    return client


@pytest.fixture
def add_students() -> Callable[[SchoolClass, int], list[User]]:
    """Enrol ``n`` more students in a class, each with a little evidence."""

    def add(school_class: SchoolClass, n: int) -> list[User]:
        students = []
        for i in range(n):
            student = enrol_student(school_class)
            record_answer(student, CODE, i % 2 == 0)
            record_answer(student, OTHER_DOMAIN_CODE, True)
            students.append(student)
        return students

    return add


@pytest.fixture
def new_student() -> Callable[..., User]:
    return enrol_student


@pytest.fixture
def answer() -> Callable[..., Statement]:
    return record_answer
