"""Reads of placement: the framework as the engine sees it, a session's rebuilt engine state,
and a finished placement grouped by grade and domain for pages.

This module is also the thin adapter between rows and the pure engine: it turns competencies
and prerequisite links into a :class:`tandem_engine.PrerequisiteGraph`, and a session's
answered questions into the engine state they lead to.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import tandem_engine
from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.evidence.models import Statement
from tandem.mastery.rules import MASTERED_AT
from tandem.placement.constants import (
    GRADE_8_RANK,
    KINDERGARTEN_RANK,
    PROBABLY_KNOWN_AT,
    PlacedAs,
    SessionStatus,
)
from tandem.placement.models import DiagnosticQuestion, DiagnosticSession


@dataclass(frozen=True, eq=False)
class PlacementGraph:
    """The K-8 standards of the practisable competencies' frameworks, as the engine sees them.

    ``askable``: the codes that have item generators (only those can be asked).
    """

    graph: tandem_engine.PrerequisiteGraph
    competencies: dict[str, Competency]
    askable: frozenset[str]


def placement_graph() -> PlacementGraph:
    """The graph the diagnostic runs on (two queries). Node order is stable: grade, then the
    framework's own order, so a session replays to the same state."""
    practisable = practisable_competencies()
    frameworks = {c.framework_id for c in practisable.values()}
    rows = list(
        Competency.objects.filter(
            framework_id__in=frameworks,
            grade_rank__gte=KINDERGARTEN_RANK,
            grade_rank__lte=GRADE_8_RANK,
        ).order_by("grade_rank", "list_order", "pk")
    )
    by_id = {c.pk: c for c in rows}
    edges = [
        (by_id[before].code, by_id[after].code)
        for after, befores in prerequisites_map(by_id.keys()).items()
        for before in befores
        if before in by_id and after in by_id
    ]
    graph = tandem_engine.PrerequisiteGraph.build(
        {c.code: float(c.grade_rank - KINDERGARTEN_RANK) for c in rows}, edges
    )
    codes = {c.code: c for c in rows}
    return PlacementGraph(
        graph=graph,
        competencies=codes,
        askable=frozenset(c.code for c in practisable.values() if c.code in codes),
    )


def session_in_progress(*, student_id: int) -> DiagnosticSession | None:
    return DiagnosticSession.objects.filter(
        student_id=student_id, status=SessionStatus.IN_PROGRESS
    ).first()


def latest_finished_session(*, student_id: int) -> DiagnosticSession | None:
    return (
        DiagnosticSession.objects.filter(student_id=student_id, status=SessionStatus.FINISHED)
        .order_by("-ended_at")
        .first()
    )


def answered_questions(session: DiagnosticSession) -> list[DiagnosticQuestion]:
    return list(
        session.questions.filter(answered_at__isnull=False)
        .select_related("competency")
        .order_by("position")
    )


def open_question(session: DiagnosticSession) -> DiagnosticQuestion | None:
    return (
        session.questions.filter(answered_at__isnull=True)
        .select_related("competency", "item")
        .first()
    )


def session_state(
    session: DiagnosticSession, placement: PlacementGraph
) -> tandem_engine.DiagnosticState:
    """The engine state the session's answers lead to, replayed from its seed."""
    answers = [(q.competency.code, bool(q.correct)) for q in answered_questions(session)]
    # What was asked stays askable, even if its item generators have gone since.
    askable = placement.askable | {code for code, _ in answers}
    return tandem_engine.diagnostic_replay(
        placement.graph,
        own_grade=session.own_grade,
        seed=session.seed,
        answers=answers,
        askable=askable,
    )


def placed_as(p_mastered: float) -> PlacedAs:
    if p_mastered >= MASTERED_AT:
        return PlacedAs.MASTERED
    if p_mastered >= PROBABLY_KNOWN_AT:
        return PlacedAs.PROBABLY_KNOWN
    return PlacedAs.TO_LEARN


@dataclass(frozen=True)
class PlacedStandard:
    competency: Competency
    p_mastered: float
    placed: PlacedAs
    asked: bool
    answered_right: bool | None

    @property
    def percent(self) -> int:
        return round(self.p_mastered * 100)


@dataclass
class DomainPlacement:
    """One grade's standards of one domain, by where they were placed."""

    grade_rank: int
    grade_label: str
    domain_code: str
    domain_name: str
    standards: dict[PlacedAs, list[PlacedStandard]] = field(
        default_factory=lambda: {placed: [] for placed in PlacedAs}
    )

    def count(self, placed: PlacedAs) -> int:
        return len(self.standards[placed])

    @property
    def mastered(self) -> list[PlacedStandard]:
        return self.standards[PlacedAs.MASTERED]

    @property
    def probably_known(self) -> list[PlacedStandard]:
        return self.standards[PlacedAs.PROBABLY_KNOWN]

    @property
    def to_learn(self) -> list[PlacedStandard]:
        return self.standards[PlacedAs.TO_LEARN]

    @property
    def columns(self) -> list[list[PlacedStandard]]:
        """Mastered, probably known, to learn: the result table's columns, in that order."""
        return [self.standards[placed] for placed in PlacedAs]


@dataclass(frozen=True)
class PlacementResult:
    session: DiagnosticSession
    domains: list[DomainPlacement]
    counts: dict[PlacedAs, int]
    n_answered: int
    n_correct: int

    @property
    def n_standards(self) -> int:
        return sum(self.counts.values())

    @property
    def n_mastered(self) -> int:
        return self.counts[PlacedAs.MASTERED]

    @property
    def n_probably_known(self) -> int:
        return self.counts[PlacedAs.PROBABLY_KNOWN]

    @property
    def n_to_learn(self) -> int:
        return self.counts[PlacedAs.TO_LEARN]

    @property
    def expected_percent(self) -> int | None:
        accuracy = self.session.expected_accuracy
        return None if accuracy is None else round(accuracy * 100)


def placement_result(*, session: DiagnosticSession) -> PlacementResult:
    """A finished session's placement, grouped by grade and domain in framework order."""
    posterior: dict[str, float] = session.posterior or {}
    questions = {q.competency.code: q for q in answered_questions(session)}
    competencies = Competency.objects.filter(human_coding_scheme__in=posterior.keys()).order_by(
        "grade_rank", "list_order", "pk"
    )
    groups: dict[tuple[int, str], DomainPlacement] = {}
    counts: dict[PlacedAs, int] = defaultdict(int)
    seen: set[str] = set()
    for competency in competencies:
        if competency.code in seen:  # the same code in a second framework
            continue
        seen.add(competency.code)
        p = float(posterior[competency.code])
        question = questions.get(competency.code)
        standard = PlacedStandard(
            competency=competency,
            p_mastered=p,
            placed=placed_as(p),
            asked=question is not None,
            answered_right=question.correct if question is not None else None,
        )
        key = (competency.grade_rank, competency.domain_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = DomainPlacement(
                grade_rank=competency.grade_rank,
                grade_label=competency.grade_label,
                domain_code=competency.domain_code,
                domain_name=competency.domain_name,
            )
        group.standards[standard.placed].append(standard)
        counts[standard.placed] += 1
    return PlacementResult(
        session=session,
        domains=list(groups.values()),
        counts={placed: counts[placed] for placed in PlacedAs},
        n_answered=len(questions),
        n_correct=sum(1 for q in questions.values() if q.correct),
    )


@dataclass(frozen=True)
class PlacementSummary:
    """What a teacher's page can show about a student's diagnostic, read-only."""

    status: SessionStatus
    started_at: dt.datetime
    ended_at: dt.datetime | None
    n_answered: int
    n_correct: int
    expected_accuracy: float | None
    counts: dict[PlacedAs, int]
    # Per grade (label, counts by placement), lowest grade first; empty until finished.
    by_grade: list[tuple[str, dict[PlacedAs, int]]]
    seeded: int

    @property
    def finished(self) -> bool:
        return self.status == SessionStatus.FINISHED


def placement_summary(*, student_id: int) -> PlacementSummary | None:
    """The student's finished placement if any, else the one in progress; None if neither.

    Reads only: callers check access first (``roster.access.access_student``).
    """
    session = latest_finished_session(student_id=student_id) or session_in_progress(
        student_id=student_id
    )
    if session is None:
        return None
    answered = session.questions.filter(answered_at__isnull=False)
    n_answered = answered.count()
    n_correct = answered.filter(correct=True).count()
    counts: dict[PlacedAs, int] = {placed: 0 for placed in PlacedAs}
    by_grade: list[tuple[str, dict[PlacedAs, int]]] = []
    seeded = 0
    if session.status == SessionStatus.FINISHED:
        result = placement_result(session=session)
        counts = result.counts
        grades: dict[str, dict[PlacedAs, int]] = {}
        for domain in result.domains:
            row = grades.setdefault(domain.grade_label, {placed: 0 for placed in PlacedAs})
            for placed in PlacedAs:
                row[placed] += domain.count(placed)
        by_grade = list(grades.items())
        if session.placement_statement_id is not None:
            seeded = Statement.competencies.through.objects.filter(
                statement_id=session.placement_statement_id
            ).count()
    return PlacementSummary(
        status=SessionStatus(session.status),
        started_at=session.started_at,
        ended_at=session.ended_at,
        n_answered=n_answered,
        n_correct=n_correct,
        expected_accuracy=session.expected_accuracy,
        counts=counts,
        by_grade=by_grade,
        seeded=seeded,
    )
