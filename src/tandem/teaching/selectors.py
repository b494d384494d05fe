"""Reads for teachers: a class at a glance, with flags for who needs attention."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q

from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_codes
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.roster.models import SchoolClass, User
from tandem.roster.selectors import class_students

RECENT_WINDOW = 10
READY_ACCURACY = 0.85


@dataclass(frozen=True)
class Flag:
    key: str  # stuck | unseen | ready
    label: str
    detail: str


@dataclass
class StudentRow:
    student: User
    focus: Competency | None = None
    cells: list[MasteryView | None] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    last_active: dt.datetime | None = None
    mastered_count: int = 0


@dataclass
class ClassGrid:
    school_class: SchoolClass
    competencies: list[Competency]
    rows: list[StudentRow]
    domains: list[tuple[str, str]]
    grades: list[tuple[int, str]]


def _flags(
    *,
    states: list[MasteryView],
    recent: list[bool],
    last_active: dt.datetime | None,
    now: dt.datetime,
    comps: dict[int, Competency],
) -> list[Flag]:
    flags = []
    stuck_after = settings.TANDEM_STUCK_ATTEMPTS
    stuck = [
        s
        for s in states
        if s.status == Status.LEARNING and s.n_attempts >= stuck_after and s.p_mastery < 0.6
    ]
    if stuck:
        codes = ", ".join(
            comps[s.competency_id].code for s in stuck[:3] if s.competency_id in comps
        )
        flags.append(Flag("stuck", "Stuck", f"Many attempts without progress on {codes}"))
    unseen_days = settings.TANDEM_UNSEEN_DAYS
    if last_active is None or now - last_active > dt.timedelta(days=unseen_days):
        since = "never" if last_active is None else f"{(now - last_active).days} days ago"
        flags.append(Flag("unseen", "Not practicing", f"Last practice: {since}"))
    if len(recent) >= RECENT_WINDOW and sum(recent) / len(recent) >= READY_ACCURACY:
        flags.append(
            Flag("ready", "Ready to advance", f"{sum(recent)} of last {len(recent)} right")
        )
    return flags


def class_grid(
    *, school_class: SchoolClass, now: dt.datetime, domain: str = "", grade_rank: int | None = None
) -> ClassGrid:
    """Students × competencies for one class, plus each student's focus and flags.

    A fixed number of queries whatever the class size.
    """
    students = list(class_students(school_class))
    student_ids = [s.pk for s in students]
    all_comps = list(
        Competency.objects.filter(human_coding_scheme__in=practisable_codes()).order_by(
            "grade_rank", "list_order"
        )
    )
    comps_by_id = {c.pk: c for c in all_comps}
    domains = sorted({(c.domain_code, c.domain_name) for c in all_comps})
    grades = sorted({(c.grade_rank, c.grade_label) for c in all_comps})
    shown = [
        c
        for c in all_comps
        if (not domain or c.domain_code == domain)
        and (grade_rank is None or c.grade_rank == grade_rank)
    ]
    grid = mastery_grid(student_ids=student_ids, competency_ids=None, now=now)
    by_student: dict[int, list[MasteryView]] = defaultdict(list)
    for (sid, _), view in grid.items():
        by_student[sid].append(view)
    activity: dict[int, dict[str, Any]] = {
        row["actor_id"]: dict(row)
        for row in Statement.objects.filter(actor_id__in=student_ids)
        .values("actor_id")
        .annotate(
            last=Max("timestamp"), n=Count("id"), n_ok=Count("id", filter=Q(result_success=True))
        )
    }
    recent: dict[int, list[bool]] = defaultdict(list)
    since = now - dt.timedelta(days=14)
    for actor_id, success in (
        Statement.objects.filter(actor_id__in=student_ids, timestamp__gte=since)
        .order_by("actor_id", "-timestamp")
        .values_list("actor_id", "result_success")
    ):
        if len(recent[actor_id]) < RECENT_WINDOW:
            recent[actor_id].append(bool(success))
    rows = []
    for student in students:
        states = by_student.get(student.pk, [])
        last_active = activity.get(student.pk, {}).get("last")
        learning = [s for s in states if s.status in (Status.LEARNING, Status.NEEDS_REVIEW)]
        focus_view = max(learning, key=lambda s: s.last_evidence_at or now, default=None)
        rows.append(
            StudentRow(
                student=student,
                focus=comps_by_id.get(focus_view.competency_id) if focus_view else None,
                cells=[grid.get((student.pk, c.pk)) for c in shown],
                flags=_flags(
                    states=states,
                    recent=recent.get(student.pk, []),
                    last_active=last_active,
                    now=now,
                    comps=comps_by_id,
                ),
                last_active=last_active,
                mastered_count=sum(1 for s in states if s.status == Status.MASTERED),
            )
        )
    return ClassGrid(school_class, shown, rows, domains, grades)
