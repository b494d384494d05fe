"""Calibration: fit the learner model on this installation's own evidence and adopt the result.

:func:`evidence_log` turns stored statements into the engine's :class:`~tandem_engine.ResponseLog`;
:func:`calibrate` fits BKT on it by EM, measures held-out accuracy, stores a new versioned
parameter set, makes it the active one and replays every learner state under it.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.db import connections, router, transaction
from django.db.models import Count, Max
from django.utils import timezone

import tandem_engine
from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.mastery.constants import SEED_EXTENSION, Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.rules import MASTERED_AT, status_after
from tandem.mastery.services import STATE_FIELDS, active_parameter_set, bkt_params_for
from tandem.mastery.signals import states_changed

Progress = Callable[[int, str], None]

# Below these the fit says more about noise than about the students.
MIN_ANSWERS = 200
MIN_STUDENTS = 5
# A competency with fewer answers than this keeps the pooled default instead of its own fit.
MIN_COMPETENCY_ANSWERS = 30
HOLDOUT_FRACTION = 0.2
SPLIT_SEED = 2026
MAX_GUESS = 0.3
MAX_SLIP = 0.3
_PARAM_NAMES = ("p_init", "p_learn", "p_guess", "p_slip", "p_forget")


class InsufficientEvidenceError(RuntimeError):
    """The installation's evidence cannot support a calibration; nothing was stored."""


# -- reading the evidence --------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """Statements with a result, in replay order (timestamp, then arrival), as parallel lists."""

    statement_ids: list[uuid.UUID]
    actor_ids: list[int]
    item_keys: list[str]
    correct: list[bool]
    weights: list[float]
    timestamps: list[Any]
    competency_ids: list[tuple[int, ...]]
    code_of: dict[int, str]
    fingerprint: tuple[int, Any]
    # Estimates set from elsewhere (a diagnostic's posterior, see ``mastery_seed``), in time
    # order: (timestamp, statement id, student, weight, {competency id: p_mastery}).
    seeds: list[tuple[Any, uuid.UUID, int, float, dict[int, float]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statement_ids)


def _fingerprint() -> tuple[int, Any]:
    """Changes whenever a statement is added (evidence is append-only)."""
    agg = Statement.objects.aggregate(n=Count("pk"), last=Max("stored"))
    return int(agg["n"]), agg["last"]


def _read_evidence() -> _Evidence:
    fingerprint = _fingerprint()
    rows = list(
        Statement.objects.filter(result_success__isnull=False, voided_by__isnull=True)
        .order_by("timestamp", "stored", "id")
        .values_list(
            "id", "actor_id", "item_id", "object_id", "result_success", "weight", "timestamp"
        )
    )
    links: dict[uuid.UUID, list[int]] = {}
    through = Statement.competencies.through.objects.filter(statement__result_success__isnull=False)
    for statement_id, competency_id in through.values_list("statement_id", "competency_id"):
        links.setdefault(statement_id, []).append(competency_id)
    used = {cid for cids in links.values() for cid in cids}
    code_of = dict(Competency.objects.filter(pk__in=used).values_list("pk", "human_coding_scheme"))
    ids, actors, items, correct, weights, stamps, comps = [], [], [], [], [], [], []
    for statement_id, actor_id, item_id, object_id, success, weight, timestamp in rows:
        cids = links.get(statement_id)
        if not cids:
            continue
        ids.append(statement_id)
        actors.append(actor_id)
        items.append(f"item:{item_id}" if item_id is not None else object_id)
        correct.append(bool(success))
        weights.append(float(weight))
        stamps.append(timestamp)
        comps.append(tuple(sorted(cids)))
    return _Evidence(
        ids, actors, items, correct, weights, stamps, comps, code_of, fingerprint, _read_seeds()
    )


def _read_seeds() -> list[tuple[Any, uuid.UUID, int, float, dict[int, float]]]:
    rows = list(
        Statement.objects.filter(
            result_success__isnull=True,
            voided_by__isnull=True,
            context_extensions__has_key=SEED_EXTENSION,
        )
        .order_by("timestamp", "stored", "id")
        .values_list("timestamp", "id", "actor_id", "weight", "context_extensions")
    )
    codes = {code for *_, ext in rows for code in (ext.get(SEED_EXTENSION) or {})}
    pk_of = dict(
        Competency.objects.filter(human_coding_scheme__in=codes).values_list(
            "human_coding_scheme", "pk"
        )
    )
    seeds = []
    for timestamp, statement_id, actor_id, weight, ext in rows:
        posterior = {
            pk_of[code]: float(p)
            for code, p in (ext.get(SEED_EXTENSION) or {}).items()
            if code in pk_of and 0.0 <= float(p) <= 1.0
        }
        if posterior:
            seeds.append((timestamp, statement_id, actor_id, float(weight), posterior))
    return seeds


def _seed_codes(evidence: _Evidence) -> dict[int, str]:
    wanted = {cid for *_, posterior in evidence.seeds for cid in posterior} - set(evidence.code_of)
    return dict(Competency.objects.filter(pk__in=wanted).values_list("pk", "human_coding_scheme"))


def _response_log(evidence: _Evidence) -> tandem_engine.ResponseLog:
    student_ids = sorted(set(evidence.actor_ids))
    student_code = {sid: k for k, sid in enumerate(student_ids)}
    skill_ids = sorted(set(evidence.code_of.values()))
    skill_code = {code: k for k, code in enumerate(skill_ids)}
    item_code: dict[str, int] = {}
    q_pairs: set[tuple[int, int]] = set()
    items = np.empty(len(evidence), dtype=np.int64)
    for row, (key, cids) in enumerate(
        zip(evidence.item_keys, evidence.competency_ids, strict=True)
    ):
        code = item_code.setdefault(key, len(item_code))
        items[row] = code
        # An item's skills are every competency any of its statements named.
        q_pairs.update((code, skill_code[evidence.code_of[cid]]) for cid in cids)
    q_rows, q_cols = zip(*q_pairs, strict=True) if q_pairs else ((), ())
    q_matrix = sp.csr_matrix(
        (np.ones(len(q_rows), dtype=np.bool_), (q_rows, q_cols)),
        shape=(len(item_code), len(skill_ids)),
    )
    return tandem_engine.ResponseLog.from_arrays(
        student=[student_code[a] for a in evidence.actor_ids],
        item=items,
        correct=np.asarray(evidence.correct, dtype=np.bool_),
        q_matrix=q_matrix,
        # Rows arrive in replay order, so the row number orders each student's answers.
        order=np.arange(len(evidence), dtype=np.float64),
        timestamp=[t.timestamp() for t in evidence.timestamps],
        student_ids=[str(s) for s in student_ids],
        item_ids=list(item_code),
        skill_ids=skill_ids,
    )


def evidence_log() -> tandem_engine.ResponseLog:
    """Every statement with a right/wrong result as a response log, for the engine.

    Students are users, skills are competencies (by human coding scheme), items are content
    items (or the statement's activity IRI when it has none, as for teacher observations), and
    each student's rows follow the statements' timestamps. Voided statements are left out.
    """
    return _response_log(_read_evidence())


# -- fitting ---------------------------------------------------------------------------------


def _model(seed: int) -> tandem_engine.BKT:
    return tandem_engine.BKT(max_guess=MAX_GUESS, max_slip=MAX_SLIP, random_state=seed)


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _held_out(
    log: tandem_engine.ResponseLog, *, seed: int, current: ParameterSet
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scores of a fit on 80% of the students, on the other 20%; and of ``current`` there.

    The second is a fair comparison only when ``current`` was not itself fitted on those
    students (for the literature defaults, say); a calibrated set has usually seen them.
    """
    rng = np.random.default_rng(seed)
    n_test = max(1, round(HOLDOUT_FRACTION * log.n_students))
    in_test = np.zeros(log.n_students, dtype=np.bool_)
    in_test[rng.permutation(log.n_students)[:n_test]] = True
    test_rows = in_test[log.student]
    train, test = log.select(~test_rows), log.select(test_rows)
    fitted = _model(seed).fit(train)
    scores = tandem_engine.score(test.correct, fitted.predict_proba(test))
    before = tandem_engine.BKT.from_params(
        [bkt_params_for(current, code) for code in log.skill_ids],
        log.q_matrix,
        item_ids=log.item_ids,
        skill_ids=log.skill_ids,
        base_rate=float(train.correct.mean()),
    )
    scores_before = tandem_engine.score(test.correct, before.predict_proba(test))
    size = {"n_students": n_test, "n_responses": test.n_responses}
    return (
        {**{k: _json_float(v) for k, v in scores.items()}, **size},
        {**{k: _json_float(v) for k, v in scores_before.items()}, "version": current.version},
    )


def _params_dict(params: tandem_engine.BKTParams) -> dict[str, float]:
    return {name: round(float(getattr(params, name)), 6) for name in _PARAM_NAMES}


def _fitted_params(
    model: tandem_engine.BKT, log: tandem_engine.ResponseLog
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The pooled default and the per-competency parameters worth keeping."""
    _, skills = log.row_skills()
    counts = np.bincount(skills, minlength=log.n_skills)
    own = counts >= MIN_COMPETENCY_ANSWERS
    pool = own if own.any() else counts > 0
    pooled = np.average(model.params_array_[:, pool], axis=1, weights=counts[pool])
    default = tandem_engine.BKTParams(*(float(v) for v in pooled)).validate()
    per_competency = {
        code: _params_dict(params)
        for code, params, keep in zip(log.skill_ids, model.params_, own, strict=True)
        if keep
    }
    return _params_dict(default), per_competency


# -- the live predictor (issue #10): P(correct) for the next-item policy, inside a request --


def _live_params(
    log: tandem_engine.ResponseLog, model: tandem_engine.BKT, *, seed: int
) -> dict[str, Any]:
    """A :class:`~tandem_engine.LivePredictor` fitted on ``log`` (mastery from ``model``), as
    JSON, with ``heldout``: its scores when fitted on the same 80% of students as
    :func:`_held_out` and scored on the other 20%."""
    rng = np.random.default_rng(seed)
    n_test = max(1, round(HOLDOUT_FRACTION * log.n_students))
    in_test = np.zeros(log.n_students, dtype=np.bool_)
    in_test[rng.permutation(log.n_students)[:n_test]] = True
    train, test = log.select(~in_test[log.student]), log.select(in_test[log.student])
    bkt = _model(seed).fit(train)
    p = tandem_engine.LivePredictor.fit(train, bkt=bkt).predict_log(test, bkt=bkt)
    scores = {k: _json_float(v) for k, v in tandem_engine.score(test.correct, p).items()}
    live = tandem_engine.LivePredictor.fit(log, bkt=model).to_dict()
    return {**live, "heldout": {**scores, "n_students": n_test, "n_responses": test.n_responses}}


def _next_version() -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    n = ParameterSet.objects.count() + 1
    while ParameterSet.objects.filter(version=f"bkt-{stamp}-{n}").exists():
        n += 1
    return f"bkt-{stamp}-{n}"


# -- replaying learner states ----------------------------------------------------------------


@dataclass
class _ReplayedState:
    p_mastery: float
    evidence_weight: float = 0.0
    n_attempts: int = 0
    n_correct: int = 0
    last_evidence_at: Any = None
    status: str = Status.NOT_STARTED


@dataclass
class _Replay:
    states: dict[tuple[int, int], _ReplayedState] = field(default_factory=dict)
    # (student, competency, statement, p_before, p_after, at), in replay order.
    changes: list[tuple[int, int, uuid.UUID, float, float, Any]] = field(default_factory=list)


def _replay(evidence: _Evidence, parameter_set: ParameterSet, progress: Progress) -> _Replay:
    """Every learner state rebuilt from its evidence in time order, as ``mastery_apply`` would."""
    codes = evidence.code_of | _seed_codes(evidence)
    params = {cid: bkt_params_for(parameter_set, code) for cid, code in codes.items()}
    out = _Replay()
    states = out.states
    step = tandem_engine.bkt_step
    tick = max(len(evidence) // 4, 1)
    seeds = evidence.seeds
    next_seed = 0

    def apply_seed(seed: tuple[Any, uuid.UUID, int, float, dict[int, float]]) -> None:
        # As ``mastery_seed``: the estimate is set, answer counts and practice time stay.
        at, statement_id, student, weight, posterior = seed
        for cid, p_seed in posterior.items():
            p = params[cid]
            state = states.get((student, cid))
            if state is None:
                state = states[(student, cid)] = _ReplayedState(p_mastery=p.p_init)
            before = state.p_mastery
            state.p_mastery = p_seed
            state.evidence_weight += weight
            state.status = (
                Status.MASTERED
                if p_seed >= MASTERED_AT
                else status_after(
                    previous=state.status, p_mastery=p_seed, n_attempts=state.n_attempts
                )
            )
            out.changes.append((student, cid, statement_id, before, p_seed, at))

    for row, cids in enumerate(evidence.competency_ids):
        while next_seed < len(seeds) and seeds[next_seed][0] < evidence.timestamps[row]:
            apply_seed(seeds[next_seed])
            next_seed += 1
        if row and row % tick == 0:
            progress(70 + 15 * row // len(evidence), "Replaying learner states")
        student = evidence.actor_ids[row]
        correct = evidence.correct[row]
        weight = evidence.weights[row]
        at = evidence.timestamps[row]
        for cid in cids:
            p = params[cid]
            state = states.get((student, cid))
            if state is None:
                state = states[(student, cid)] = _ReplayedState(p_mastery=p.p_init)
            before = state.p_mastery
            after = step(before, correct, p, weight=weight)
            state.p_mastery = after
            state.evidence_weight += weight
            state.n_attempts += 1
            state.n_correct += int(correct)
            if state.last_evidence_at is None or at > state.last_evidence_at:
                state.last_evidence_at = at
            state.status = status_after(
                previous=state.status, p_mastery=after, n_attempts=state.n_attempts
            )
            out.changes.append((student, cid, evidence.statement_ids[row], before, after, at))
    for seed in seeds[next_seed:]:
        apply_seed(seed)
    return out


def _update_states(states: list[LearnerState]) -> None:
    """Write each state's own values with one prepared UPDATE run for all of them.

    ``bulk_update`` builds a CASE expression per field and row, which costs seconds for a
    school's few thousand states; this costs milliseconds.
    """
    connection = connections[router.db_for_write(LearnerState)]
    meta = LearnerState._meta
    fields = [f for f in meta.concrete_fields if f.name in STATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    rows = [
        [f.get_db_prep_save(getattr(state, f.attname), connection) for f in fields] + [state.pk]
        for state in states
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_replay(replay: _Replay, parameter_set: ParameterSet) -> tuple[int, int]:
    """Replace every learner state's values and explanation by the replayed ones."""
    now = timezone.now()
    existing = {
        (student, competency): pk
        for pk, student, competency in LearnerState.objects.values_list(
            "pk", "student_id", "competency_id"
        )
    }
    # State changes are derived from the evidence, which stays untouched; rebuild them all.
    StateChange.objects.all().delete()
    updates: list[LearnerState] = []
    creates: list[LearnerState] = []
    for (student, competency), replayed in replay.states.items():
        state = LearnerState(
            pk=existing.get((student, competency)),
            student_id=student,
            competency_id=competency,
            p_mastery=replayed.p_mastery,
            evidence_weight=replayed.evidence_weight,
            n_attempts=replayed.n_attempts,
            n_correct=replayed.n_correct,
            last_evidence_at=replayed.last_evidence_at,
            status=replayed.status,
            parameter_set=parameter_set,
            updated_at=now,
        )
        (creates if state.pk is None else updates).append(state)
    # A state whose evidence is all voided goes back to where every state starts.
    codes = dict(Competency.objects.values_list("pk", "human_coding_scheme"))
    for (student, competency), pk in existing.items():
        if (student, competency) not in replay.states:
            updates.append(
                LearnerState(
                    pk=pk,
                    p_mastery=bkt_params_for(parameter_set, codes[competency]).p_init,
                    evidence_weight=0.0,
                    n_attempts=0,
                    n_correct=0,
                    last_evidence_at=None,
                    status=Status.NOT_STARTED,
                    parameter_set=parameter_set,
                    updated_at=now,
                )
            )
    _update_states(updates)
    LearnerState.objects.bulk_create(creates, batch_size=2000)
    if creates:
        existing = {
            (student, competency): pk
            for pk, student, competency in LearnerState.objects.values_list(
                "pk", "student_id", "competency_id"
            )
        }
    StateChange.objects.bulk_create(
        (
            StateChange(
                state_id=existing[(student, competency)],
                statement_id=statement_id,
                p_before=before,
                p_after=after,
                parameter_set=parameter_set,
                at=at,
            )
            for student, competency, statement_id, before, after, at in replay.changes
        ),
        batch_size=5000,
    )
    # Every estimate may have moved: tell the apps that mirror estimates elsewhere (LMS grades).
    states_changed(student_ids={student for student, _ in existing})
    return len(updates) + len(creates), len(replay.changes)


# -- the whole calibration -------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationReport:
    """What one calibration fitted, measured and changed."""

    version: str
    previous_version: str
    activated: bool
    n_responses: int
    n_students: int
    n_items: int
    n_competencies: int
    n_competencies_fitted: int
    log_likelihood: float
    n_iter: int
    heldout: dict[str, Any]
    heldout_before: dict[str, Any]
    default_params: dict[str, float]
    states_recomputed: int
    changes_recomputed: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        def metric(scores: dict[str, Any], name: str) -> str:
            value = scores.get(name)
            return "n/a" if value is None else f"{value:.3f}"

        d = self.default_params
        lines = [
            f"Calibrated parameter set {self.version}"
            + (" (now active)" if self.activated else " (stored, not active)"),
            f"  previous active set: {self.previous_version}",
            f"  evidence: {self.n_responses} answers from {self.n_students} students, "
            f"{self.n_items} items, {self.n_competencies} competencies "
            f"({self.n_competencies_fitted} with their own parameters)",
            f"  fit: log-likelihood {self.log_likelihood:.1f} after {self.n_iter} EM iterations; "
            f"default p_init {d['p_init']:.3f}, p_learn {d['p_learn']:.3f}, "
            f"p_guess {d['p_guess']:.3f}, p_slip {d['p_slip']:.3f}",
            f"  held-out ({self.heldout['n_students']} students, "
            f"{self.heldout['n_responses']} answers): AUC {metric(self.heldout, 'auc')}, "
            f"RMSE {metric(self.heldout, 'rmse')}",
            f"  previous set on the same students: AUC {metric(self.heldout_before, 'auc')}, "
            f"RMSE {metric(self.heldout_before, 'rmse')} (optimistic if it was fitted on them)",
            f"  recomputed {self.states_recomputed} learner states and "
            f"{self.changes_recomputed} state changes",
            f"  took {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def _silent(percent: int, message: str) -> None:
    return None


def calibrate(
    *,
    progress: Progress | None = None,
    activate: bool = True,
    recompute: bool = True,
    seed: int = SPLIT_SEED,
    min_answers: int = MIN_ANSWERS,
) -> CalibrationReport:
    """Fit BKT on this installation's evidence and store it as a new parameter set.

    With ``activate`` the new set becomes the one new estimates use; with ``recompute`` every
    learner state and state change is rebuilt under it, so that no stored estimate names an
    older set. ``progress(percent, message)`` hears how far it got. Raises
    :class:`InsufficientEvidenceError`, storing nothing, when there is too little evidence.
    """
    if recompute and not activate:
        raise ValueError("recompute=True needs activate=True: estimates use the active set")
    report = progress or _silent
    started = time.perf_counter()
    report(0, "Reading the evidence log")
    evidence = _read_evidence()
    log = _response_log(evidence)
    if log.n_responses < min_answers or log.n_students < MIN_STUDENTS:
        raise InsufficientEvidenceError(
            f"Too little evidence to calibrate: {log.n_responses} answers from "
            f"{log.n_students} students (at least {min_answers} answers from {MIN_STUDENTS} "
            "students are needed). The current parameters stay in use."
        )
    current = active_parameter_set()
    report(10, f"Measuring held-out accuracy on {log.n_responses} answers")
    heldout, heldout_before = _held_out(log, seed=seed, current=current)
    report(40, f"Fitting on all {log.n_responses} answers from {log.n_students} students")
    model = _model(seed).fit(log)
    default, per_competency = _fitted_params(model, log)
    live = _live_params(log, model, seed=seed)  # LivePredictor for the web layer (issue #10)
    heldout["live_auc"] = live["heldout"]["auc"]
    fit = {
        "n_responses": log.n_responses,
        "n_students": log.n_students,
        "n_items": log.n_items,
        "n_competencies": log.n_skills,
        "n_competencies_fitted": len(per_competency),
        "log_likelihood": round(model.log_likelihood_, 3),
        "n_iter": model.n_iter_,
        "max_guess": MAX_GUESS,
        "max_slip": MAX_SLIP,
        "heldout": heldout,
        "heldout_before": heldout_before,
        "seed": seed,
    }
    parameter_set = ParameterSet(
        model_name="bkt",
        engine_version=tandem_engine.ENGINE_VERSION,
        params={"default": default, "per_competency": per_competency, "fit": fit, "live": live},
        notes=(
            f"Fitted by EM on {log.n_responses} answers from {log.n_students} students "
            f"({log.n_skills} competencies, {len(per_competency)} with {MIN_COMPETENCY_ANSWERS}+ "
            f"answers have their own parameters; guess and slip at most {MAX_GUESS}). "
            f"Log-likelihood {model.log_likelihood_:.1f}. Held-out (fit on 80% of students, "
            f"scored on the other 20%): AUC {heldout['auc']}, RMSE {heldout['rmse']}; "
            f"previous set {current.version} on the same students: AUC {heldout_before['auc']}."
        ),
        is_active=activate,
    )
    replay = _Replay()
    if recompute:
        report(70, "Replaying learner states")
        replay = _replay(evidence, parameter_set, report)
    report(90, "Storing the parameter set and learner states")
    n_states = n_changes = 0
    with transaction.atomic():
        if recompute and _fingerprint() != evidence.fingerprint:
            # Evidence arrived meanwhile: replay again, now that no writer can slip in between.
            replay = _replay(_read_evidence(), parameter_set, _silent)
        if activate:
            ParameterSet.objects.filter(is_active=True).update(is_active=False)
        parameter_set.version = _next_version()
        parameter_set.save()
        if recompute:
            n_states, n_changes = _write_replay(replay, parameter_set)
    result = CalibrationReport(
        version=parameter_set.version,
        previous_version=current.version,
        activated=activate,
        n_responses=log.n_responses,
        n_students=log.n_students,
        n_items=log.n_items,
        n_competencies=log.n_skills,
        n_competencies_fitted=len(per_competency),
        log_likelihood=model.log_likelihood_,
        n_iter=model.n_iter_,
        heldout=heldout,
        heldout_before=heldout_before,
        default_params=default,
        states_recomputed=n_states,
        changes_recomputed=n_changes,
        seconds=time.perf_counter() - started,
    )
    report(100, f"Done: {parameter_set.version} is {'active' if activate else 'stored'}")
    return result
