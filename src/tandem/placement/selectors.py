"""Reads of placement: the framework as the engine sees it, a session's rebuilt engine state,
and a finished placement grouped by grade and domain for pages.

This module is also the thin adapter between rows and the pure engine: it turns competencies
and prerequisite links into a :class:`tandem_engine.PrerequisiteGraph`, and a session's
answered questions into the engine state they lead to.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from threadpoolctl import ThreadpoolController

import tandem_engine
from tandem.competencies.constants import AssociationType
from tandem.competencies.models import Association, Competency, Framework
from tandem.competencies.selectors import competency_codes, prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_for_student
from tandem.placement.constants import (
    GRADE_8_RANK,
    KINDERGARTEN_RANK,
    LIKELY_KNOWN_AT,
    PlacedAs,
    SessionStatus,
    placed_count,
)
from tandem.placement.models import DiagnosticQuestion, DiagnosticSession
from tandem.rows import ValuesQuery, model_field


@dataclass(frozen=True, eq=False)
class PlacementGraph:
    """The K-8 standards of the practisable competencies' frameworks, as the engine sees them.

    ``askable``: the codes that have item generators (only those can be asked).
    """

    graph: tandem_engine.PrerequisiteGraph
    competencies: dict[str, Competency]
    askable: frozenset[str]


_COMPETENCY = Competency._meta.db_table
_FRAMEWORK = Framework._meta.db_table
_ASSOCIATION = Association._meta.db_table
# Read on every diagnostic question: SQL written once (tandem/rows.py), one statement for both
# tables. The values are only compared with the last ones, so they are left unconverted.
_GRAPH_VERSION = ValuesQuery(
    "SELECT c.n, c.last, c.grades, c.orders, c.changed, a.n, a.last, a.origins, a.destinations"
    " FROM (SELECT COUNT(t.id) AS n, MAX(t.id) AS last, SUM(t.grade_rank) AS grades,"
    " SUM(t.list_order) AS orders, MAX(f.last_change) AS changed"
    f" FROM {_COMPETENCY} t INNER JOIN {_FRAMEWORK} f ON t.framework_id = f.id) c,"
    " (SELECT COUNT(id) AS n, MAX(id) AS last, SUM(origin_id) AS origins,"
    f" SUM(destination_id) AS destinations FROM {_ASSOCIATION}"
    " WHERE association_type = %s) a",
    [],
)


def _graph_version() -> tuple[object, ...]:
    """A cheap fingerprint of everything the graph is built from (one query): adding,
    removing or re-grading a standard, adding or removing a prerequisite, or saving a
    framework (imports do) changes it; renaming a code in place alone would not. Computed
    per request so that every worker process sees another process's change."""
    row = _GRAPH_VERSION.first([str(AssociationType.IS_PREREQUISITE_OF)])
    assert row is not None  # aggregates without GROUP BY give one row
    return row


# The graph of this process, with the fingerprint it was built at. Building it costs ~80 ms
# (rows, edges, the transitive closure); it changes only when the framework does.
_graph_cache: tuple[tuple[object, ...], PlacementGraph] | None = None


def placement_graph() -> PlacementGraph:
    """The graph the diagnostic runs on, rebuilt only when the framework has changed since
    this process last built it. Node order is stable: grade, then the framework's own order,
    so a session replays to the same state."""
    global _graph_cache
    version = _graph_version()
    cached = _graph_cache
    if cached is not None and cached[0] == version:
        return cached[1]
    graph = _placement_graph_build()
    _graph_cache = (version, graph)
    return graph


def _placement_graph_build() -> PlacementGraph:
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


def _finished_sessions(student_id: int) -> QuerySet[DiagnosticSession]:
    """The student's finished diagnostics, the latest first."""
    return DiagnosticSession.objects.filter(
        student_id=student_id, status=SessionStatus.FINISHED
    ).order_by("-ended_at")


def latest_finished_session(*, student_id: int) -> DiagnosticSession | None:
    return _finished_sessions(student_id).first()


# Read on every practice request: SQL written once (tandem/rows.py), no query building.
_LATEST_POSTERIOR = ValuesQuery(
    f"SELECT posterior FROM {DiagnosticSession._meta.db_table}"
    " WHERE student_id = %s AND status = %s ORDER BY ended_at DESC LIMIT 1",
    [model_field(DiagnosticSession, "posterior")],
)


def placement_estimates(*, student_id: int, competency_ids: Iterable[int]) -> dict[int, float]:
    """P(mastered) of each of these competencies as the student's latest finished diagnostic
    placed it, by competency id (those it did not place are left out; empty without one).
    One query."""
    row = _LATEST_POSTERIOR.first([student_id, SessionStatus.FINISHED])
    posterior = row[0] if row else None
    if not posterior:
        return {}
    return {
        cid: float(posterior[code])
        for cid, code in competency_codes(competency_ids).items()
        if code in posterior
    }


def open_question(session: DiagnosticSession) -> DiagnosticQuestion | None:
    return (
        session.questions.filter(answered_at__isnull=True)
        .select_related("competency", "item")
        .first()
    )


_blas: ThreadpoolController | None = None


@contextmanager
def engine_threads() -> Iterator[None]:
    """Run the engine's matrix products on one BLAS thread. They are small (a few million
    multiply-adds), and on a server whose cores already serve one request each, a second
    BLAS thread per request only waits for a core: a diagnostic question took 2-4 times as
    long with BLAS's default of one thread per core on the loaded 2-core machine."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield


# Each recent session's replay, so that the next question replays only the answer just
# given: a replay of 20 answers from the start costs ~10 ms of CPU, one more answer ~1 ms.
# Keyed by session; ~0.7 MB each. Another process, or a session pushed out, replays in full,
# which gives the same state (tandem_engine.diagnostic_replay_extend).
_REPLAYS_KEPT = 32
_replays: OrderedDict[
    object, tuple[PlacementGraph, frozenset[str], tandem_engine.DiagnosticReplay]
] = OrderedDict()
_replays_lock = threading.Lock()


def _replay(
    session: DiagnosticSession,
    placement: PlacementGraph,
    askable: frozenset[str],
    answers: list[tuple[str, bool]],
) -> tandem_engine.DiagnosticReplay:
    """The replay of ``answers``, from the one kept for the session when it replayed a first
    part of them on the same graph."""
    with _replays_lock:
        kept = _replays.get(session.pk)
    replay = None
    if kept is not None and kept[0] is placement and kept[1] == askable:
        done = kept[2]
        if (
            done.seed == session.seed
            and done.own_grade == float(session.own_grade)
            and tuple(answers[: len(done.answers)]) == done.answers
        ):
            replay = done
    if replay is None:
        replay = tandem_engine.diagnostic_replay_start(
            placement.graph, own_grade=session.own_grade, seed=session.seed, askable=askable
        )
    replay = tandem_engine.diagnostic_replay_extend(replay, answers[len(replay.answers) :])
    with _replays_lock:
        _replays[session.pk] = (placement, askable, replay)
        _replays.move_to_end(session.pk)
        while len(_replays) > _REPLAYS_KEPT:
            _replays.popitem(last=False)
    return replay


def session_state(
    session: DiagnosticSession, placement: PlacementGraph
) -> tandem_engine.DiagnosticState:
    """The engine state the session's answers lead to, replayed from its seed (call it
    within :func:`engine_threads`, as the engine's other steps)."""
    answers = [
        (code, bool(correct))
        for code, correct in session.questions.filter(answered_at__isnull=False)
        .order_by("position")
        .values_list("competency__human_coding_scheme", "correct")
    ]
    # What was asked stays askable, even if its item generators have gone since.
    askable = placement.askable | {code for code, _ in answers}
    return tandem_engine.diagnostic_replay_state(_replay(session, placement, askable, answers))


_PLACED_BY_STATUS = {
    Status.MASTERED: PlacedAs.MASTERED,
    Status.PROBABLY_MASTERED: PlacedAs.PROBABLY_MASTERED,
    Status.NEEDS_REVIEW: PlacedAs.NEEDS_REVIEW,
    Status.LEARNING: PlacedAs.TO_LEARN,
}


def placed_as(view: MasteryView | None) -> PlacedAs:
    """The learner state's status in the result's words: no learner state, or one that has
    not started (no answers, no placement), is not assessed yet."""
    if view is None:
        return PlacedAs.NOT_ASSESSED
    return _PLACED_BY_STATUS.get(Status(view.status), PlacedAs.NOT_ASSESSED)


@dataclass(frozen=True)
class PlacedStandard:
    """One standard of the result: where the learner state places it, and the evidence the
    diagnostic gathered on it (the answer if it was asked, else its estimate)."""

    competency: Competency
    placed: PlacedAs
    status: str  # the learner state's status, as every page shows it ("not_started" without one)
    p_mastery: float | None  # the learner state's estimate; None without one
    p_diagnostic: float  # the diagnostic's estimate at its finish
    asked: bool
    answered_right: bool | None

    @property
    def percent(self) -> int | None:
        return None if self.p_mastery is None else round(self.p_mastery * 100)

    @property
    def likely_known(self) -> bool:
        return self.p_diagnostic >= LIKELY_KNOWN_AT


@dataclass
class DomainPlacement:
    """One grade's standards of one domain, by where they are placed."""

    grade_rank: int
    grade_label: str
    domain_code: str
    domain_name: str
    standards: dict[PlacedAs, list[PlacedStandard]] = field(
        default_factory=lambda: {placed: [] for placed in PlacedAs}
    )
    # The groups the result's tables show, in order (set once the whole result is known).
    groups: list[PlacedAs] = field(default_factory=lambda: list(PlacedAs))

    def count(self, placed: PlacedAs) -> int:
        return len(self.standards[placed])

    @property
    def columns(self) -> list[list[PlacedStandard]]:
        """The standards of each group shown: the table's columns."""
        return [self.standards[placed] for placed in self.groups]

    @property
    def groups_shown(self) -> list[tuple[PlacedAs, list[PlacedStandard]]]:
        """The groups that have standards, with them, in the result's order."""
        return [
            (placed, self.standards[placed]) for placed in self.groups if self.standards[placed]
        ]

    @property
    def counts_words(self) -> list[str]:
        """The groups that have standards, counted in words: the domain's one-line summary."""
        return [placed_count(placed, len(standards)) for placed, standards in self.groups_shown]


@dataclass
class GradePlacement:
    """One grade's domains, and how many of its standards are in each group."""

    grade_rank: int
    grade_label: str
    domains: list[DomainPlacement] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.grade_label == "K":
            return gettext("Kindergarten")
        return gettext("Grade %(grade)s") % {"grade": self.grade_label}

    @property
    def counts(self) -> dict[PlacedAs, int]:
        return {placed: sum(d.count(placed) for d in self.domains) for placed in PlacedAs}

    @property
    def n_standards(self) -> int:
        return sum(self.counts.values())

    def standards(self, placed: PlacedAs) -> list[PlacedStandard]:
        return [s for d in self.domains for s in d.standards[placed]]

    @property
    def open_standards(self) -> list[PlacedStandard]:
        """Due for review and to learn: what a compact line of an earlier grade names."""
        return self.standards(PlacedAs.NEEDS_REVIEW) + self.standards(PlacedAs.TO_LEARN)

    @property
    def counts_shown(self) -> list[tuple[PlacedAs, int]]:
        """The groups that have standards in this grade, with how many: its one-line summary."""
        counts = self.counts
        groups = self.domains[0].groups if self.domains else list(PlacedAs)
        return [(placed, counts[placed]) for placed in groups if counts[placed]]

    @property
    def counts_words(self) -> list[str]:
        """The groups that have standards in this grade, counted in words."""
        return [placed_count(placed, n) for placed, n in self.counts_shown]


@dataclass(frozen=True)
class PlacementResult:
    """A finished placement as the learner state has it now. ``grades`` run from K to 8;
    ``own``: the student's own grade (the one the diagnostic centred on), ``earlier`` and
    ``later`` the others, nearest first for ``earlier``."""

    session: DiagnosticSession
    grades: list[GradePlacement]
    groups: list[PlacedAs]
    own_grade_rank: int
    counts: dict[PlacedAs, int]
    n_answered: int
    n_correct: int

    @property
    def domains(self) -> list[DomainPlacement]:
        return [d for grade in self.grades for d in grade.domains]

    @property
    def own(self) -> GradePlacement | None:
        return next((g for g in self.grades if g.grade_rank == self.own_grade_rank), None)

    @property
    def earlier(self) -> list[GradePlacement]:
        return [g for g in reversed(self.grades) if g.grade_rank < self.own_grade_rank]

    @property
    def later(self) -> list[GradePlacement]:
        return [g for g in self.grades if g.grade_rank > self.own_grade_rank]

    @property
    def n_standards(self) -> int:
        return sum(self.counts.values())

    @property
    def next_up(self) -> list[PlacedStandard]:
        """A few standards to work on, named first on the result: gaps in earlier grades from
        the lowest up, then the student's own grade."""
        earlier = sorted(self.earlier, key=lambda g: g.grade_rank)
        own = [self.own] if self.own is not None else []
        return [s for g in [*earlier, *own] for s in g.open_standards][:4]

    @property
    def n_mastered(self) -> int:
        return self.counts[PlacedAs.MASTERED]

    @property
    def n_probably_mastered(self) -> int:
        return self.counts[PlacedAs.PROBABLY_MASTERED]

    @property
    def n_needs_review(self) -> int:
        return self.counts[PlacedAs.NEEDS_REVIEW]

    @property
    def n_to_learn(self) -> int:
        return self.counts[PlacedAs.TO_LEARN]

    @property
    def n_not_assessed(self) -> int:
        return self.counts[PlacedAs.NOT_ASSESSED]


def placement_result(*, session: DiagnosticSession, now: dt.datetime) -> PlacementResult:
    """A finished session's standards, each placed by the student's learner state now (the
    same state every other page reads, the placement's seeds included), grouped by grade
    and domain in framework order, with the diagnostic's answers and estimates as evidence."""
    posterior: dict[str, float] = session.posterior or {}
    answers = dict(
        session.questions.filter(answered_at__isnull=False).values_list(
            "competency__human_coding_scheme", "correct"
        )
    )
    mastery = mastery_for_student(student_id=session.student_id, now=now)
    competencies = Competency.objects.filter(human_coding_scheme__in=posterior.keys()).order_by(
        "grade_rank", "list_order", "pk"
    )
    grades: dict[int, GradePlacement] = {}
    domains: dict[tuple[int, str], DomainPlacement] = {}
    counts: dict[PlacedAs, int] = {placed: 0 for placed in PlacedAs}
    seen: set[str] = set()
    for competency in competencies:
        if competency.code in seen:  # the same code in a second framework
            continue
        seen.add(competency.code)
        view = mastery.get(competency.pk)
        asked = competency.code in answers
        standard = PlacedStandard(
            competency=competency,
            placed=placed_as(view),
            status=view.status if view is not None else Status.NOT_STARTED,
            p_mastery=view.p_mastery if view is not None else None,
            p_diagnostic=float(posterior[competency.code]),
            asked=asked,
            answered_right=answers[competency.code] if asked else None,
        )
        key = (competency.grade_rank, competency.domain_code)
        domain = domains.get(key)
        if domain is None:
            domain = domains[key] = DomainPlacement(
                grade_rank=competency.grade_rank,
                grade_label=competency.grade_label,
                domain_code=competency.domain_code,
                domain_name=competency.domain_name,
            )
            grade = grades.get(competency.grade_rank)
            if grade is None:
                grade = grades[competency.grade_rank] = GradePlacement(
                    grade_rank=competency.grade_rank, grade_label=competency.grade_label
                )
            grade.domains.append(domain)
        domain.standards[standard.placed].append(standard)
        counts[standard.placed] += 1
    # "Due for review" only gets a column when something is due.
    groups = [
        p
        for p in PlacedAs
        if p not in (PlacedAs.NEEDS_REVIEW, PlacedAs.PROBABLY_MASTERED) or counts[p]
    ]
    for domain in domains.values():
        domain.groups = groups
    return PlacementResult(
        session=session,
        grades=list(grades.values()),
        groups=groups,
        own_grade_rank=round(session.own_grade) + KINDERGARTEN_RANK,
        counts=counts,
        n_answered=len(answers),
        n_correct=sum(1 for correct in answers.values() if correct),
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


def placement_summary(
    *, student_id: int, now: dt.datetime | None = None
) -> PlacementSummary | None:
    """The student's finished placement if any, else the one in progress; None if neither.
    A finished one is counted by the learner state at ``now`` (default: the present), as
    :func:`placement_result`.

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
        result = placement_result(session=session, now=now or timezone.now())
        counts = result.counts
        by_grade = [(grade.grade_label, grade.counts) for grade in result.grades]
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
