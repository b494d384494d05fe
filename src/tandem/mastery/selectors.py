"""Reads of learner state, fetched in bulk for dashboards and explained for one competency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from tandem.mastery.constants import Progress, Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.rules import effective_status, is_uncertain, progress_of, uncertainty
from tandem.rows import ValuesQuery, column_of, model_field


@dataclass(frozen=True)
class MasteryView:
    """One (student, competency) estimate as pages show it."""

    student_id: int
    competency_id: int
    p_mastery: float
    sd: float
    uncertain: bool
    status: str
    n_attempts: int
    n_correct: int
    last_evidence_at: dt.datetime | None

    @property
    def percent(self) -> int:
        return round(self.p_mastery * 100)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def progress(self) -> Progress:
        """This state in words for students and guardians (see ``progress_of``)."""
        return progress_of(status=self.status, p_mastery=self.p_mastery)

    @property
    def band(self) -> tuple[int, int]:
        low = max(0.0, self.p_mastery - 2 * self.sd)
        high = min(1.0, self.p_mastery + 2 * self.sd)
        return round(low * 100), round(high * 100)


# One learner state's row, in the order of _FIELDS.
_Row = tuple[int, int, float, float, str, int, int, dt.datetime | None]


def _view(row: _Row, now: dt.datetime) -> MasteryView:
    student_id, competency_id, p, weight, status, n_attempts, n_correct, last = row
    return MasteryView(
        student_id=student_id,
        competency_id=competency_id,
        p_mastery=p,
        sd=uncertainty(p, weight),
        uncertain=is_uncertain(p, weight),
        status=effective_status(status=status, last_evidence_at=last, now=now, n_correct=n_correct),
        n_attempts=n_attempts,
        n_correct=n_correct,
        last_evidence_at=last,
    )


# Read as plain tuples (a teacher's page reads thousands of states: no dict or model per row).
_FIELDS = (
    "student_id",
    "competency_id",
    "p_mastery",
    "evidence_weight",
    "status",
    "n_attempts",
    "n_correct",
    "last_evidence_at",
)


def mastery_grid(
    *, student_ids: Iterable[int], competency_ids: Iterable[int] | None, now: dt.datetime
) -> dict[tuple[int, int], MasteryView]:
    """Estimates for many students and competencies in one query, keyed by (student, competency)."""
    rows = LearnerState.objects.filter(student_id__in=list(student_ids))
    if competency_ids is not None:
        rows = rows.filter(competency_id__in=list(competency_ids))
    return {(r[0], r[1]): _view(r, now) for r in rows.values_list(*_FIELDS)}


def mastered_counts(*, student_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """How many competencies each student has mastered now (the status every page shows:
    stored mastery whose recall has faded is "needs review", not counted). Reads only the
    mastered states, not every state of every student."""
    counts: dict[int, int] = {}
    for student_id, last, n_correct in LearnerState.objects.filter(
        student_id__in=list(student_ids), status=Status.MASTERED
    ).values_list("student_id", "last_evidence_at", "n_correct"):
        status = effective_status(
            status=Status.MASTERED, last_evidence_at=last, now=now, n_correct=n_correct
        )
        if status == Status.MASTERED:
            counts[student_id] = counts.get(student_id, 0) + 1
    return counts


# Read on every practice request: SQL written once (tandem/rows.py), no query building.
_STUDENT_STATES = ValuesQuery(
    f"SELECT {', '.join(column_of(model_field(LearnerState, f)) for f in _FIELDS)}"
    f" FROM {LearnerState._meta.db_table} WHERE student_id = %s",
    [model_field(LearnerState, f) for f in _FIELDS],
)


def mastery_for_student(*, student_id: int, now: dt.datetime) -> dict[int, MasteryView]:
    """All of one student's estimates, keyed by competency id."""
    return {r[1]: _view(r, now) for r in _STUDENT_STATES.rows([student_id])}


def mastery_explanation(*, student_id: int, competency_id: int) -> QuerySet[StateChange]:
    """Every statement that moved this estimate, newest first, with how far it moved it."""
    return (
        StateChange.objects.filter(state__student_id=student_id, state__competency_id=competency_id)
        .select_related("statement", "statement__authority", "statement__item", "parameter_set")
        .order_by("-at", "-pk")
    )
