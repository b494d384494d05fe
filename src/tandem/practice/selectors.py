"""Reads for practice: what a student can practice next, their own progress, and written
questions with their answers and scores."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

import tandem_engine
from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.content.models import Item, ItemKind
from tandem.content.selectors import practisable_competencies
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.rules import READY_PREREQUISITE_AT, school_day
from tandem.mastery.selectors import MasteryView, mastery_for_student
from tandem.mastery.services import ActiveParameters, active_parameters, initial_p_mastery
from tandem.pathways.selectors import pathway_competency_ids
from tandem.placement.selectors import placement_estimates
from tandem.practice.models import Attempt, WrittenAnswer, WrittenScore
from tandem.practice.policy import (
    CHOSEN_REASON_PREFIX,
    DIFFICULTY_LOGIT_STEP,
    DIFFICULTY_STEP_BOUNDS,
    MAX_SAME_IN_RECENT,
    REVIEW_REASONS,
    REVIEW_SHARE,
    Candidate,
)
from tandem.roster.constants import EnrollmentRole, grade_rank
from tandem.roster.models import SchoolClass, User
from tandem.roster.selectors import student_class_id
from tandem.rows import ValuesQuery, model_field


def recent_competency_ids(*, student_id: int, limit: int = 10) -> list[int]:
    return [pick.competency_id for pick in recent_picks(student_id=student_id, limit=limit)]


@dataclass(frozen=True)
class RecentPick:
    competency_id: int
    difficulty: int
    reason: str
    chosen: bool = False  # the student (or an LMS link) chose the competency


# How many recent picks the policy looks at: the caps below count within them.
RECENT_PICKS = 10


# Read on every practice request: SQL written once (tandem/rows.py), no query building.
_RECENT_PICKS = ValuesQuery(
    f"SELECT a.competency_id, i.difficulty, a.reason FROM {Attempt._meta.db_table} a"
    f" INNER JOIN {Item._meta.db_table} i ON i.id = a.item_id"
    " WHERE a.student_id = %s ORDER BY a.presented_at DESC LIMIT %s",
    [
        model_field(Attempt, "competency_id"),
        model_field(Item, "difficulty"),
        model_field(Attempt, "reason"),
    ],
)


def recent_picks(*, student_id: int, limit: int = RECENT_PICKS) -> list[RecentPick]:
    """The last items given to the student, newest first."""
    return [
        RecentPick(cid, difficulty, reason, reason.startswith(CHOSEN_REASON_PREFIX))
        for cid, difficulty, reason in _RECENT_PICKS.rows([student_id, limit])
    ]


def picks_since_review(picks: list[RecentPick]) -> int:
    """How many of ``picks`` (newest first) came after the last spaced review."""
    for n, pick in enumerate(picks):
        if pick.reason in REVIEW_REASONS:
            return n
    return len(picks)


def review_allowed(picks: list[RecentPick]) -> bool:
    """Whether a review may come next without reviews passing REVIEW_SHARE of recent items."""
    reviews = sum(pick.reason in REVIEW_REASONS for pick in picks)
    return (reviews + 1) <= REVIEW_SHARE * (len(picks) + 1) or (not picks and REVIEW_SHARE >= 1)


def over_served_removed(candidates: list[Candidate], picks: list[RecentPick]) -> list[Candidate]:
    """The candidates less those given MAX_SAME_IN_RECENT times in the recent items (unless
    the student chose them); all of them if that would leave none."""
    counts = Counter(pick.competency_id for pick in picks[: RECENT_PICKS - 1] if not pick.chosen)
    kept = [c for c in candidates if counts[c.competency_id] < MAX_SAME_IN_RECENT]
    return kept or candidates


def _placed_prerequisites(
    *, student_id: int, mastery: dict[int, MasteryView], prereqs: dict[int, set[int]]
) -> dict[int, float]:
    """Where the student's diagnostic placed the prerequisites that have no learner state."""
    unassessed = {q for needed in prereqs.values() for q in needed if q not in mastery}
    if not unassessed:
        return {}
    return placement_estimates(student_id=student_id, competency_ids=unassessed)


def _readiness(
    practisable: dict[int, Competency],
    mastery: dict[int, MasteryView],
    prereqs: dict[int, set[int]] | None = None,
    placed: Mapping[int, float] | None = None,
) -> dict[int, bool]:
    """Whether each practisable competency's direct prerequisites are all met: each one's
    learner state at READY_PREREQUISITE_AT, else where the diagnostic placed it at
    PLACED_KNOWN_AT.

    A prerequisite without items counts too when something is known about it: it cannot be
    practised here, and a competency that builds on an unknown one is out of reach whatever
    its own estimate says. One that nothing is known about (no items, no state, no diagnostic)
    is not held against it; a practisable one without a state is unmet.
    """
    if prereqs is None:
        prereqs = prerequisites_map(practisable.keys())
    placed = placed or {}

    def met(p: int) -> bool | None:
        view = mastery.get(p)
        if view is not None:
            return view.p_mastery >= READY_PREREQUISITE_AT
        estimate = placed.get(p)
        if estimate is None:
            return False if p in practisable else None
        return estimate >= PLACED_KNOWN_AT

    return {
        cid: all(ok is not False for ok in map(met, prereqs.get(cid, set()))) for cid in practisable
    }


# A prerequisite without a learner state that the diagnostic placed at this or above counts as
# known: met for readiness, and no gap to fill (and nor is anything below it). The diagnostic
# seeds a learner state only from the mastery line (0.95); below it, a standard it placed at
# 0.8-0.95 used to count as an open gap, to be practised until mastered before anything built
# on it, although most such students know it. In the classroom simulation (400 students,
# bench/classroom.py) this cut the items spent on earlier-grade standards already known, and
# own-grade standards learned per 100 items rose from 0.34 to 0.39 (README, Benchmarks).
PLACED_KNOWN_AT = 0.8
# A prerequisite in one of these states is no gap to fill.
MASTERED_STATUSES = frozenset({Status.MASTERED, Status.NEEDS_REVIEW, Status.PROBABLY_MASTERED})


def _gaps_below(
    targets: set[int],
    practisable: dict[int, Competency],
    mastery: dict[int, MasteryView],
    prereqs: dict[int, set[int]],
    placed: Mapping[int, float] | None = None,
) -> set[int]:
    """Unmastered prerequisites (and theirs, transitively) of the unmastered targets; one
    without a learner state that the diagnostic placed as known is none."""
    placed = placed or {}

    def mastered(cid: int) -> bool:
        view = mastery.get(cid)
        if view is None:
            return placed.get(cid, 0.0) >= PLACED_KNOWN_AT
        return view.status in MASTERED_STATUSES

    gaps: set[int] = set()
    frontier = [cid for cid in targets if not mastered(cid)]
    while frontier:
        cid = frontier.pop()
        for prerequisite in prereqs.get(cid, ()):
            if (
                prerequisite in practisable
                and prerequisite not in gaps
                and not mastered(prerequisite)
            ):
                gaps.add(prerequisite)
                frontier.append(prerequisite)
    return gaps - targets


def practice_candidates(
    *,
    student_id: int,
    now: dt.datetime,
    mastery: dict[int, MasteryView] | None = None,
    student_grade_rank: int | None = None,
    student_grade: str = "",
) -> list[Candidate]:
    practisable = practisable_competencies()
    if mastery is None:
        mastery = mastery_for_student(student_id=student_id, now=now)
    prereqs = prerequisites_map(practisable.keys())
    placed = _placed_prerequisites(student_id=student_id, mastery=mastery, prereqs=prereqs)
    ready = _readiness(practisable, mastery, prereqs, placed)
    active = active_parameters()
    pathway = pathway_competency_ids(student_id=student_id)
    if pathway is not None:
        targets = {cid for cid in pathway if cid in practisable}
    elif student_grade_rank is not None:
        targets = {cid for cid, c in practisable.items() if c.grade_rank == student_grade_rank}
    else:
        targets = set()
    gaps = _gaps_below(targets, practisable, mastery, prereqs, placed)
    comps = list(practisable.values())
    views = [mastery.get(c.pk) for c in comps]
    p_mastery = [
        view.p_mastery
        if view
        else initial_p_mastery(
            active,
            comp.human_coding_scheme,
            competency_grade_rank=comp.grade_rank,
            student_grade=student_grade,
        )
        for comp, view in zip(comps, views, strict=True)
    ]
    p_correct = predicted_success(
        active, comps=comps, views=views, p_mastery=p_mastery, mastery=mastery, now=now
    )
    candidates = []
    for comp, view, p, p_right in zip(comps, views, p_mastery, p_correct, strict=True):
        cid = comp.pk
        candidates.append(
            Candidate(
                competency_id=cid,
                code=comp.human_coding_scheme,
                grade_rank=comp.grade_rank,
                p_mastery=p,
                p_correct=p_right,
                status=view.status if view else Status.NOT_STARTED,
                ready=ready[cid],
                last_practised=view.last_evidence_at if view else None,
                n_attempts=view.n_attempts if view else 0,
                n_correct=view.n_correct if view else 0,
                on_pathway=None if pathway is None else cid in pathway,
                target=cid in targets,
                gap=cid in gaps,
                check_due=bool(
                    view is not None
                    and view.status == Status.PROBABLY_MASTERED
                    and view.last_evidence_at is not None
                    and school_day(view.last_evidence_at) < school_day(now)
                ),
            )
        )
    return candidates


def predicted_success(
    active: ActiveParameters,
    *,
    comps: list[Competency],
    views: list[MasteryView | None],
    p_mastery: list[float],
    mastery: dict[int, MasteryView],
    now: dt.datetime,
) -> list[float]:
    """P(correct) on a middle-difficulty item of each competency: the live predictor fitted by
    calibration (stored counts, time since practice, the estimate, the student's totals) when
    the active parameter set has one, else BKT's own prediction from the estimate."""
    if active.live is None:
        return [
            tandem_engine.predict_correct(p, active.for_code(comp.human_coding_scheme))
            for comp, p in zip(comps, p_mastery, strict=True)
        ]
    right = np.array([view.n_correct if view else 0 for view in views], dtype=np.float64)
    attempts = np.array([view.n_attempts if view else 0 for view in views], dtype=np.float64)
    days = np.array(
        [
            (now - view.last_evidence_at).total_seconds() / 86_400
            if view is not None and view.last_evidence_at is not None
            else np.nan
            for view in views
        ],
        dtype=np.float64,
    )
    total_right = float(sum(view.n_correct for view in mastery.values()))
    total_attempts = float(sum(view.n_attempts for view in mastery.values()))
    predicted = active.live.predict(
        [comp.human_coding_scheme for comp in comps],
        right,
        attempts - right,
        np.maximum(days, 0.0),
        np.asarray(p_mastery, dtype=np.float64),
        total_right,
        total_attempts - total_right,
    )
    return [float(p) for p in predicted]


def difficulty_step(active: ActiveParameters) -> float:
    """How much one difficulty step away from the middle moves the log-odds of success: the
    effect the school's calibration fitted on the answers to the items the policy served (its
    live predictor's recalibration), held within DIFFICULTY_STEP_BOUNDS; else the default.

    In the classroom simulation (400 students, bench/classroom.py, README "Benchmarks")
    calibration fitted about 0.25 against the default of 0.7. With it, predicted success on
    the items served came out better calibrated (ECE 0.025 -> 0.016, AUC 0.61 -> 0.64) and
    own-grade standards learned per 100 items rose from 0.61 to 0.69. The fitted effect is
    what a step does among the items this policy serves (it gives hard items to students it
    expects to succeed), not on a random item; the bounds keep the three difficulties apart
    whatever a small school's fit says.
    """
    live = active.live
    coef = live.recalibration.difficulty_coef if live is not None else 0.0
    if not coef:
        return DIFFICULTY_LOGIT_STEP
    low, high = DIFFICULTY_STEP_BOUNDS
    return min(max(-coef, low), high)


@dataclass(frozen=True)
class PracticeSituation:
    """Everything the policy needs to choose a student's next item, read in a few queries."""

    candidates: list[Candidate]
    recent: list[RecentPick]
    answered: int  # answers behind the student's estimates (seeds the choice)
    school_class_id: int | None
    competencies: dict[int, Competency]
    difficulty_step: float = DIFFICULTY_LOGIT_STEP


def practice_situation(*, student: User, now: dt.datetime) -> PracticeSituation:
    mastery = mastery_for_student(student_id=student.pk, now=now)
    candidates = practice_candidates(
        student_id=student.pk,
        now=now,
        mastery=mastery,
        student_grade_rank=grade_rank(student.grade) if student.grade else None,
        student_grade=student.grade or "",
    )
    school_class_id = student_class_id(student_id=student.pk)
    return PracticeSituation(
        candidates=candidates,
        recent=recent_picks(student_id=student.pk),
        answered=sum(view.n_attempts for view in mastery.values()),
        school_class_id=school_class_id,
        competencies=practisable_competencies(),
        difficulty_step=difficulty_step(active_parameters()),
    )


@dataclass(frozen=True)
class StudentOverview:
    working_on: list[tuple[Competency, MasteryView]]
    ready_next: list[Competency]
    mastered: list[tuple[Competency, MasteryView]]
    needs_review: list[tuple[Competency, MasteryView]]
    daily: list[tuple[dt.date, int, int]]  # (day, answers, correct) over the last 14 days


def student_overview(*, student_id: int, now: dt.datetime, days: int = 14) -> StudentOverview:
    """What the student home page shows: current work, what is ready next, mastery, progress."""
    practisable = practisable_competencies()
    mastery = mastery_for_student(student_id=student_id, now=now)
    comps = {c.pk: c for c in Competency.objects.filter(pk__in=mastery.keys())} | practisable
    prereqs = prerequisites_map(practisable.keys())
    placed = _placed_prerequisites(student_id=student_id, mastery=mastery, prereqs=prereqs)
    ready = _readiness(practisable, mastery, prereqs, placed)
    working, mastered, review = [], [], []
    for cid, view in mastery.items():
        pair = (comps[cid], view)
        if view.status == Status.MASTERED:
            mastered.append(pair)
        elif view.status == Status.NEEDS_REVIEW:
            review.append(pair)
        elif view.status in (Status.LEARNING, Status.PROBABLY_MASTERED):
            working.append(pair)
    working.sort(key=lambda p: p[1].last_evidence_at or now, reverse=True)
    mastered.sort(key=lambda p: (p[0].grade_rank, p[0].list_order))
    ready_next = sorted(
        (practisable[cid] for cid, ok in ready.items() if ok and cid not in mastery),
        key=lambda c: (c.grade_rank, c.list_order),
    )
    since = now - dt.timedelta(days=days)
    rows = Statement.objects.filter(actor_id=student_id, timestamp__gte=since).values_list(
        "timestamp", "result_success"
    )
    answers: Counter[dt.date] = Counter()
    correct: Counter[dt.date] = Counter()
    for timestamp, success in rows:
        day = timestamp.date()
        answers[day] += 1
        correct[day] += int(bool(success))
    daily = [
        (d, answers[d], correct[d])
        for d in (now.date() - dt.timedelta(days=i) for i in range(days - 1, -1, -1))
    ]
    return StudentOverview(working, ready_next, mastered, review, daily)


# ---------- written questions ----------


def written_items_for_student(*, student: User) -> list[Item]:
    """Written questions the student has not answered, aligned to a competency on their pathway
    (which may lie beyond their grade) or at their grade or below."""
    pathway = pathway_competency_ids(student_id=student.pk) or set()
    items = Item.objects.filter(kind=ItemKind.EXTENDED_TEXT).exclude(
        written_answers__student=student
    )
    items = items.filter(
        Q(competencies__in=pathway) | Q(competencies__grade_rank__lte=grade_rank(student.grade))
    )
    return list(
        items.distinct().prefetch_related("competencies").order_by("difficulty", "created_at", "pk")
    )


def written_item_for_student(*, student: User, item_id: int) -> Item | None:
    """One written question the student may answer now, or None."""
    return next((i for i in written_items_for_student(student=student) if i.pk == item_id), None)


@dataclass(frozen=True)
class WrittenAnswerView:
    answer: WrittenAnswer
    score: WrittenScore | None  # the newest score; None while waiting for the teacher

    @property
    def waiting(self) -> bool:
        return self.score is None


def _with_latest_scores(answers: list[WrittenAnswer]) -> list[WrittenAnswerView]:
    latest: dict[object, WrittenScore] = {}
    scores = (
        WrittenScore.objects.filter(answer__in=[a.pk for a in answers])
        .select_related("scored_by")
        .order_by("answer_id", "-created_at", "-pk")
    )
    for score in scores:
        latest.setdefault(score.answer_id, score)
    return [WrittenAnswerView(answer, latest.get(answer.pk)) for answer in answers]


def written_answers_of_student(*, student_id: int) -> list[WrittenAnswerView]:
    """The student's written answers, newest first, each with its newest score if any."""
    answers = list(
        WrittenAnswer.objects.filter(student_id=student_id)
        .select_related("item")
        .prefetch_related("item__competencies")
        .order_by("-submitted_at")
    )
    return _with_latest_scores(answers)


def written_answers_for_class(
    *, school_class: SchoolClass, pending: bool = True, limit: int | None = None
) -> list[WrittenAnswerView]:
    """Written answers of the class's students: those waiting for a score (oldest first), or
    with ``pending=False`` those already scored (newest first); at most ``limit`` of them."""
    answers = WrittenAnswer.objects.filter(
        student__enrollments__school_class=school_class,
        student__enrollments__role=EnrollmentRole.STUDENT,
        student__is_active=True,
    )
    if pending:
        answers = answers.filter(scores__isnull=True).order_by("submitted_at")
    else:
        answers = answers.filter(scores__isnull=False).order_by("-submitted_at")
    answers = (
        answers.distinct().select_related("student", "item").prefetch_related("item__competencies")
    )
    return _with_latest_scores(list(answers if limit is None else answers[:limit]))
