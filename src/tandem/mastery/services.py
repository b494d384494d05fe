"""Writes of learner state: the thin adapter between stored evidence and the pure engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

import tandem_engine
from tandem.competencies.models import Competency
from tandem.evidence.constants import Verb
from tandem.evidence.models import Statement
from tandem.mastery.constants import SEED_EXTENSION, Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.rules import MASTERED_AT, status_after

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
        state.status = status_after(
            previous=state.status, p_mastery=after, n_attempts=state.n_attempts
        )
        state.parameter_set = parameter_set
        state.save()
        changes.append(
            StateChange.objects.create(
                state=state,
                statement=statement,
                p_before=before,
                p_after=after,
                parameter_set=parameter_set,
                at=statement.timestamp,
            )
        )
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
    return changes


__all__ = [
    "Status",
    "active_parameter_set",
    "bkt_params_for",
    "mastery_apply",
    "mastery_recompute",
    "mastery_seed",
]
