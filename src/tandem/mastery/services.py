"""Writes of learner state: the thin adapter between stored evidence and the pure engine."""

from __future__ import annotations

from typing import Any

from django.db import transaction

import tandem_engine
from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
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


__all__ = ["Status", "active_parameter_set", "bkt_params_for", "mastery_apply", "mastery_seed"]
