"""Reads of flex periods: the week's sessions and schedule for the administrator, a teacher's
rosters, what a student may choose, and a student's published week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.flex.constants import ScheduleStatus
from tandem.flex.models import (
    FlexBlock,
    FlexChoice,
    FlexPlacement,
    FlexSchedule,
    FlexSession,
)
from tandem.goals.rules import week_of


def this_week(now: dt.datetime | None = None) -> dt.date:
    return week_of(timezone.localdate(now or timezone.now()))


def parse_week(value: str | None, *, now: dt.datetime | None = None) -> dt.date:
    """``?week=YYYY-MM-DD`` as that week's Monday; this week when missing or malformed."""
    try:
        return week_of(dt.date.fromisoformat(value or ""))
    except ValueError:
        return this_week(now)


def block_list() -> QuerySet[FlexBlock]:
    return FlexBlock.objects.all()


def week_sessions(week: dt.date) -> QuerySet[FlexSession]:
    """The week's sessions with their seats taken and required students counted."""
    return (
        FlexSession.objects.filter(week_of=week)
        .select_related("block", "teacher", "competency")
        .annotate(
            n_placed=Count("placements", distinct=True),
            n_required=Count("required", distinct=True),
        )
        .order_by("block__weekday", "block__starts_at", "title", "pk")
    )


def schedule_for_week(week: dt.date) -> FlexSchedule | None:
    return FlexSchedule.objects.filter(week_of=week).first()


@dataclass
class SessionRoster:
    session: FlexSession
    placements: list[FlexPlacement] = field(default_factory=list)

    @property
    def seats_left(self) -> int:
        return self.session.capacity - len(self.placements)


@dataclass
class BlockRoster:
    block: FlexBlock
    day: dt.date
    sessions: list[SessionRoster] = field(default_factory=list)

    @property
    def options(self) -> list[FlexSession]:
        """Where a student of this block may be moved."""
        return [s.session for s in self.sessions]


def schedule_rosters(
    *, schedule: FlexSchedule | None, sessions: list[FlexSession]
) -> list[BlockRoster]:
    """Each block of the week, each of its ``sessions``, and who is placed there (with why)."""
    placed: dict[int, list[FlexPlacement]] = defaultdict(list)
    if schedule is not None and sessions:
        for placement in (
            FlexPlacement.objects.filter(schedule=schedule, session__in=[s.pk for s in sessions])
            .select_related("student", "reason_competency")
            .order_by("student__last_name", "student__first_name", "pk")
        ):
            placed[placement.session_id].append(placement)
    blocks: dict[int, BlockRoster] = {}
    for session in sessions:
        block = blocks.get(session.block_id)
        if block is None:
            day = session.week_of + dt.timedelta(days=session.block.weekday)
            block = blocks[session.block_id] = BlockRoster(session.block, day)
        block.sessions.append(SessionRoster(session, placed[session.pk]))
    return list(blocks.values())


def sessions_open_to(*, grade: int | None, week: dt.date) -> dict[FlexBlock, list[FlexSession]]:
    """What a student of ``grade`` may rank this week, per block."""
    by_block: dict[FlexBlock, list[FlexSession]] = defaultdict(list)
    if grade is None:
        return by_block
    for session in (
        FlexSession.objects.filter(week_of=week, grade_min__lte=grade, grade_max__gte=grade)
        .select_related("block", "teacher", "competency")
        .order_by("block__weekday", "block__starts_at", "title")
    ):
        by_block[session.block].append(session)
    return by_block


def choices_of(*, student_id: int, week: dt.date) -> dict[int, list[int]]:
    """Block id -> the student's ranked session ids."""
    ranked: dict[int, list[int]] = defaultdict(list)
    for block_id, session_id in (
        FlexChoice.objects.filter(student_id=student_id, session__week_of=week)
        .order_by("session__block_id", "rank")
        .values_list("session__block_id", "session_id")
    ):
        ranked[block_id].append(session_id)
    return ranked


def student_week(*, student_id: int, now: dt.datetime | None = None) -> list[FlexPlacement]:
    """The student's sessions in the published schedule of this week, or of the next week
    published when this one is over or not published."""
    today = timezone.localdate(now or timezone.now())
    schedule = (
        FlexSchedule.objects.filter(status=ScheduleStatus.PUBLISHED, week_of__gte=week_of(today))
        .order_by("week_of")
        .first()
    )
    if schedule is None:
        return []
    return list(
        FlexPlacement.objects.filter(schedule=schedule, student_id=student_id)
        .select_related("session", "session__teacher", "block", "reason_competency")
        .order_by("block__weekday", "block__starts_at")
    )


def placements_for_export(
    *, week: dt.date, teacher_id: int | None = None, student_id: int | None = None
) -> QuerySet[FlexPlacement]:
    """The week's published placements, all or narrowed to a teacher's sessions or a student."""
    rows = FlexPlacement.objects.filter(
        schedule__week_of=week, schedule__status=ScheduleStatus.PUBLISHED
    )
    if teacher_id is not None:
        rows = rows.filter(session__teacher_id=teacher_id)
    if student_id is not None:
        rows = rows.filter(student_id=student_id)
    return rows.select_related(
        "session", "session__teacher", "block", "student", "reason_competency"
    ).order_by("block__weekday", "block__starts_at", "session__title", "student__last_name")


def teacher_week_sessions(*, teacher_id: int, week: dt.date) -> list[FlexSession]:
    return list(week_sessions(week).filter(Q(teacher_id=teacher_id)))


@dataclass(frozen=True)
class SessionToday:
    """A published flex session the teacher leads today whose attendance is not taken yet."""

    session_id: int
    title: str
    starts_at: dt.time
    room: str
    students: int


def sessions_to_take_attendance(*, teacher_id: int, day: dt.date) -> list[SessionToday]:
    """The teacher's sessions of the published week meeting on ``day`` with a student whose
    attendance is still open, by start time. One query."""
    sessions = (
        FlexSession.objects.filter(
            teacher_id=teacher_id,
            week_of=week_of(day),
            block__weekday=day.weekday(),
            placements__schedule__status=ScheduleStatus.PUBLISHED,
        )
        .annotate(
            n_students=Count("placements", distinct=True),
            n_open=Count("placements", filter=Q(placements__attended__isnull=True), distinct=True),
        )
        .filter(n_open__gt=0)
        .select_related("block")
        .order_by("block__starts_at", "title", "pk")
    )
    return [SessionToday(s.pk, s.title, s.block.starts_at, s.room, s.n_students) for s in sessions]
