"""Writes of learner state: the thin adapter between stored evidence and the pure engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

import tandem_engine
from tandem.competencies.models import Competency
from tandem.evidence.constants import Verb
from tandem.evidence.models import Statement
from tandem.mastery.constants import SEED_EXTENSION, Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.rules import MASTERED_AT, status_after
from tandem.mastery.signals import states_changed

DEFAULT_PARAMETER_SET = "bkt-default-1"


def _engine_version() -> str:
    return tandem_engine.ENGINE_VERSION


def active_parameter_set() -> ParameterSet:
    """The parameter set new estimates are computed with (a default one is created if none)."""
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
    before = state.p_mastery
    after = tandem_engine.bkt_step(
        before, bool(statement.result_success), params, weight=statement.weight
    )
    state.p_mastery = after
    state.evidence_weight += statement.weight
    state.n_attempts += 1
    state.n_correct += int(bool(statement.result_success))
    if state.last_evidence_at is None or statement.timestamp > state.last_evidence_at:
        state.last_evidence_at = statement.timestamp
    state.status = status_after(previous=state.status, p_mastery=after, n_attempts=state.n_attempts)
    state.parameter_set = parameter_set
    return StateChange(
        state=state,
        statement=statement,
        p_before=before,
        p_after=after,
        parameter_set=parameter_set,
        at=statement.timestamp,
    )


@transaction.atomic
def mastery_apply(*, statement: Statement) -> list[StateChange]:
    """Update the student's state on every competency the statement is about."""
    if statement.result_success is None:
        return []
    parameter_set = active_parameter_set()
    changes = []
    for competency in statement.competencies.all():
        params = bkt_params_for(parameter_set, competency.human_coding_scheme)
        state, _ = LearnerState.objects.select_for_update().get_or_create(
            student_id=statement.actor_id,
            competency=competency,
            defaults={"p_mastery": params.p_init, "parameter_set": parameter_set},
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


# (student, competency) pairs per locking query: SQLite nests OR terms and caps their depth.
PAIR_CHUNK = 200
STATE_FIELDS = [
    "p_mastery",
    "evidence_weight",
    "n_attempts",
    "n_correct",
    "last_evidence_at",
    "status",
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
    parameter_set = active_parameter_set()
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
        LearnerState.objects.bulk_create(
            [
                LearnerState(
                    student_id=student_id,
                    competency_id=competency_id,
                    p_mastery=bkt_params_for(
                        parameter_set, by_pk[competency_id].human_coding_scheme
                    ).p_init,
                    parameter_set=parameter_set,
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
            params = bkt_params_for(parameter_set, competency.human_coding_scheme)
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
def mastery_seed(*, statement: Statement, competency: Competency, p_mastery: float) -> StateChange:
    """Set one learner state to an estimate made elsewhere from ``statement``'s evidence (a
    diagnostic placement's posterior), and record the change so the "why" page can show it.

    A seed is not an answer: the answer counts and the time of last practice stay as they were,
    so spaced review starts only once the competency is practised. It is mastered when the
    seed reaches the mastery rule's threshold, however few answers there are: the evidence
    behind the seed stands in for them.
    """
    if not 0.0 <= p_mastery <= 1.0:
        raise ValueError(f"p_mastery={p_mastery} is outside [0, 1]")
    parameter_set = active_parameter_set()
    params = bkt_params_for(parameter_set, competency.human_coding_scheme)
    state, _ = LearnerState.objects.select_for_update().get_or_create(
        student_id=statement.actor_id,
        competency=competency,
        defaults={"p_mastery": params.p_init, "parameter_set": parameter_set},
    )
    before = state.p_mastery
    state.p_mastery = p_mastery
    state.evidence_weight += statement.weight
    if p_mastery >= MASTERED_AT:
        state.status = Status.MASTERED
    else:
        state.status = status_after(
            previous=state.status, p_mastery=p_mastery, n_attempts=state.n_attempts
        )
    state.parameter_set = parameter_set
    state.save()
    states_changed(student_ids=[statement.actor_id])
    return StateChange.objects.create(
        state=state,
        statement=statement,
        p_before=before,
        p_after=p_mastery,
        parameter_set=parameter_set,
        at=statement.timestamp,
    )


def _replayed(
    *, student_id: int, competency: Competency, params: tandem_engine.BKTParams
) -> dict[str, Any]:
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
    state: dict[str, Any] = {
        "p_mastery": params.p_init,
        "evidence_weight": 0.0,
        "n_attempts": 0,
        "n_correct": 0,
        "last_evidence_at": None,
        "status": Status.NOT_STARTED,
    }

    def seed(weight: float, p_seed: float) -> None:
        state["p_mastery"] = p_seed
        state["evidence_weight"] += weight
        state["status"] = (
            Status.MASTERED
            if p_seed >= MASTERED_AT
            else status_after(
                previous=state["status"], p_mastery=p_seed, n_attempts=state["n_attempts"]
            )
        )

    next_seed = 0
    for success, weight, at in answers:
        # A seed placed strictly before an answer comes first, exactly as calibration orders them.
        while next_seed < len(seeds) and seeds[next_seed][0] < at:
            seed(*seeds[next_seed][1:])
            next_seed += 1
        after = tandem_engine.bkt_step(state["p_mastery"], success, params, weight=weight)
        state["p_mastery"] = after
        state["evidence_weight"] += weight
        state["n_attempts"] += 1
        state["n_correct"] += int(success)
        if state["last_evidence_at"] is None or at > state["last_evidence_at"]:
            state["last_evidence_at"] = at
        state["status"] = status_after(
            previous=state["status"], p_mastery=after, n_attempts=state["n_attempts"]
        )
    for _, weight, p_seed in seeds[next_seed:]:
        seed(weight, p_seed)
    return state


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
        for name, value in _replayed(
            student_id=student_id, competency=competency, params=params
        ).items():
            setattr(state, name, value)
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
    "mastery_apply_many",
    "mastery_recompute",
    "mastery_seed",
]
