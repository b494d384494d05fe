"""A student with something in every table that holds data about them, under names that are easy
to search for in pages, zips and API answers."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.factories import PASSWORD, School, make_school, png_bytes, record_answer

from tandem.checkins.services import checkin_record
from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.goals.constants import GoalKind
from tandem.goals.rules import current_week, previous_week
from tandem.goals.services import goal_create, reflection_save
from tandem.interop.models import Demographics
from tandem.interop.xapi.constants import Scope
from tandem.interop.xapi.services import lrs_client_issue
from tandem.pathways.services import pathway_build
from tandem.practice.services import written_answer_submit
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.services import accommodation_create, profile_update
from tandem.projects.constants import ReviewDecision
from tandem.projects.services import (
    project_propose,
    project_review,
    project_score,
    submission_create,
)
from tandem.roster.access import access_student
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import User
from tandem.roster.services import enrollment_create, guardian_link_create, user_create

CODE = "6.RP.A.1"
PNG = png_bytes()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# Everything that names the student; none may be left anywhere after the erasure.
FIRST, LAST = "Zebedee", "Quillfeather"
USERNAME, SOURCED_ID, EMAIL = "zquill", "sid-zq-777", "zebedee.q@example.org"
IDENTIFYING = (FIRST, LAST, USERNAME, SOURCED_ID, EMAIL)


@dataclass
class Learner:
    school: School
    student: User
    lrs_headers: dict[str, str]


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def make_learner() -> Learner:
    school = make_school()
    student = user_create(
        sourced_id=SOURCED_ID,
        username=USERNAME,
        role=Role.STUDENT,
        first_name=FIRST,
        last_name=LAST,
        password=PASSWORD,
        grade="06",
    )
    User.objects.filter(pk=student.pk).update(email=EMAIL)
    student.refresh_from_db()
    enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    guardian_link_create(guardian=school.guardian_a, student=student)
    now = timezone.now()
    for minute in range(4):
        record_answer(student, CODE, minute % 2 == 0, at=now - dt.timedelta(minutes=10 - minute))
    profile_update(
        student=student,
        now=now,
        interests=["space"],
        own_interests=[f"{FIRST}'s rockets"],
        about_me=f"I am {FIRST} {LAST}.",
    )
    accommodation_create(
        actor=school.teacher_a,
        student=student,
        kind=AccommodationKind.OTHER,
        summary=f"Extra time for {FIRST}",
        now=now,
    )
    competency = Competency.objects.get(human_coding_scheme=CODE)
    goal_create(
        student=student,
        kind=GoalKind.HABIT,
        created_by=student,
        now=now,
        text=f"{FIRST} practises daily",
    )
    reflection_save(
        student=student,
        week=previous_week(current_week(now)),
        did=f"{LAST} did ratios",
        worked="drawing",
        next_steps="more",
        now=now,
    )
    checkin_record(
        teacher=school.teacher_a, student=student, now=now, notes=f"{FIRST} seemed tired"
    )
    project, _ = project_propose(
        student=student,
        now=now,
        title=f"{FIRST}'s rocket",
        description="A water rocket.",
        interest=f"{LAST}s love rockets",
        competencies=[competency],
    )
    project = project_review(
        teacher=school.teacher_a, project=project, decision=ReviewDecision.APPROVE, now=now
    )
    submission_create(
        student=student,
        project=project,
        now=now,
        text=f"Final work by {FIRST}",
        upload=SimpleUploadedFile(f"{LAST} rocket.pdf", PDF, content_type="application/pdf"),
    )
    project_score(
        teacher=school.teacher_a,
        project=project,
        levels={c.pk: c.levels.get(points=3).pk for c in project.criteria.all()},
        now=now,
        feedback=f"Well done, {FIRST}.",
    )
    item = written_item_create(stem="Explain a ratio.", competency_codes=[CODE])
    written_answer_submit(
        student=student,
        item_id=item.pk,
        text=f"{FIRST} thinks 3:2",
        now=now,
        photo=SimpleUploadedFile(f"{LAST} work.png", PNG, content_type="image/png"),
    )
    pathway_build(student=student, now=now)
    Demographics.objects.create(sourced_id=SOURCED_ID, sex="male", fields={"birthCity": "Leeds"})
    access_student(user=school.teacher_a, student_id=student.pk, action="test:view")
    lrs_client, secret = lrs_client_issue(name="Reader", scopes=list(Scope.values))
    token = base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3", "HTTP_AUTHORIZATION": f"Basic {token}"}
    # The LRS mirrors the evidence on its first read: the student's sourcedId is now in it.
    assert SOURCED_ID in Client().get("/xapi/statements", **headers).content.decode()
    return Learner(school=school, student=student, lrs_headers=headers)


@pytest.fixture
def learner(db) -> Learner:
    return make_learner()


def names_in(text: str) -> list[str]:
    """The identifying strings found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [value for value in IDENTIFYING if value.lower() in lowered]
