"""Test state built through the services: a small school with two classes and a guardian."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_record
from tandem.mastery.services import mastery_apply
from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import Course, Org, SchoolClass, User
from tandem.roster.services import (
    class_create,
    enrollment_create,
    guardian_link_create,
    org_create,
    user_create,
)

PASSWORD = "correct-horse-battery"
_ids = itertools.count(1)


def make_user(role: Role, *, grade: str = "", username: str | None = None) -> User:
    n = next(_ids)
    return user_create(
        sourced_id=f"test-{role}-{n}",
        username=username or f"{role}{n}",
        role=role,
        first_name=str(role.label),
        last_name=f"Number{n}",
        password=PASSWORD,
        grade=grade,
    )


@dataclass
class School:
    org: Org
    class_a: SchoolClass
    class_b: SchoolClass
    teacher_a: User
    teacher_b: User
    student_a: User
    student_b: User
    guardian_a: User
    admin: User


def make_school() -> School:
    framework_load_coherence_map()
    n = next(_ids)
    org = org_create(sourced_id=f"school-{n}", name=f"School {n}", type=OrgType.SCHOOL)
    course = Course.objects.create(sourced_id=f"course-{n}", title="Math 6", org=org, grades=["06"])
    class_a = class_create(sourced_id=f"class-a-{n}", title="Math 6 A", course=course, school=org)
    class_b = class_create(sourced_id=f"class-b-{n}", title="Math 6 B", course=course, school=org)
    teacher_a, teacher_b = make_user(Role.TEACHER), make_user(Role.TEACHER)
    student_a, student_b = make_user(Role.STUDENT, grade="06"), make_user(Role.STUDENT, grade="06")
    guardian_a = make_user(Role.GUARDIAN)
    admin = make_user(Role.ADMINISTRATOR)
    enrollment_create(user=teacher_a, school_class=class_a, role=EnrollmentRole.TEACHER)
    enrollment_create(user=teacher_b, school_class=class_b, role=EnrollmentRole.TEACHER)
    enrollment_create(user=student_a, school_class=class_a, role=EnrollmentRole.STUDENT)
    enrollment_create(user=student_b, school_class=class_b, role=EnrollmentRole.STUDENT)
    guardian_link_create(guardian=guardian_a, student=student_a)
    return School(
        org, class_a, class_b, teacher_a, teacher_b, student_a, student_b, guardian_a, admin
    )


def record_answer(
    student: User,
    code: str,
    correct: bool,
    *,
    at: dt.datetime | None = None,
    key: str | None = None,
) -> Statement:
    """A practice answer about one competency, applied to the learner model."""
    competency = Competency.objects.get(human_coding_scheme=code)
    statement, created = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=f"urn:test:{code}",
        competencies=[competency],
        source=Source.PRACTICE,
        authority=student,
        timestamp=at or timezone.now(),
        success=correct,
        idempotency_key=key,
    )
    if created:
        mastery_apply(statement=statement)
    return statement


def master(student: User, code: str, *, now: dt.datetime | None = None) -> None:
    """Right answers enough for the mastery rule: five on one day (probably mastered), and one
    the next day that confirms it (mastered)."""
    now = now or timezone.now()
    for minute in range(5):
        record_answer(student, code, True, at=now - dt.timedelta(days=1, minutes=10 - minute))
    record_answer(student, code, True, at=now)


def png_bytes(width: int = 8, height: int = 6) -> bytes:
    """A small real PNG (a photo of work, as far as the upload checks can tell)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 250)).save(buffer, format="PNG")
    return buffer.getvalue()
