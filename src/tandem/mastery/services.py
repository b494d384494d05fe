"""Writes of learner state: the thin adapter between stored evidence and the pure engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import tandem_engine
from tandem.caching import ProcessCache
from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_codes, competency_grade_ranks
from tandem.evidence.constants import Verb
from tandem.evidence.models import Statement
from tandem.mastery.constants import SEED_EXTENSION, Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.priors import grade_gap, prior_p_mastery
from tandem.mastery.rules import StateValues, answer_step, replay_state, review_rule_for, seed_step
from tandem.mastery.signals import states_changed
from tandem.roster.models import User
from tandem.rows import ModelReader, ModelWriter

DEFAULT_PARAMETER_SET = "bkt-default-1"


def _engine_version() -> str:
    return tandem_engine.ENGINE_VERSION


def _load_active_parameter_set() -> ParameterSet:
    active = ParameterSet.objects.filter(is_active=True).order_by("-created_at").first()
    if active is not None:
        return active
    defaults = tandem_engine.BKTParams()
    parameter_set, _ = ParameterSet.objects.get_or_create(
        version=DEFAULT_PARAMETER_SET,
        defaults={
            "model_name": "bkt",
            "engine_version": _engine_version(),
            "params": {
                "default": {
                    "p_init": defaults.p_init,
                    "p_learn": defaults.p_learn,
                    "p_guess": defaults.p_guess,
                    "p_slip": defaults.p_slip,
                    "p_forget": defaults.p_forget,
                },
                "per_competency": {},
            },
            "notes": "Literature-typical BKT defaults, used until the model is calibrated.",
            "is_active": True,
        },
    )
    return parameter_set


@dataclass(frozen=True)
class ActiveParameters:
    """The active parameter set with its BKT parameters parsed once per process."""

    parameter_set: ParameterSet
    default: tandem_engine.BKTParams
    per_code: dict[str, tandem_engine.BKTParams]
    # P(correct) for the next-item policy, when calibration fitted one (params["live"]).
    live: tandem_engine.LivePredictor | None = None
    # When mastery needs review: the first stability from the set's fitted forgetting.
    review_rule: tandem_engine.MasteryRule = tandem_engine.DEFAULT_RULE

    def for_code(self, code: str) -> tandem_engine.BKTParams:
        return self.per_code.get(code, self.default)


def _load_active_parameters() -> ActiveParameters:
    parameter_set = _load_active_parameter_set()
    params: dict[str, Any] = parameter_set.params
    default = tandem_engine.BKTParams(**params.get("default", {}))
    per_code = {
        code: tandem_engine.BKTParams(**values)
        for code, values in (params.get("per_competency") or {}).items()
        if values
    }
    live = None
    if params.get("live"):
        try:
            live = tandem_engine.LivePredictor.from_dict(params["live"])
        except (ValueError, KeyError, TypeError):
            # A set fitted by another engine version: BKT's own prediction stands in.
            live = None
    return ActiveParameters(
        parameter_set=parameter_set,
        default=default,
        per_code=per_code,
        live=live,
        review_rule=review_rule_for(params),
    )


# Read by every answer and next item; dropped when a parameter set is saved (see apps.py).
_ACTIVE = ProcessCache("active parameter set", _load_active_parameters)


def parameter_cache_invalidate() -> None:
    _ACTIVE.invalidate()


def active_parameters() -> ActiveParameters:
    """The active parameter set and its parsed parameters (cached in process memory)."""
    return _ACTIVE.get()


def active_parameter_set() -> ParameterSet:
    """The parameter set new estimates are computed with (a default one is created if none)."""
    return _ACTIVE.get().parameter_set


def bkt_params_for(parameter_set: ParameterSet, code: str) -> tandem_engine.BKTParams:
    params: dict[str, Any] = parameter_set.params
    values = params.get("per_competency", {}).get(code) or params.get("default", {})
    return tandem_engine.BKTParams(**values)


def _answer_step(
    *,
    state: LearnerState,
    statement: Statement,
    params: tandem_engine.BKTParams,
    parameter_set: ParameterSet,
) -> StateChange:
    """Move ``state`` by one answer (unsaved), and the change it makes (unsaved)."""
    before = StateValues.of(state)
    after = answer_step(
        before,
        success=bool(statement.result_success),
        weight=statement.weight,
        at=statement.timestamp,
        params=params,
    )
    after.apply_to(state)
    state.parameter_set = parameter_set
    return StateChange(
        state=state,
        statement=statement,
        p_before=before.p_mastery,
        p_after=after.p_mastery,
        parameter_set=parameter_set,
        at=statement.timestamp,
    )


@transaction.atomic
def mastery_apply(*, statement: Statement) -> list[StateChange]:
    """Update the student's state on every competency the statement is about."""
    if statement.result_success is None:
        return []
    active = active_parameters()
    parameter_set = active.parameter_set
    changes = []
    student_grade = _student_grade(statement.actor_id)
    for competency in statement.competencies.all():
        params = active.for_code(competency.human_coding_scheme)
        state, _ = LearnerState.objects.select_for_update().get_or_create(
            student_id=statement.actor_id,
            competency=competency,
            defaults={
                "p_mastery": initial_p_mastery(
                    active,
                    competency.human_coding_scheme,
                    competency_grade_rank=competency.grade_rank,
                    student_grade=student_grade,
                ),
                "parameter_set": parameter_set,
            },
        )
        change = _answer_step(
            state=state, statement=statement, params=params, parameter_set=parameter_set
        )
        state.save()
        change.save()
        changes.append(change)
    if changes:
        states_changed(student_ids=[statement.actor_id])
    return changes


@dataclass(frozen=True)
class AnswerChange:
    """How one answer moved one of the student's estimates (for the feedback the student sees)."""

    competency_id: int
    p_before: float
    p_after: float
    status_before: str
    status_after: str


def _student_grade(student_id: int) -> str:
    return User.objects.filter(pk=student_id).values_list("grade", flat=True).first() or ""


def initial_p_mastery(
    active: ActiveParameters, code: str, *, competency_grade_rank: int, student_grade: str
) -> float:
    """The estimate before any evidence: the parameter set's prior for a student of
    ``student_grade`` on a competency of that grade rank (0: no grade), by the grade gap."""
    gap = grade_gap(
        competency_grade_rank=competency_grade_rank or None, student_grade=student_grade
    )
    return prior_p_mastery(active.parameter_set.params, code=code, grade_gap=gap)


def _fresh_state(
    active: ActiveParameters,
    *,
    student_id: int,
    competency_id: int,
    code: str,
    grade_rank: int,
    student_grade: str,
) -> LearnerState:
    """A learner state before any evidence (not saved): the active set's prior for it."""
    return LearnerState(
        student_id=student_id,
        competency_id=competency_id,
        p_mastery=initial_p_mastery(
            active, code, competency_grade_rank=grade_rank, student_grade=student_grade
        ),
        parameter_set=active.parameter_set,
    )


def mastery_apply_answer(
    *, statement: Statement, competency_ids: Sequence[int], student_grade: str = ""
) -> list[AnswerChange]:
    """``mastery_apply`` for a practice answer just appended, in three queries: lock the
    student's states on these competencies, upsert them, record the changes (two more on a
    first answer on a competency: create its state, lock it). Call it inside the transaction
    that appended ``statement``."""
    if statement.result_success is None or not competency_ids:
        return []
    active = active_parameters()
    parameter_set = active.parameter_set
    codes = competency_codes(competency_ids)
    ranks = competency_grade_ranks(competency_ids)
    states = _student_states_locked(
        statement.actor_id,
        competency_ids,
        lambda missing: [
            _fresh_state(
                active,
                student_id=statement.actor_id,
                competency_id=competency_id,
                code=codes[competency_id],
                grade_rank=ranks.get(competency_id, 0),
                student_grade=student_grade,
            )
            for competency_id in missing
        ],
    )
    changes: list[StateChange] = []
    moved: list[AnswerChange] = []
    for competency_id in dict.fromkeys(competency_ids):
        state = states[competency_id]
        status_before = state.status
        change = _answer_step(
            state=state,
            statement=statement,
            params=active.for_code(codes[competency_id]),
            parameter_set=parameter_set,
        )
        changes.append(change)
        moved.append(
            AnswerChange(
                competency_id, change.p_before, change.p_after, status_before, state.status
            )
        )
    _write_states(list(states.values()), changes, student_id=statement.actor_id)
    return moved


# One insert on every practice answer: written without the ORM's query building.
_STATE_CHANGES: ModelWriter[StateChange] = ModelWriter(StateChange)
_STATES: ModelReader[LearnerState] = ModelReader(LearnerState)
_STATE_WRITES: ModelWriter[LearnerState] = ModelWriter(LearnerState)


# Competencies per locking read: SQLite caps the parameters of one statement at 999.
STATES_PER_READ = 500


def _student_states_locked(
    student_id: int,
    competency_ids: Iterable[int],
    new_state: Callable[[list[int]], list[LearnerState]],
) -> dict[int, LearnerState]:
    """The student's learner states on these competencies, locked for update, by competency
    id: one query per STATES_PER_READ competencies. Those missing are first created from
    ``new_state`` (given the missing ids) and then locked like the rest (two more queries).

    Created with conflicts ignored, as get_or_create allows: two first answers on one
    competency at once (two tabs, a double submit) both lock the one row the first created,
    so the second builds on the first instead of overwriting it.
    """
    wanted = list(dict.fromkeys(competency_ids))
    states = _states_of_student_locked(student_id, wanted)
    missing = [cid for cid in wanted if cid not in states]
    if missing:
        LearnerState.objects.bulk_create(new_state(missing), ignore_conflicts=True)
        states.update(_states_of_student_locked(student_id, missing))
    return states


def _states_of_student_locked(student_id: int, wanted: list[int]) -> dict[int, LearnerState]:
    states: dict[int, LearnerState] = {}
    for start in range(0, len(wanted), STATES_PER_READ):
        chunk = wanted[start : start + STATES_PER_READ]
        for state in _STATES.rows(
            f"t0.student_id = %s AND t0.competency_id IN ({', '.join(['%s'] * len(chunk))})",
            [student_id, *chunk],
            for_update=True,
        ):
            states[state.competency_id] = state
    return states


def _write_states(
    states: list[LearnerState], changes: list[StateChange], *, student_id: int
) -> None:
    """Upsert one student's learner states (stamped now), insert their changes and tell
    the caches: two statements, whatever the number of states."""
    now = timezone.now()
    for state in states:
        state.updated_at = now
    _STATE_WRITES.upsert(
        states, unique_fields=["student", "competency"], update_fields=STATE_FIELDS
    )
    _STATE_CHANGES.insert(changes)
    states_changed(student_ids=[student_id])


# (student, competency) pairs per locking query: SQLite nests OR terms and caps their depth.
PAIR_CHUNK = 200
STATE_FIELDS = [
    "p_mastery",
    "evidence_weight",
    "n_attempts",
    "n_correct",
    "last_evidence_at",
    "status",
    "probable_since",
    "parameter_set",
    "updated_at",
]


def _states_locked(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], LearnerState]:
    states: dict[tuple[int, int], LearnerState] = {}
    for start in range(0, len(pairs), PAIR_CHUNK):
        match = Q()
        for student_id, competency_id in pairs[start : start + PAIR_CHUNK]:
            match |= Q(student_id=student_id, competency_id=competency_id)
        for state in LearnerState.objects.select_for_update().filter(match):
            states[(state.student_id, state.competency_id)] = state
    return states


@transaction.atomic
def mastery_apply_many(*, statements: Sequence[Statement]) -> list[StateChange]:
    """``mastery_apply`` for each statement in order, in a few queries: the states and changes
    come out exactly as applying them one by one (several may be about the same state)."""
    answered = [statement for statement in statements if statement.result_success is not None]
    if not answered:
        return []
    active = active_parameters()
    parameter_set = active.parameter_set
    through = Statement.competencies.through
    links = list(
        through.objects.filter(
            statement_id__in=[statement.pk for statement in answered]
        ).values_list("statement_id", "competency_id")
    )
    # In the competencies' default order, as statement.competencies.all() gives them.
    ranked = list(Competency.objects.filter(pk__in={c for _, c in links}))
    rank = {competency.pk: n for n, competency in enumerate(ranked)}
    by_pk = {competency.pk: competency for competency in ranked}
    about: dict[Any, list[Competency]] = defaultdict(list)
    for statement_id, competency_id in sorted(links, key=lambda link: rank[link[1]]):
        about[statement_id].append(by_pk[competency_id])
    pairs = list(
        dict.fromkeys(
            (statement.actor_id, competency.pk)
            for statement in answered
            for competency in about[statement.pk]
        )
    )
    states = _states_locked(pairs)
    missing = [pair for pair in pairs if pair not in states]
    if missing:
        grades = dict(
            User.objects.filter(pk__in={s for s, _ in missing}).values_list("pk", "grade")
        )
        LearnerState.objects.bulk_create(
            [
                _fresh_state(
                    active,
                    student_id=student_id,
                    competency_id=competency_id,
                    code=by_pk[competency_id].human_coding_scheme,
                    grade_rank=by_pk[competency_id].grade_rank,
                    student_grade=grades.get(student_id) or "",
                )
                for student_id, competency_id in missing
            ],
            # Another writer may create one meanwhile, as get_or_create allows; then lock all.
            ignore_conflicts=True,
        )
        states = _states_locked(pairs)
    changes: list[StateChange] = []
    for statement in answered:
        for competency in about[statement.pk]:
            params = active.for_code(competency.human_coding_scheme)
            state = states[(statement.actor_id, competency.pk)]
            changes.append(
                _answer_step(
                    state=state, statement=statement, params=params, parameter_set=parameter_set
                )
            )
    # Every state exists and is locked: this insert only ever takes its conflict branch, one
    # UPDATE of all of them (bulk_update's CASE expressions cost more than the answers).
    LearnerState.objects.bulk_create(
        list(states.values()),
        update_conflicts=True,
        unique_fields=["student", "competency"],
        update_fields=STATE_FIELDS,
    )
    StateChange.objects.bulk_create(changes)
    states_changed(student_ids=[student_id for student_id, _ in pairs])
    return changes


@transaction.atomic
def mastery_seed_many(
    *, statement: Statement, seeds: Sequence[tuple[Competency, float]]
) -> list[StateChange]:
    """Set learner states to estimates made elsewhere from ``statement``'s evidence (a
    diagnostic placement's posterior), one ``(competency, p_mastery)`` at a time in order, and
    record each change so the "why" page can show it; the changes, in that order.

    A seed is not an answer: the answer counts and the time of last practice stay as they were,
    so spaced review starts only once the competency is practiced. It is mastered when the
    seed reaches the mastery rule's threshold, however few answers there are: the evidence
    behind the seed stands in for them.

    The same rows as seeding one by one, in a few queries whatever the number of seeds: lock
    the student's states on these competencies; if some are missing, read the student's
    grade, create them and lock them; upsert the states, insert the changes. A p_mastery
    outside [0, 1] raises ValueError before anything is written.
    """
    for competency, p_mastery in seeds:
        if not 0.0 <= p_mastery <= 1.0:
            raise ValueError(f"p_mastery={p_mastery} is outside [0, 1] ({competency.code})")
    if not seeds:
        return []
    active = active_parameters()
    parameter_set = active.parameter_set
    student_id = statement.actor_id
    by_pk = {competency.pk: competency for competency, _ in seeds}

    def new_states(missing: list[int]) -> list[LearnerState]:
        student_grade = _student_grade(student_id)
        return [
            _fresh_state(
                active,
                student_id=student_id,
                competency_id=cid,
                code=by_pk[cid].human_coding_scheme,
                grade_rank=by_pk[cid].grade_rank,
                student_grade=student_grade,
            )
            for cid in missing
        ]

    states = _student_states_locked(student_id, by_pk, new_states)
    changes: list[StateChange] = []
    for competency, p_mastery in seeds:
        state = states[competency.pk]
        before = state.p_mastery
        seed_step(
            StateValues.of(state), p_seed=p_mastery, weight=statement.weight, at=statement.timestamp
        ).apply_to(state)
        state.parameter_set = parameter_set
        changes.append(
            StateChange(
                state=state,
                statement=statement,
                p_before=before,
                p_after=p_mastery,
                parameter_set=parameter_set,
                at=statement.timestamp,
            )
        )
    _write_states(list(states.values()), changes, student_id=student_id)
    return changes


def mastery_seed(*, statement: Statement, competency: Competency, p_mastery: float) -> StateChange:
    """Set one learner state to an estimate made elsewhere (see :func:`mastery_seed_many`)."""
    return mastery_seed_many(statement=statement, seeds=[(competency, p_mastery)])[0]


def _replayed(
    *, student_id: int, competency: Competency, params: tandem_engine.BKTParams
) -> StateValues:
    """One learner state rebuilt from the student's unvoided evidence, as calibration replays
    it: answers in time order through ``bkt_step``, placement seeds set where they fall."""
    rows = (
        Statement.objects.filter(
            actor_id=student_id, competencies=competency, voided_by__isnull=True
        )
        .exclude(verb=Verb.VOIDED)
        .order_by("timestamp", "stored", "id")
        .values_list("result_success", "weight", "timestamp", "context_extensions")
    )
    answers: list[tuple[bool, float, Any]] = []
    seeds: list[tuple[Any, float, float]] = []
    for success, weight, timestamp, extensions in rows:
        if success is not None:
            answers.append((bool(success), float(weight), timestamp))
            continue
        posterior = (extensions or {}).get(SEED_EXTENSION) or {}
        p_seed = posterior.get(competency.human_coding_scheme)
        if p_seed is not None and 0.0 <= float(p_seed) <= 1.0:
            seeds.append((timestamp, float(weight), float(p_seed)))
    p_init = prior_p_mastery(
        active_parameter_set().params,
        code=competency.human_coding_scheme,
        grade_gap=grade_gap(
            competency_grade_rank=competency.grade_rank or None,
            student_grade=_student_grade(student_id),
        ),
    )
    return replay_state(answers=answers, seeds=seeds, params=params, p_init=p_init)


@transaction.atomic
def mastery_recompute(
    *, student_id: int, competency_ids: Iterable[int], statement: Statement
) -> list[StateChange]:
    """Rebuild the student's states on these competencies from their unvoided evidence under
    the active parameter set, after ``statement`` (a voiding statement) changed that evidence.

    Each state that exists gets one change linked to ``statement``, from the old estimate to the
    rebuilt one, so the "why" page shows the correction; earlier changes stay as history.
    """
    parameter_set = active_parameter_set()
    changes = []
    competencies = Competency.objects.filter(pk__in=list(competency_ids)).order_by("pk")
    for competency in competencies:
        state = (
            LearnerState.objects.select_for_update()
            .filter(student_id=student_id, competency=competency)
            .first()
        )
        if state is None:
            # Nothing was ever estimated, so nothing the voided evidence moved.
            continue
        params = bkt_params_for(parameter_set, competency.human_coding_scheme)
        before = state.p_mastery
        _replayed(student_id=student_id, competency=competency, params=params).apply_to(state)
        state.parameter_set = parameter_set
        state.save()
        changes.append(
            StateChange.objects.create(
                state=state,
                statement=statement,
                p_before=before,
                p_after=state.p_mastery,
                parameter_set=parameter_set,
                at=statement.timestamp,
            )
        )
    if changes:
        states_changed(student_ids=[student_id])
    return changes


__all__ = [
    "Status",
    "active_parameter_set",
    "bkt_params_for",
    "mastery_apply",
    "mastery_apply_answer",
    "mastery_apply_many",
    "mastery_recompute",
    "mastery_seed",
    "mastery_seed_many",
]
