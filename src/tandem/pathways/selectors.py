"""Reads of pathways: the plan as pages show it (step status, time estimates, pace against the
course calendar), the history of changes, and the competencies on a student's plan."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, F, FloatField, OuterRef, QuerySet, Subquery, Sum, When
from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext

from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.mastery.constants import Status
from tandem.mastery.models import StateChange
from tandem.mastery.rules import MASTERED_AT, MIN_EVIDENCE
from tandem.mastery.selectors import MasteryView, mastery_for_student
from tandem.pathways.constants import (
    DEFAULT_ANSWERS_TO_MASTERY,
    DEFAULT_MINUTES_PER_ANSWER,
    ESTIMATE_CACHE_SECONDS,
    MAX_MINUTES_PER_ANSWER,
    MIN_ESTIMATE_SAMPLES,
    PACE_TOLERANCE,
    SCHOOL_YEAR_END,
    SCHOOL_YEAR_START,
    STEP_ICONS,
    Pace,
    PathwayStatus,
    StepKind,
    StepStatus,
)
from tandem.pathways.models import Pathway, PathwayEvent, PathwayStep, PathwayTarget
from tandem.pathways.rules import swap_allowed
from tandem.roster.constants import EnrollmentRole, grade_rank
from tandem.roster.models import AcademicSession, User
from tandem.rows import ValuesQuery, model_field

# Statuses that count as mastered for a plan: a competency due for review was still learnt.
MASTERED_STATUSES = frozenset({Status.MASTERED, Status.NEEDS_REVIEW})


# ---------- the inputs every plan is computed from ----------


@dataclass(frozen=True)
class PlanInputs:
    """What the rules need about one student: the practisable competencies, the prerequisite
    graph among them, and what the student has mastered and is learning now."""

    practisable: dict[int, Competency]
    prerequisites: dict[int, set[int]]
    mastery: dict[int, MasteryView]

    @property
    def mastered(self) -> set[int]:
        return {cid for cid, view in self.mastery.items() if view.status in MASTERED_STATUSES}

    def tie(self, competency_id: int) -> tuple[int, int]:
        competency = self.practisable[competency_id]
        return (competency.grade_rank, competency.list_order)


def plan_inputs(*, student_id: int, now: dt.datetime) -> PlanInputs:
    practisable = practisable_competencies()
    # Prerequisites outside the practisable set cannot be steps: the plan leaves them out.
    prerequisites = {
        cid: {p for p in needs if p in practisable}
        for cid, needs in prerequisites_map(practisable.keys()).items()
        if cid in practisable
    }
    mastery = mastery_for_student(student_id=student_id, now=now)
    return PlanInputs(practisable, prerequisites, mastery)


def default_target_ids(*, student: User, practisable: Mapping[int, Competency]) -> set[int]:
    """The course's standards for the year: the practisable competencies of the student's grade."""
    if not student.grade:
        return set()
    rank = grade_rank(student.grade)
    return {cid for cid, competency in practisable.items() if competency.grade_rank == rank}


# ---------- time estimates from the evidence log ----------


@dataclass(frozen=True)
class TimeEstimate:
    """How long mastering one competency takes: answers and minutes of practice."""

    answers: int
    minutes: int
    samples: int  # students on this installation who reached mastery on it
    from_evidence: bool

    @property
    def basis(self) -> str:
        if self.from_evidence:
            return gettext("the median of %(n)s students here who mastered it") % {
                "n": self.samples
            }
        return gettext("a typical default, until more students here have mastered it")


def _minutes_per_answer_ms() -> tuple[int, int]:
    return round(DEFAULT_MINUTES_PER_ANSWER * 60_000), round(MAX_MINUTES_PER_ANSWER * 60_000)


def _measure_mastery_runs() -> dict[int, tuple[float, float, int]]:
    """``{competency_id: (median answers, median minutes, students)}`` over the installation.

    For every learner state that ever reached the mastery threshold: how many statements moved
    it up to and including the first one that took it over, and how long those answers took
    (recorded durations, each capped; a missing one counts as the default). The mastery rule
    also asks for ``MIN_EVIDENCE`` answers, so a run is never counted shorter than that.
    """
    default_ms, cap_ms = _minutes_per_answer_ms()
    first_mastery = (
        StateChange.objects.filter(state_id=OuterRef("state_id"), p_after__gte=MASTERED_AT)
        .order_by("at", "pk")
        .values("at")[:1]
    )
    duration = Case(
        When(statement__result_duration_ms__isnull=True, then=default_ms),
        When(statement__result_duration_ms__gt=cap_ms, then=cap_ms),
        default=F("statement__result_duration_ms"),
        output_field=FloatField(),
    )
    rows = (
        StateChange.objects.filter(
            state__competency_id__in=list(practisable_competencies()),
            at__lte=Subquery(first_mastery),
        )
        .order_by()
        .values("state_id", "state__competency_id")
        .annotate(answers=Count("pk"), ms=Sum(duration))
    )
    runs: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for row in rows:
        answers = max(int(row["answers"]), MIN_EVIDENCE)
        runs[row["state__competency_id"]].append((answers, float(row["ms"] or 0) / 60_000))
    return {
        cid: (
            statistics.median(a for a, _ in values),
            statistics.median(m for _, m in values),
            len(values),
        )
        for cid, values in runs.items()
    }


MEDIANS_CACHE_KEY = "pathways:mastery-medians:v1"


def competency_time_estimates(*, competency_ids: Iterable[int]) -> dict[int, TimeEstimate]:
    """An estimate for each competency: installation medians where enough students have
    mastered it (``MIN_ESTIMATE_SAMPLES``), else the documented default."""
    medians: dict[int, tuple[float, float, int]] = (
        cache.get_or_set(MEDIANS_CACHE_KEY, _measure_mastery_runs, ESTIMATE_CACHE_SECONDS) or {}
    )
    default = TimeEstimate(
        answers=DEFAULT_ANSWERS_TO_MASTERY,
        minutes=round(DEFAULT_ANSWERS_TO_MASTERY * DEFAULT_MINUTES_PER_ANSWER),
        samples=0,
        from_evidence=False,
    )
    estimates = {}
    for cid in competency_ids:
        answers, minutes, samples = medians.get(cid, (0, 0, 0))
        if samples >= MIN_ESTIMATE_SAMPLES:
            estimates[cid] = TimeEstimate(
                answers=max(1, math.ceil(answers)),
                minutes=max(1, round(minutes)),
                samples=samples,
                from_evidence=True,
            )
        else:
            estimates[cid] = TimeEstimate(
                default.answers, default.minutes, samples, from_evidence=False
            )
    return estimates


def remaining_estimate(estimate: TimeEstimate, view: MasteryView | None) -> TimeEstimate:
    """What is left of ``estimate`` for a student who has already answered some.

    Someone still learning after the usual number of answers is not nearly done, so what is
    left never drops below a third of the usual.
    """
    if view is None or view.n_attempts == 0:
        return estimate
    floor = math.ceil(estimate.answers / 3)
    answers = max(estimate.answers - view.n_attempts, floor)
    minutes = max(1, round(estimate.minutes * answers / estimate.answers))
    return TimeEstimate(answers, minutes, estimate.samples, estimate.from_evidence)


def duration_words(minutes: int) -> str:
    """12 → "about 12 min"; 95 → "about 1 h 35 min"; 600 → "about 10 h"."""
    if minutes < 60:
        return gettext("about %(minutes)s min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours >= 5:
        return gettext("about %(hours)s h") % {"hours": round(minutes / 60)}
    if rest:
        return gettext("about %(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    return gettext("about %(hours)s h") % {"hours": hours}


# ---------- pace against the course calendar ----------


@dataclass(frozen=True)
class Calendar:
    title: str
    start: dt.date
    end: dt.date
    from_roster: bool

    def elapsed(self, today: dt.date) -> float:
        """The share of the calendar gone by on ``today``, between 0 and 1."""
        span = (self.end - self.start).days
        if span <= 0:
            return 1.0 if today >= self.end else 0.0
        return min(max((today - self.start).days / span, 0.0), 1.0)


def default_school_year(today: dt.date) -> Calendar:
    """15 August to 15 June of the school year ``today`` falls in (summer counts as its end)."""
    start_month, start_day = SCHOOL_YEAR_START
    end_month, end_day = SCHOOL_YEAR_END
    year = today.year if (today.month, today.day) >= SCHOOL_YEAR_START else today.year - 1
    return Calendar(
        title=gettext("the school year %(years)s") % {"years": f"{year}–{str(year + 1)[-2:]}"},
        start=dt.date(year, start_month, start_day),
        end=dt.date(year + 1, end_month, end_day),
        from_roster=False,
    )


def course_calendar(*, student_id: int, now: dt.datetime) -> Calendar:
    """The academic session of the student's classes that contains today (the longest, if
    several do, so a school year wins over one of its terms); else the default school year."""
    today = timezone.localdate(now)
    sessions = AcademicSession.objects.filter(
        classes__enrollments__user_id=student_id,
        classes__enrollments__role=EnrollmentRole.STUDENT,
        start_date__lte=today,
        end_date__gte=today,
    ).distinct()
    best = max(sessions, key=lambda s: ((s.end_date - s.start_date).days, -s.pk), default=None)
    if best is None:
        return default_school_year(today)
    return Calendar(best.title, best.start_date, best.end_date, from_roster=True)


@dataclass(frozen=True)
class PaceView:
    pace: Pace | None  # None when the plan has no steps
    done: int
    total: int
    elapsed: float
    calendar: Calendar

    @property
    def done_fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def done_percent(self) -> int:
        return round(self.done_fraction * 100)

    @property
    def elapsed_percent(self) -> int:
        return round(self.elapsed * 100)

    @property
    def label(self) -> str:
        return str(self.pace.label) if self.pace else gettext("No steps yet")


def pace_for(*, done: int, total: int, calendar: Calendar, today: dt.date) -> PaceView:
    """Ahead, on track or behind: the share of steps done against the share of the calendar
    gone by, within ``PACE_TOLERANCE`` either way."""
    elapsed = calendar.elapsed(today)
    if total == 0:
        return PaceView(None, 0, 0, elapsed, calendar)
    gap = done / total - elapsed
    if gap > PACE_TOLERANCE:
        pace = Pace.AHEAD
    elif gap < -PACE_TOLERANCE:
        pace = Pace.BEHIND
    else:
        pace = Pace.ON_TRACK
    return PaceView(pace, done, total, elapsed, calendar)


def _day(day: dt.date) -> str:
    return dateformat.format(day, "M j, Y")


def pace_sentence(view: PaceView, *, subject: str, second_person: bool) -> str:
    """The pace in words, e.g. "You have done 12 of 30 steps (40%), and 35% of the school year
    2025–26 has gone by (15 Aug 2025 to 15 Jun 2026): you are on track."."""
    if view.pace is None:
        if second_person:
            return gettext("You have no steps on the plan yet.")
        return gettext("%(name)s has no steps on the plan yet.") % {"name": subject}
    calendar = view.calendar
    values = {
        "name": subject,
        "done": view.done,
        "total": view.total,
        "done_percent": view.done_percent,
        "elapsed_percent": view.elapsed_percent,
        "calendar": calendar.title,
        "start": _day(calendar.start),
        "end": _day(calendar.end),
    }
    if second_person:
        facts = ngettext(
            "You have done %(done)s of %(total)s step (%(done_percent)s%%), and "
            "%(elapsed_percent)s%% of %(calendar)s has gone by (%(start)s to %(end)s)",
            "You have done %(done)s of %(total)s steps (%(done_percent)s%%), and "
            "%(elapsed_percent)s%% of %(calendar)s has gone by (%(start)s to %(end)s)",
            view.total,
        )
        verdicts = {
            Pace.AHEAD: gettext("you are ahead of the calendar."),
            Pace.BEHIND: gettext("you are behind the calendar."),
        }
        on_track = gettext("you are on track.")
    else:
        facts = ngettext(
            "%(name)s has done %(done)s of %(total)s step (%(done_percent)s%%), and "
            "%(elapsed_percent)s%% of %(calendar)s has gone by (%(start)s to %(end)s)",
            "%(name)s has done %(done)s of %(total)s steps (%(done_percent)s%%), and "
            "%(elapsed_percent)s%% of %(calendar)s has gone by (%(start)s to %(end)s)",
            view.total,
        )
        verdicts = {
            Pace.AHEAD: gettext("they are ahead of the calendar."),
            Pace.BEHIND: gettext("they are behind the calendar."),
        }
        on_track = gettext("they are on track.")
    return f"{facts % values}: {verdicts.get(view.pace, on_track)}"


# ---------- the plan as pages show it ----------


@dataclass(frozen=True)
class StepView:
    step: PathwayStep
    number: int  # 1-based
    status: StepStatus
    competency: Competency | None
    mastery: MasteryView | None
    target: PathwayTarget | None
    blocked_by: list[Competency]
    estimate: TimeEstimate | None  # what is left; None for projects
    practises: list[Competency]
    can_move_up: bool
    can_move_down: bool

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def icon(self) -> str:
        return STEP_ICONS[self.status]

    @property
    def is_project(self) -> bool:
        return self.step.kind == StepKind.PROJECT

    @property
    def is_done(self) -> bool:
        return self.status == StepStatus.DONE

    @property
    def name(self) -> str:
        return self.step.title if self.competency is None else self.competency.code

    @property
    def estimate_words(self) -> str:
        if self.estimate is None or self.is_done:
            return ""
        return duration_words(self.estimate.minutes)


@dataclass(frozen=True)
class PathwayView:
    pathway: Pathway
    steps: list[StepView]
    targets: list[PathwayTarget]
    pace: PaceView
    remaining_minutes: int
    open_projects: int
    estimates_from_evidence: bool
    practisable: dict[int, Competency]

    @property
    def is_approved(self) -> bool:
        return self.pathway.status == PathwayStatus.APPROVED

    @property
    def remaining_words(self) -> str:
        return duration_words(self.remaining_minutes)

    @property
    def target_ids(self) -> set[int]:
        return {t.competency_id for t in self.targets}

    @property
    def offered_targets(self) -> list[Competency]:
        """Practisable competencies of every grade that are not targets yet."""
        chosen = self.target_ids
        return [c for cid, c in self.practisable.items() if cid not in chosen]

    @property
    def step_competencies(self) -> list[Competency]:
        return [s.competency for s in self.steps if s.competency is not None]


def _step_status(
    step: PathwayStep, inputs: PlanInputs, mastered: set[int]
) -> tuple[StepStatus, list[int]]:
    if step.kind == StepKind.PROJECT:
        return (StepStatus.DONE if step.completed_at else StepStatus.READY), []
    assert step.competency_id is not None
    cid = step.competency_id
    blockers = sorted(
        (p for p in inputs.prerequisites.get(cid, ()) if p not in mastered), key=inputs.tie
    )
    if cid in mastered:
        return StepStatus.DONE, []
    view = inputs.mastery.get(cid)
    if view is not None and view.n_attempts > 0:
        return StepStatus.IN_PROGRESS, blockers
    return (StepStatus.LOCKED if blockers else StepStatus.READY), blockers


def _key(step: PathwayStep) -> int | tuple[str, int]:
    return step.competency_id if step.competency_id is not None else ("project", step.pk)


def pathway_view(*, student: User, now: dt.datetime) -> PathwayView | None:
    """The student's plan with the status, time left and movability of each step, and the
    pace; None if the student has no pathway yet."""
    pathway = Pathway.objects.filter(student=student).select_related("approved_by").first()
    if pathway is None:
        return None
    inputs = plan_inputs(student_id=student.pk, now=now)
    mastered = inputs.mastered
    steps = list(
        pathway.steps.select_related("competency", "added_by").prefetch_related("practises")
    )
    targets = list(
        pathway.targets.filter(removed_at__isnull=True)
        .select_related("competency", "added_by")
        .order_by("competency__grade_rank", "competency__list_order")
    )
    by_competency = {t.competency_id: t for t in targets}
    competency_ids = [s.competency_id for s in steps if s.competency_id is not None]
    estimates = competency_time_estimates(competency_ids=competency_ids)
    comps = {s.competency_id: s.competency for s in steps if s.competency is not None}
    comps |= {cid: c for cid, c in inputs.practisable.items() if cid not in comps}
    prerequisites = {_key(s): inputs.prerequisites.get(s.competency_id or 0, set()) for s in steps}
    keys = [_key(s) for s in steps]
    statuses = [_step_status(s, inputs, mastered) for s in steps]

    def movable(i: int, j: int) -> bool:
        """Whether the unfinished step ``i`` may trade places with its neighbour ``j``."""
        if not 0 <= j < len(steps) or statuses[j][0] == StepStatus.DONE:
            return False
        first, second = (keys[j], keys[i]) if j < i else (keys[i], keys[j])
        return swap_allowed(first, second, prerequisites=prerequisites, mastered=mastered)

    views = []
    remaining = 0
    for i, step in enumerate(steps):
        status, blockers = statuses[i]
        cid = step.competency_id
        view = inputs.mastery.get(cid) if cid is not None else None
        estimate = None
        if cid is not None and status != StepStatus.DONE:
            estimate = remaining_estimate(estimates[cid], view)
            remaining += estimate.minutes
        unfinished = status != StepStatus.DONE
        views.append(
            StepView(
                step=step,
                number=i + 1,
                status=status,
                competency=step.competency,
                mastery=view,
                target=by_competency.get(cid) if cid is not None else None,
                blocked_by=[comps[b] for b in blockers if b in comps],
                estimate=estimate,
                practises=sorted(step.practises.all(), key=lambda c: (c.grade_rank, c.list_order)),
                can_move_up=unfinished and movable(i, i - 1),
                can_move_down=unfinished and movable(i, i + 1),
            )
        )
    done = sum(1 for v in views if v.is_done)
    calendar = course_calendar(student_id=student.pk, now=now)
    pace = pace_for(done=done, total=len(views), calendar=calendar, today=timezone.localdate(now))
    return PathwayView(
        pathway=pathway,
        steps=views,
        targets=targets,
        pace=pace,
        remaining_minutes=remaining,
        open_projects=sum(1 for v in views if v.is_project and not v.is_done),
        estimates_from_evidence=any(
            v.estimate is not None and v.estimate.from_evidence for v in views
        ),
        practisable=inputs.practisable,
    )


def pathway_events(*, pathway_id: int, limit: int = 100) -> QuerySet[PathwayEvent]:
    """The history of a pathway, newest first."""
    return PathwayEvent.objects.filter(pathway_id=pathway_id).select_related("actor")[:limit]


# Read on every practice request: SQL written once (tandem/rows.py), no query building.
_PATHWAY_STEPS = ValuesQuery(
    f"SELECT p.id, s.kind, s.competency_id FROM {Pathway._meta.db_table} p"
    f" LEFT OUTER JOIN {PathwayStep._meta.db_table} s ON s.pathway_id = p.id"
    " WHERE p.student_id = %s",
    [
        model_field(Pathway, "id"),
        model_field(PathwayStep, "kind"),
        model_field(PathwayStep, "competency_id"),
    ],
)


def pathway_competency_ids(*, student_id: int) -> set[int] | None:
    """The competencies on the student's pathway (its competency steps, done ones included),
    or None if the student has no pathway. The practice policy prefers these. One query: the
    pathway joined to its steps (a pathway without steps gives one row of Nones)."""
    rows = _PATHWAY_STEPS.rows([student_id])
    if not rows:
        return None
    return {
        competency_id
        for _, kind, competency_id in rows
        if kind == StepKind.COMPETENCY and competency_id is not None
    }
