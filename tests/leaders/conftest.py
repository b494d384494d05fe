"""A school for the leaders' pages: two classes of grade 6 students with OneRoster
demographics and practice below, at and above grade, built through the services. Hispanic or
Latino students are routed to below-grade work far more often (the planted inequity); three
Asian students form a group under the small-cell threshold."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone
from tests.factories import School, make_school, make_user

from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import EvidenceDraft, evidence_record_many
from tandem.interop.models import Demographics
from tandem.leaders.services import figures_compute_all
from tandem.mastery.services import mastery_apply_many
from tandem.practice.models import Attempt
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import User
from tandem.roster.services import enrollment_create

STUDENTS = 70
HISPANIC = 32
ASIAN = 3


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class LeadSchool:
    school: School
    students: list[User]
    hispanic: list[User]
    asian: list[User]


def practise(
    students_answers: list[tuple[User, Competency, bool, dt.datetime]], school_class=None
) -> None:
    """Answers as practice would record them: evidence, attempts, learner states."""
    item = written_item_create(stem="Practice", competency_codes=["6.EE.A.2"])
    drafts = [
        EvidenceDraft(
            actor=student,
            verb=Verb.ANSWERED,
            object_id=f"urn:test:{competency.human_coding_scheme}",
            competencies=[competency],
            source=Source.PRACTICE,
            authority=student,
            timestamp=at,
            item=item,
            success=correct,
            duration_ms=90_000,
            school_class=school_class,
        )
        for student, competency, correct, at in students_answers
    ]
    statements = [s for s, _ in evidence_record_many(drafts=drafts)]
    Attempt.objects.bulk_create(
        Attempt(
            student=student,
            item=item,
            competency=competency,
            predicted_success=0.7,
            presented_at=at - dt.timedelta(seconds=90),
            answered_at=at,
            statement=statement,
        )
        for (student, competency, _, at), statement in zip(
            students_answers, statements, strict=True
        )
    )
    mastery_apply_many(statements=statements)


def build_lead_school(
    *, now: dt.datetime | None = None, seed: int = 3, figures: bool = True
) -> LeadSchool:
    """The school, with the leaders' figures worked out and stored as the worker would
    (``figures=False``: none stored yet)."""
    now = now or timezone.now()
    rng = random.Random(seed)
    school = make_school()
    below = list(Competency.objects.filter(grade_rank=6).order_by("pk")[:6])
    at = list(Competency.objects.filter(grade_rank=7).order_by("pk")[:6])
    students = []
    for k in range(STUDENTS):
        student = make_user(Role.STUDENT, grade="06")
        student.orgs.add(school.org)
        klass = school.class_a if k % 2 == 0 else school.class_b
        enrollment_create(user=student, school_class=klass, role=EnrollmentRole.STUDENT)
        students.append(student)
    hispanic, asian = students[:HISPANIC], students[HISPANIC : HISPANIC + ASIAN]
    for k, student in enumerate(students):
        Demographics.objects.create(
            sourced_id=student.sourced_id,
            sex="female" if k % 2 else "male",
            fields={
                "hispanicOrLatinoEthnicity": "true" if student in hispanic else "false",
                "asian": "true" if student in asian else "false",
                "white": "false" if student in hispanic + asian else "true",
            },
        )
    answers = []
    for student in students:
        share_below = 0.7 if student in hispanic else 0.1
        for day in range(1, 15):
            moment = now - dt.timedelta(days=day, hours=rng.randint(0, 5))
            for _ in range(2):
                pool = below if rng.random() < share_below else at
                answers.append((student, rng.choice(pool), rng.random() < 0.8, moment))
    practise(answers)
    if figures:
        figures_compute_all(now=timezone.now())
    return LeadSchool(school, students, hispanic, asian)


@pytest.fixture
def lead_school(db) -> LeadSchool:
    return build_lead_school()


def class_a_change(school, *, days_ago: int, weeks: int, title: str = "Warm-ups"):
    """A change that touched class A, begun ``days_ago`` days ago, compared over ``weeks``."""
    import datetime as dt

    from django.utils import timezone

    from tandem.leaders.services import change_create

    change, _ = change_create(
        leader=school.admin,
        title=title,
        start_date=timezone.localdate() - dt.timedelta(days=days_ago),
        weeks=weeks,
        classes=[school.class_a],
        now=timezone.now(),
    )
    return change
