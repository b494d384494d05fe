"""The demo school's flex week: two blocks, sessions from the demo teachers (skill workshops
on what most students are stuck on, project time, a game club, study halls), students' ranked
choices, and this week's schedule solved and published."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence

from django.db.models import Q

from tandem.competencies.models import Competency
from tandem.flex.constants import CHOICES_PER_BLOCK, SessionKind, Weekday
from tandem.flex.models import FlexBlock, FlexSchedule
from tandem.flex.selectors import this_week
from tandem.flex.services import (
    FlexError,
    SessionInput,
    block_create,
    choices_set,
    schedule_publish,
    schedule_solve,
    session_offer,
)
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.rules import STUCK_BELOW
from tandem.roster.constants import Role
from tandem.roster.models import User

ROOMS = ["Room 101", "Room 102", "Room 103", "Library"]


def _most_needed(student_ids: list[int], n: int) -> list[Competency]:
    """The competencies most students are still learning with a low estimate."""
    counts = Counter(
        LearnerState.objects.filter(
            student_id__in=student_ids, status=Status.LEARNING, p_mastery__lt=STUCK_BELOW
        ).values_list("competency_id", flat=True)
    )
    ids = [cid for cid, _ in counts.most_common(n)]
    by_id = Competency.objects.in_bulk(ids)
    return [by_id[cid] for cid in ids]


def flex_demo_seed(
    teachers: Sequence[User], students: Sequence[User], /, *, now: dt.datetime, seed: int
) -> FlexSchedule | None:
    """Seed and publish this week's flex schedule (published by the school's administrator);
    None when there are too few teachers or no administrator."""
    admin = (
        User.objects.filter(Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )
    if len(teachers) < 3 or not students or admin is None:
        return None
    rng = random.Random(seed + 13)
    week = this_week(now)
    tuesday = block_create(
        name="Tuesday flex",
        weekday=Weekday.TUESDAY,
        starts_at=dt.time(10, 5),
        ends_at=dt.time(10, 50),
        rooms=ROOMS,
    )
    thursday = block_create(
        name="Thursday flex",
        weekday=Weekday.THURSDAY,
        starts_at=dt.time(10, 5),
        ends_at=dt.time(10, 50),
        rooms=ROOMS,
    )
    n = len(students)
    first, second, third = teachers[0], teachers[1], teachers[2]
    skills = _most_needed([s.pk for s in students], 2)
    offers: list[tuple[User, FlexBlock, str, SessionKind, int, str, Competency | None]] = []
    for teacher, skill, room in zip((first, second), skills, ROOMS, strict=False):
        offers.append(
            (
                teacher,
                tuesday,
                f"Workshop: {skill.code}",
                SessionKind.COMPETENCY,
                n // 6,
                room,
                skill,
            )
        )
    offers += [
        (third, tuesday, "Quiet study", SessionKind.STUDY, n, "Library", None),
        (first, thursday, "Project time", SessionKind.PROJECT, n // 4, "Room 101", None),
        (second, thursday, "Math games club", SessionKind.ENRICHMENT, n // 4, "Room 102", None),
        (third, thursday, "Quiet study", SessionKind.STUDY, n, "Library", None),
    ]
    sessions = [
        session_offer(
            teacher=teacher,
            data=SessionInput(
                block=block,
                week_of=week,
                title=title,
                kind=kind,
                capacity=capacity,
                grade_min=6,
                grade_max=8,
                room=room,
                competency=skill,
            ),
            now=now,
        )
        for teacher, block, title, kind, capacity, room, skill in offers
    ]
    # About two students in three rank what they would like; the rest leave it to the school.
    for student in students:
        if rng.random() < 0.67:
            for block in (tuesday, thursday):
                here = [s.pk for s in sessions if s.block_id == block.pk]
                rng.shuffle(here)
                choices_set(
                    student=student,
                    block=block,
                    week=week,
                    session_ids=here[: rng.randint(1, CHOICES_PER_BLOCK)],
                )
    try:
        schedule = schedule_solve(week=week, now=now, time_limit_s=2.0)
    except FlexError:
        return None
    return schedule_publish(schedule=schedule, by=admin, now=now)
