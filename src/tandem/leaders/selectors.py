"""Reads for leaders' pages: one scope's students as aligned per-student arrays (a fixed number
of aggregate queries, no per-student query), and the figures the pages show, each passed
through the small-cell rule before it leaves this module."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from numpy.typing import NDArray

from tandem.checkins.constants import CheckInStatus
from tandem.checkins.models import CheckIn
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.interop.models import Demographics
from tandem.leaders.constants import (
    ABOVE,
    ACCOMMODATION_GROUPS,
    AT,
    BELOW,
    CHECKED_IN,
    DAYS_TO_MASTERY,
    DEFAULT_WEEKLY_MINUTES,
    FIGURES_MAX_AGE_MINUTES,
    HISPANIC_FLAG,
    PACE,
    PATHWAY_AHEAD,
    PATHWAY_BEHIND,
    RACE_FLAGS,
    RECENT_DAYS,
    SEX_LABELS,
    SMALLEST_EFFECT,
)
from tandem.leaders.models import Change, FigureSnapshot, TimeLimit
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.rules import MASTERED_AT
from tandem.pathways.constants import Pace
from tandem.pathways.models import PathwayStep
from tandem.pathways.selectors import default_school_year, pace_for
from tandem.privacy.cells import small_cell
from tandem.profiles.models import Accommodation
from tandem.roster.access import enrollment_in_force
from tandem.roster.constants import EnrollmentRole, OrgType, Role, grade_label, grade_rank
from tandem.roster.models import Enrollment, Org, User
from tandem_engine.equity import Comparison, DidResult, audit, difference_in_differences
from tandem_engine.equity import mean_interval as _mean_interval

PRACTICE_SOURCES = (Source.PRACTICE, Source.SIMULATION)
WEEKS_RECENT = RECENT_DAYS // 7
WEEK_SECONDS = 7 * 24 * 3600
SCHOOL_DAYS_PER_WEEK = 5
PACE_NONE, PACE_BEHIND, PACE_ON_TRACK, PACE_AHEAD = -1, 0, 1, 2
PACE_CODES = {Pace.BEHIND: PACE_BEHIND, Pace.ON_TRACK: PACE_ON_TRACK, Pace.AHEAD: PACE_AHEAD}


@dataclass(frozen=True)
class Figure:
    """A mean over a group of students with its 95% interval, or nothing when the group is
    under the small-cell threshold (``shown`` False: every number is None)."""

    label: str
    n: int
    mean: float | None
    low: float | None
    high: float | None

    @property
    def shown(self) -> bool:
        return self.mean is not None


def figure(label: str, values: Iterable[float] | NDArray[np.float64]) -> Figure:
    """The one gate every group figure passes: suppressed under ``small_cell()`` students."""
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    if x.size < small_cell():
        return Figure(label, int(x.size), None, None, None)
    estimate = _mean_interval(x)
    return Figure(label, estimate.n, estimate.estimate, estimate.low, estimate.high)


@dataclass(frozen=True)
class Scope:
    """The students a leader is looking at: one school, or the whole district."""

    school: Org | None
    schools: list[Org]

    @property
    def name(self) -> str:
        return self.school.name if self.school else "All schools"


def leader_scope(school_id: Any) -> Scope:
    """The schools a leader may pick, and the one picked (None: all); an unknown id is all."""
    schools = list(Org.objects.filter(type=OrgType.SCHOOL).order_by("name"))
    try:
        picked = next((s for s in schools if s.pk == int(school_id)), None)
    except (TypeError, ValueError):
        picked = None
    return Scope(picked, schools)


def scope_students(scope: Scope) -> QuerySet[User]:
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if scope.school is not None:
        students = students.filter(orgs=scope.school)
    return students


@dataclass
class Frame:
    """Per-student figures of one scope; every array is aligned with ``ids``."""

    ids: NDArray[np.int64]
    grades: list[str]
    classes: list[str]
    groups: dict[str, NDArray[np.bool_]]
    items: NDArray[np.int64]
    below: NDArray[np.int64]
    at: NDArray[np.int64]
    above: NDArray[np.int64]
    weeks_active: NDArray[np.float64]
    mastered: NDArray[np.int64]
    checked_in: NDArray[np.bool_]
    # The last four weeks, newest first (0: the last 7 days): minutes of practice, and
    # whether a teacher met the student (a check-in held or an observation recorded).
    week_minutes: NDArray[np.float64]
    week_contact: NDArray[np.bool_]
    # Pathway pace against the school year: PACE_NONE (no steps), PACE_BEHIND, ON_TRACK, AHEAD.
    pathway_pace: NDArray[np.int8]
    # Median days from first practice to mastery of the student's grade-level competencies
    # (NaN: none mastered yet).
    days_to_mastery: NDArray[np.float64]

    @property
    def practicing(self) -> NDArray[np.bool_]:
        return self.items > 0


def _practice() -> QuerySet[Statement]:
    """Answers to practice questions: the live practice loop's, and the simulated history of
    the demo school and generated districts (not the diagnostic's, nor teachers' scores)."""
    return Statement.objects.filter(verb=Verb.ANSWERED, source__in=PRACTICE_SOURCES)


def _recent_bucket(field: str, today_end: dt.datetime) -> Case:
    """0 for the last 7 days up to ``today_end``, 1 for the 7 before, ... (four weeks)."""
    whens = [
        When(**{f"{field}__gte": today_end - dt.timedelta(days=7 * (k + 1))}, then=Value(k))
        for k in range(WEEKS_RECENT)
    ]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def leader_frame(scope: Scope, *, now: dt.datetime) -> Frame:
    """Every figure the leaders' pages need about the scope's students, in a fixed number of
    aggregate queries. Seconds for a district: the background worker runs it (see
    ``tandem.leaders.tasks``) and pages read the stored result (``stored_figures``)."""
    students = scope_students(scope)
    rows = list(students.order_by("pk").values_list("pk", "grade", "sourced_id"))
    n = len(rows)
    index = {pk: i for i, (pk, *_) in enumerate(rows)}
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    by_sourced = {r[2]: i for i, r in enumerate(rows)}
    student_pks = students.values("pk")
    since = now - dt.timedelta(days=RECENT_DAYS)

    classes = [""] * n
    for user_id, title in (
        Enrollment.objects.filter(
            enrollment_in_force(), user__in=student_pks, role=EnrollmentRole.STUDENT
        )
        .order_by("-primary", "school_class__title")
        .values_list("user_id", "school_class__title")
    ):
        i = index[user_id]
        classes[i] = classes[i] or title

    groups: dict[str, NDArray[np.bool_]] = {}

    def mark(name: str, i: int) -> None:
        groups.setdefault(name, np.zeros(n, dtype=bool))[i] = True

    for sourced_id, sex, fields in Demographics.objects.filter(
        sourced_id__in=students.values("sourced_id")
    ).values_list("sourced_id", "sex", "fields"):
        i = by_sourced[sourced_id]
        if SEX_LABELS.get(sex):
            mark(SEX_LABELS[sex], i)
        for flag, label in RACE_FLAGS.items():
            if str(fields.get(flag, "")).lower() == "true":
                mark(label, i)
        if str(fields.get(HISPANIC_FLAG, "")).lower() == "true":
            mark("Hispanic or Latino", i)
    for student_id, kind in (
        Accommodation.objects.filter(student__in=student_pks, active=True)
        .values_list("student_id", "kind")
        .order_by()  # no model ordering: DISTINCT must not take its columns in
        .distinct()
    ):
        if kind in ACCOMMODATION_GROUPS:
            mark(ACCOMMODATION_GROUPS[kind], index[student_id])

    answered = _practice().filter(actor__in=student_pks)
    items, below, at, above = (np.zeros(n, dtype=np.int64) for _ in range(4))
    ranks = [grade_rank(r[1]) if r[1] else -1 for r in rows]
    # Answers per competency, from the learner states (one row per student and competency,
    # not one per answer: a district's millions of answers are not scanned for this).
    for student_id, rank, count in (
        LearnerState.objects.filter(student__in=student_pks, n_attempts__gt=0)
        .values_list("student_id", "competency__grade_rank")
        .annotate(count=Sum("n_attempts"))
    ):
        i = index[student_id]
        items[i] += count
        if ranks[i] < 0:
            continue
        target = below if rank < ranks[i] else at if rank == ranks[i] else above
        target[i] += count

    # Weeks of practice: from a student's first answer to their last, at least one. (Counting
    # the distinct weeks would cost a date function per answer, in Python on SQLite.)
    weeks_active = np.zeros(n, dtype=np.float64)
    for student_id, first, last in answered.values_list("actor_id").annotate(
        first=Min("timestamp"), last=Max("timestamp")
    ):
        weeks_active[index[student_id]] = max(1.0, (last - first).total_seconds() / WEEK_SECONDS)

    mastered = np.zeros(n, dtype=np.int64)
    for student_id, count in (
        StateChange.objects.filter(
            state__student__in=student_pks, p_before__lt=MASTERED_AT, p_after__gte=MASTERED_AT
        )
        .values_list("state__student_id")
        .annotate(count=Count("state__competency_id", distinct=True))
    ):
        mastered[index[student_id]] = count

    week_minutes = np.zeros((n, WEEKS_RECENT))
    for student_id, bucket, ms in (
        answered.filter(timestamp__gte=since, timestamp__lte=now)
        .annotate(bucket=_recent_bucket("timestamp", now))
        .values_list("actor_id", "bucket")
        .annotate(ms=Coalesce(Sum("result_duration_ms"), 0))
    ):
        if bucket >= 0:
            week_minutes[index[student_id], bucket] = ms / 60000

    week_contact = np.zeros((n, WEEKS_RECENT), dtype=bool)
    checked_in = np.zeros(n, dtype=bool)
    for student_id, bucket in (
        CheckIn.objects.filter(
            student__in=student_pks,
            status=CheckInStatus.HELD,
            held_at__gte=since,
            held_at__lte=now,
        )
        .annotate(bucket=_recent_bucket("held_at", now))
        .values_list("student_id", "bucket")
        .order_by()  # no model ordering: DISTINCT must not take its columns in
        .distinct()
    ):
        checked_in[index[student_id]] = True
        if bucket >= 0:
            week_contact[index[student_id], bucket] = True
    for student_id, bucket in (
        Statement.objects.filter(
            actor__in=student_pks, verb=Verb.OBSERVED, timestamp__gte=since, timestamp__lte=now
        )
        .annotate(bucket=_recent_bucket("timestamp", now))
        .values_list("actor_id", "bucket")
        .order_by()  # no model ordering: DISTINCT must not take its columns in
        .distinct()
    ):
        if bucket >= 0:
            week_contact[index[student_id], bucket] = True

    pathway_pace = _pathway_paces(student_pks, index, n, today=now.date())
    days_to_mastery = _days_to_mastery(student_pks, index, ranks, n)

    return Frame(
        ids=ids,
        grades=[r[1] or "" for r in rows],
        classes=classes,
        groups=groups,
        items=items,
        below=below,
        at=at,
        above=above,
        weeks_active=weeks_active,
        mastered=mastered,
        checked_in=checked_in,
        week_minutes=week_minutes,
        week_contact=week_contact,
        pathway_pace=pathway_pace,
        days_to_mastery=days_to_mastery,
    )


def _pathway_paces(
    student_pks: QuerySet[User, Any], index: dict[int, int], n: int, *, today: dt.date
) -> NDArray[np.int8]:
    """Each student's pathway pace (``PACE_*``): steps done against the school year gone by,
    as the pathway page judges it (a competency step is done once mastered, a project once
    finished). Every student is judged against the default school year: one calendar for the
    whole scope, not one academic-session query per student."""
    calendar = default_school_year(today)
    mastered = LearnerState.objects.filter(
        student_id=OuterRef("pathway__student_id"),
        competency_id=OuterRef("competency_id"),
        status=Status.MASTERED,
    )
    paces = np.full(n, PACE_NONE, dtype=np.int8)
    for student_id, total, done in (
        PathwayStep.objects.filter(pathway__student__in=student_pks)
        .annotate(done=Case(
            When(Q(completed_at__isnull=False) | Exists(mastered), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ))
        .values_list("pathway__student_id")
        .annotate(total=Count("pk"), finished=Sum("done"))
    ):  # fmt: skip
        view = pace_for(done=int(done or 0), total=total, calendar=calendar, today=today)
        if view.pace is not None:
            paces[index[student_id]] = PACE_CODES[view.pace]
    return paces


def _days_to_mastery(
    student_pks: QuerySet[User, Any], index: dict[int, int], ranks: list[int], n: int
) -> NDArray[np.float64]:
    """Median days, over the grade-level competencies a student mastered, from their first
    answer on it to the answer that reached mastery (one row per learner state)."""
    per_student: dict[int, list[float]] = {}
    for student_id, rank, first, reached in (
        StateChange.objects.filter(state__student__in=student_pks)
        .values_list("state__student_id", "state__competency__grade_rank")
        .annotate(
            first=Min("at"),
            reached=Min("at", filter=Q(p_before__lt=MASTERED_AT, p_after__gte=MASTERED_AT)),
        )
        .filter(reached__isnull=False)
    ):
        i = index[student_id]
        if ranks[i] >= 0 and rank == ranks[i]:
            per_student.setdefault(i, []).append((reached - first).total_seconds() / 86400)
    days = np.full(n, np.nan)
    for i, values in per_student.items():
        days[i] = float(np.median(values))
    return days


# ---------- stored figures ----------

# The layout of a stored frame; bump it when Frame's fields change (older ones are redone).
FRAME_FORMAT = 2
_LIST_FIELDS = ("grades", "classes")


def frame_dump(frame: Frame) -> bytes:
    """The frame as a compressed NumPy archive (no pickles: plain arrays only)."""
    arrays: dict[str, Any] = {}
    for f in dataclasses.fields(Frame):
        value = getattr(frame, f.name)
        if f.name == "groups":
            names = sorted(value)
            arrays["group_names"] = np.array(names, dtype=str)
            arrays["group_masks"] = (
                np.stack([value[k] for k in names])
                if names
                else np.zeros((0, frame.ids.size), dtype=bool)
            )
        elif f.name in _LIST_FIELDS:
            arrays[f.name] = np.array(value, dtype=str)
        else:
            arrays[f.name] = value
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def frame_load(data: bytes) -> Frame:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(Frame):
            if f.name == "groups":
                masks = archive["group_masks"]
                names = archive["group_names"]
                values["groups"] = {str(k): masks[i] for i, k in enumerate(names)}
            elif f.name in _LIST_FIELDS:
                values[f.name] = [str(x) for x in archive[f.name]]
            else:
                values[f.name] = archive[f.name]
    return Frame(**values)


def scope_key(scope: Scope) -> str:
    return f"school-{scope.school.pk}" if scope.school else "district"


def figures_max_age() -> dt.timedelta:
    minutes = getattr(settings, "TANDEM_LEADER_FIGURES_MAX_AGE_MINUTES", FIGURES_MAX_AGE_MINUTES)
    return dt.timedelta(minutes=minutes)


@dataclass(frozen=True)
class StoredFigures:
    """A scope's stored figures as a page reads them: the frame (None while it is first worked
    out), when it was worked out, and whether it is older than the setting allows."""

    key: str
    frame: Frame | None
    computed_at: dt.datetime | None
    stale: bool
    refresh_requested_at: dt.datetime | None


def stored_figures(scope: Scope, *, now: dt.datetime) -> StoredFigures:
    """The scope's stored figures, in one query; a frame of an older layout counts as none."""
    key = scope_key(scope)
    row = (
        FigureSnapshot.objects.filter(scope_key=key)
        .values_list("data", "data_format", "computed_at", "refresh_requested_at")
        .first()
    )
    if row is None:
        return StoredFigures(key, None, None, True, None)
    data, data_format, computed_at, requested = row
    if data is None or data_format != FRAME_FORMAT or computed_at is None:
        return StoredFigures(key, None, None, True, requested)
    frame = frame_load(bytes(data))
    return StoredFigures(key, frame, computed_at, now - computed_at > figures_max_age(), requested)


def shown_groups(
    frame: Frame, among: NDArray[np.bool_] | None = None
) -> dict[str, NDArray[np.bool_]]:
    """The groups with at least ``small_cell()`` students among ``among`` and as many outside
    them (so that a group's figure cannot be had from the total minus the rest either)."""
    among = np.ones(frame.ids.size, dtype=bool) if among is None else among
    threshold = small_cell()
    out = {}
    for name in sorted(frame.groups):
        mask = frame.groups[name] & among
        if mask.sum() >= threshold and (among & ~mask).sum() >= threshold:
            out[name] = mask[among]
    return out


def hidden_groups(frame: Frame, among: NDArray[np.bool_] | None = None) -> list[str]:
    """Groups the roster carries that are too small to show (named, never counted)."""
    return sorted(set(frame.groups) - set(shown_groups(frame, among)))


def growth_rates(frame: Frame) -> NDArray[np.float64]:
    """Competencies mastered per week of practice, of the students who practiced."""
    active = frame.practicing & (frame.weeks_active > 0)
    return np.where(active, frame.mastered / np.maximum(frame.weeks_active, 1), np.nan)


@dataclass(frozen=True)
class GrowthTables:
    overall: Figure
    by_grade: list[Figure]
    by_class: list[Figure]
    by_group: list[Figure]
    hidden: list[str]


def growth_tables(frame: Frame) -> GrowthTables:
    rates = growth_rates(frame)
    active = ~np.isnan(rates)

    def split(labels: list[str], name: Any = str) -> list[Figure]:
        values = np.array(labels, dtype=str)
        keys = sorted(set(values[active].tolist()), key=name)
        return [figure(label, rates[active & (values == label)]) for label in keys]

    grade_names = [f"Grade {grade_label(g)}" if g else "No grade" for g in frame.grades]
    order = {f"Grade {grade_label(g)}": grade_rank(g) for g in frame.grades if g}
    by_grade = split(grade_names, lambda label: (order.get(label, 99), label))
    by_class = split([c or "No class" for c in frame.classes])
    groups = shown_groups(frame, active)
    by_group = [figure(name, rates[active][mask]) for name, mask in groups.items()]
    return GrowthTables(
        figure("All students who practiced", rates[active]),
        by_grade,
        by_class,
        by_group,
        hidden_groups(frame, active),
    )


@dataclass(frozen=True)
class EquityView:
    comparisons: list[Comparison]
    by_measure: dict[str, list[Comparison]]
    flagged: list[Comparison]
    practicing: int
    hidden: list[str]
    levels: list[tuple[str, Figure, Figure, Figure]]  # group, below, at, above


def equity_audit(frame: Frame) -> EquityView:
    """Every shown group against the rest on rigor (practice below, at, above grade), pace
    (mastery per week, pathway pace, days to grade-level mastery) and check-ins, corrected for
    all of them at once (Holm); pathway pace among students with a pathway, days to mastery
    among those who mastered a grade-level competency, each under the small-cell rule."""
    active = frame.practicing
    items = np.maximum(frame.items[active], 1)
    below, at, above = (x[active] / items for x in (frame.below, frame.at, frame.above))
    pace = growth_rates(frame)[active]
    pace = np.where(np.isnan(pace), 0.0, pace)
    groups = shown_groups(frame, active)
    pathway = frame.pathway_pace[active]
    has_pathway = pathway != PACE_NONE
    days = frame.days_to_mastery[active]
    reached = ~np.isnan(days)
    found = audit(
        means={
            BELOW: below,
            AT: at,
            ABOVE: above,
            PACE: pace,
            DAYS_TO_MASTERY: np.where(reached, days, 0.0),
        },
        shares={
            CHECKED_IN: frame.checked_in[active],
            PATHWAY_BEHIND: pathway == PACE_BEHIND,
            PATHWAY_AHEAD: pathway == PACE_AHEAD,
        },
        groups=groups,
        within={PATHWAY_BEHIND: has_pathway, PATHWAY_AHEAD: has_pathway, DAYS_TO_MASTERY: reached},
        min_shown=small_cell(),
    )
    by_measure: dict[str, list[Comparison]] = {}
    for c in found:
        by_measure.setdefault(c.measure, []).append(c)
    levels = [("All students who practiced", figure("", below), figure("", at), figure("", above))]
    levels += [
        (name, figure("", below[m]), figure("", at[m]), figure("", above[m]))
        for name, m in groups.items()
    ]
    return EquityView(
        comparisons=found,
        by_measure=by_measure,
        flagged=[c for c in found if c.flagged],
        practicing=int(active.sum()),
        hidden=hidden_groups(frame, active),
        levels=levels,
    )


def weekly_limit(scope: Scope) -> int:
    """The scope's weekly minutes limit: the school's own, else the district's, else 150."""
    orgs = [scope.school.pk] if scope.school else []
    orgs += list(Org.objects.filter(type=OrgType.DISTRICT).values_list("pk", flat=True)[:1])
    limits = dict(TimeLimit.objects.filter(org__in=orgs).values_list("org_id", "weekly_minutes"))
    for pk in orgs:
        if pk in limits:
            return int(limits[pk])
    return DEFAULT_WEEKLY_MINUTES


@dataclass(frozen=True)
class TimeRow:
    label: str
    per_week: Figure
    per_day: Figure
    alone_share: float | None  # share of practice minutes in weeks with no teacher contact
    over_limit: int | None  # students over the limit in the last 7 days (None: suppressed)
    n: int


def _time_row(label: str, frame: Frame, mask: NDArray[np.bool_], limit: int) -> TimeRow:
    recent = mask & (frame.week_minutes.sum(axis=1) > 0)
    minutes = frame.week_minutes[recent]
    per_week = minutes.sum(axis=1) / WEEKS_RECENT
    per_day = per_week / SCHOOL_DAYS_PER_WEEK
    n = int(recent.sum())
    if n < small_cell():
        return TimeRow(label, figure(label, per_week), figure(label, per_day), None, None, n)
    alone = float(minutes[~frame.week_contact[recent]].sum() / max(minutes.sum(), 1e-9))
    over = int((minutes[:, 0] > limit).sum())
    return TimeRow(label, figure(label, per_week), figure(label, per_day), alone, over, n)


def screen_time(frame: Frame, limit: int) -> tuple[TimeRow, list[TimeRow], list[TimeRow]]:
    """Minutes of practice per student (per week, per day practiced), the share of them in
    weeks with no teacher contact, and who went over the limit in the last 7 days: the whole
    scope, by class, by group."""
    everyone = np.ones(frame.ids.size, dtype=bool)
    recent = frame.week_minutes.sum(axis=1) > 0
    classes = sorted({c for c in frame.classes if c})
    labels = np.array(frame.classes, dtype=str)
    by_class = [_time_row(c, frame, labels == c, limit) for c in classes]
    shown = shown_groups(frame, recent)
    by_group = [
        _time_row(name, frame, frame.groups[name], limit) for name in shown if name in frame.groups
    ]
    return _time_row("All students", frame, everyone, limit), by_class, by_group


def changes_list() -> QuerySet[Change]:
    return Change.objects.prefetch_related("classes")


@dataclass(frozen=True)
class ChangeResult:
    result: DidResult
    weeks: int
    too_early: bool


def change_result(change: Change, *, today: dt.date) -> ChangeResult:
    """Difference in differences of each student's competencies mastered per week, ``weeks``
    before against up to ``weeks`` after the start; touched: the students of its classes."""
    start = dt.datetime.combine(change.start_date, dt.time(0, 0), tzinfo=dt.UTC)
    now = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.UTC)
    weeks_after = max(0, min(change.weeks, (now - start).days // 7))
    begin = start - dt.timedelta(weeks=change.weeks)
    end = start + dt.timedelta(weeks=weeks_after)

    def side(field: str) -> Case:
        return Case(
            When(Q(**{f"{field}__gte": begin, f"{field}__lt": start}), then=Value(0)),
            When(Q(**{f"{field}__gte": start, f"{field}__lt": end}), then=Value(1)),
            default=Value(-1),
            output_field=IntegerField(),
        )

    practiced: dict[int, set[int]] = {}
    for student_id, half in (
        _practice()
        .filter(timestamp__gte=begin, timestamp__lt=end)
        .annotate(half=side("timestamp"))
        .values_list("actor_id", "half")
        .order_by()  # no model ordering: DISTINCT must not take its columns in
        .distinct()
    ):
        practiced.setdefault(student_id, set()).add(half)
    counts: dict[tuple[int, int], int] = {}
    for student_id, half, count in (
        StateChange.objects.filter(
            at__gte=begin, at__lt=end, p_before__lt=MASTERED_AT, p_after__gte=MASTERED_AT
        )
        .annotate(half=side("at"))
        .values_list("state__student_id", "half")
        .annotate(count=Count("state__competency_id", distinct=True))
    ):
        counts[(student_id, half)] = count
    touched = set(
        Enrollment.objects.filter(
            school_class__in=change.classes.all(), role=EnrollmentRole.STUDENT
        ).values_list("user_id", flat=True)
    )
    both = [s for s, halves in practiced.items() if {0, 1} <= halves]
    sides: Mapping[bool, list[int]] = {
        True: [s for s in both if s in touched],
        False: [s for s in both if s not in touched],
    }
    arrays = []
    for flag in (True, False):
        for half, weeks in ((0, change.weeks), (1, max(weeks_after, 1))):
            arrays.append(np.array([counts.get((s, half), 0) / weeks for s in sides[flag]]))
    result = difference_in_differences(
        *arrays, smallest_effect=SMALLEST_EFFECT, min_group=small_cell()
    )
    return ChangeResult(result, weeks_after, weeks_after == 0)
