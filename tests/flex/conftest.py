"""A small school with flex blocks: the factories' school (two grade-6 classes) and a few
more students, two blocks (Tuesday, Thursday) and sessions offered this week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from tests.factories import School, make_school, make_user

from tandem.competencies.models import Competency
from tandem.flex.constants import SessionKind, Weekday
from tandem.flex.models import FlexBlock, FlexSession
from tandem.flex.selectors import this_week
from tandem.flex.services import SessionInput, block_create, session_offer
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create


@dataclass
class FlexSchool:
    school: School
    week: dt.date
    tuesday: FlexBlock
    thursday: FlexBlock
    workshop: FlexSession  # teacher A, Tuesday, on 6.EE.A.2, 2 seats
    art: FlexSession  # teacher B, Tuesday
    study_tue: FlexSession  # teacher A's study hall (their class's default), Tuesday
    study_thu: FlexSession  # teacher B's study hall, Thursday
    project_thu: FlexSession  # teacher A, Thursday


def offer(teacher, block, week, title, kind, capacity, room, **kw) -> FlexSession:  # type: ignore[no-untyped-def]
    return session_offer(
        teacher=teacher,
        data=SessionInput(
            block=block,
            week_of=week,
            title=title,
            kind=kind,
            capacity=capacity,
            grade_min=kw.pop("grade_min", 6),
            grade_max=kw.pop("grade_max", 8),
            room=room,
            **kw,
        ),
        now=timezone.now(),
    )


@pytest.fixture
def flex(db) -> FlexSchool:  # type: ignore[no-untyped-def]
    school = make_school()
    # Two more students in each class: six students in all.
    for school_class in (school.class_a, school.class_b):
        for _ in range(2):
            enrollment_create(
                user=make_user(Role.STUDENT, grade="06"),
                school_class=school_class,
                role=EnrollmentRole.STUDENT,
            )
    week = this_week()
    rooms = ["101", "102", "Library", "Gym"]
    tuesday = block_create(
        name="Tuesday flex",
        weekday=Weekday.TUESDAY,
        starts_at=dt.time(10, 0),
        ends_at=dt.time(10, 45),
        rooms=rooms,
    )
    thursday = block_create(
        name="Thursday flex",
        weekday=Weekday.THURSDAY,
        starts_at=dt.time(10, 0),
        ends_at=dt.time(10, 45),
        rooms=rooms,
    )
    skill = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    a, b = school.teacher_a, school.teacher_b
    return FlexSchool(
        school=school,
        week=week,
        tuesday=tuesday,
        thursday=thursday,
        workshop=offer(
            a, tuesday, week, "Expressions", SessionKind.COMPETENCY, 2, "101", competency=skill
        ),
        art=offer(b, tuesday, week, "Comic art", SessionKind.ENRICHMENT, 3, "102"),
        study_tue=offer(a, tuesday, week, "Study hall A", SessionKind.STUDY, 6, "Library"),
        study_thu=offer(b, thursday, week, "Study hall B", SessionKind.STUDY, 6, "Library"),
        project_thu=offer(a, thursday, week, "Project time", SessionKind.PROJECT, 3, "Gym"),
    )
