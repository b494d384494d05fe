"""Calibration: fit the learner model on this installation's own evidence and adopt the result
only when it is no worse.

:func:`evidence_log` turns stored statements into the engine's :class:`~tandem_engine.ResponseLog`;
:func:`calibrate` fits BKT on it by EM and the grade-gap priors (:mod:`tandem.mastery.priors`),
scores the new set and the active one on the same held-out students, stores the new set, and
makes it the active one (replaying every learner state under it) only when its held-out AUC is
not lower and its log-loss not higher. :func:`parameter_set_activate` adopts a kept set later,
deliberately.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

import numpy as np
import scipy.sparse as sp
from django.db import connections, router, transaction
from django.db.models import Count, Max
from django.utils import timezone

import tandem_engine
from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.mastery.constants import SEED_EXTENSION, Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.priors import (
    FirstAnswer,
    PriorFit,
    fit_prior_by_grade_gap,
    grade_gap,
    prior_p_mastery,
    prior_table,
)
from tandem.mastery.rules import (
    StateValues,
    answer_step,
    base_stability_from_forgetting,
    seed_step,
)
from tandem.mastery.services import STATE_FIELDS, active_parameter_set, bkt_params_for
from tandem.mastery.signals import states_changed
from tandem.roster.models import User

Progress = Callable[[int, str], None]

# Below these the fit says more about noise than about the students.
MIN_ANSWERS = 200
MIN_STUDENTS = 5
# A competency with fewer answers than this keeps the pooled default instead of its own fit.
MIN_COMPETENCY_ANSWERS = 30
HOLDOUT_FRACTION = 0.2
# Forgetting is fitted only on at least this many returns to a competency a day or more later:
# answers minutes apart say nothing about how mastery fades over days.
MIN_FORGETTING_GAPS = 50
SPLIT_SEED = 2026
# Guess and slip bounds of the fit: Corbett and Anderson's (1995) for knowledge tracing, guess at
# most 0.3 and slip at most 0.1. A slip above that lets EM explain slow, graded learning as
# "mastered but slipping": wrong answers then weigh little, a high learning rate lifts the
# estimate back at once, and a competency reads as mastered after three answers however many
# were wrong. In the classroom simulation (bench/classroom.py, 400 students) calibrating with
# a slip of up to 0.3 fitted 0.17 and halved the own-grade standards students learned per 100
# items after it (0.63 before the school's first calibration, 0.26-0.35 after); bounded at 0.1,
# 0.46-0.50 after it, and the calibration error of predicted success fell from 0.033 to 0.025.
MAX_GUESS = 0.3
MAX_SLIP = 0.1
# EM stops each competency on its own log-likelihood: a competency's parameters are then those
# of a fit on its answers alone, whatever else the installation holds, and a Spark job fitting
# competency by competency (``tandem spark-calibrate``) gives exactly the same set.
CONVERGENCE: Final = "per_competency"
# A new set must score at least as well as the active one on the held-out students. Differences
# smaller than half the last digit the report shows (AUC to 3 decimals, log-loss to 4) count as
# ties: the administrator never reads "0.682 vs 0.682" next to "kept inactive", and a refit on
# unchanged evidence is not refused for floating-point noise. Both are far below the sampling
# error of a held-out AUC (about 0.01 for a few thousand answers), so no real loss hides in them.
AUC_TOLERANCE = 0.0005
LOGLOSS_TOLERANCE = 0.00005
# Items are of difficulty 1-3; the recalibration of served predictions reads them as steps
# from this one.
MIDDLE_DIFFICULTY = 2
# Equal-width bins of predicted success for the reliability diagram.
RELIABILITY_BINS = 10
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
    # For the grade-gap priors: each student's OneRoster grade code, and each competency's
    # grade rank (None when it names no education level).
    grade_of: dict[int, str] = field(default_factory=dict)
    rank_of: dict[int, int | None] = field(default_factory=dict)
    # Rows the next-item policy served (practice answers): row -> the item's difficulty step
    # from the middle (-1, 0, 1), for the recalibration of served predictions.
    served: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.statement_ids)

    def gap(self, student: int, competency: int) -> int | None:
        return grade_gap(
            competency_grade_rank=self.rank_of.get(competency),
            student_grade=self.grade_of.get(student, ""),
        )


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
            "id",
            "actor_id",
            "item_id",
            "object_id",
            "result_success",
            "weight",
            "timestamp",
            "source",
        )
    )
    links: dict[uuid.UUID, list[int]] = {}
    through = Statement.competencies.through.objects.filter(statement__result_success__isnull=False)
    for statement_id, competency_id in through.values_list("statement_id", "competency_id"):
        links.setdefault(statement_id, []).append(competency_id)
    used = {cid for cids in links.values() for cid in cids}
    code_of = dict(Competency.objects.filter(pk__in=used).values_list("pk", "human_coding_scheme"))
    ids, actors, items, correct, weights, stamps, comps = [], [], [], [], [], [], []
    served_items: dict[int, Any] = {}
    for statement_id, actor_id, item_id, object_id, success, weight, timestamp, source in rows:
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
        if source == Source.PRACTICE and item_id is not None:
            served_items[len(ids) - 1] = item_id
    difficulty = dict(
        Item.objects.filter(pk__in=set(served_items.values())).values_list("pk", "difficulty")
    )
    served = {
        row: int(difficulty[item]) - MIDDLE_DIFFICULTY
        for row, item in served_items.items()
        if difficulty.get(item) is not None
    }
    seeds = _read_seeds()
    students = set(actors) | {student for _, _, student, _, _ in seeds}
    competencies = used | {cid for *_, posterior in seeds for cid in posterior}
    return _Evidence(
        ids,
        actors,
        items,
        correct,
        weights,
        stamps,
        comps,
        code_of,
        fingerprint,
        seeds,
        grade_of=_grades(students),
        rank_of=_ranks(competencies),
        served=served,
    )


def _grades(students: Collection[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=students).values_list("pk", "grade"))


def _ranks(competencies: Collection[int]) -> dict[int, int | None]:
    rows = Competency.objects.filter(pk__in=competencies).values_list(
        "pk", "grade_rank", "education_levels"
    )
    return {pk: rank if levels else None for pk, rank, levels in rows}


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
    return tandem_engine.BKT(
        max_guess=MAX_GUESS, max_slip=MAX_SLIP, convergence=CONVERGENCE, random_state=seed
    )


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _test_students(log: tandem_engine.ResponseLog, *, seed: int) -> np.ndarray:
    """Which of the log's students (in its order) are held out: a fixed fraction, by seed."""
    rng = np.random.default_rng(seed)
    n_test = max(1, round(HOLDOUT_FRACTION * log.n_students))
    in_test = np.zeros(log.n_students, dtype=np.bool_)
    in_test[rng.permutation(log.n_students)[:n_test]] = True
    return in_test


def _candidate(
    evidence: _Evidence, log: tandem_engine.ResponseLog, *, seed: int, students: Collection[int]
) -> tuple[dict[str, Any], tandem_engine.BKT, list[PriorFit]]:
    """The parameters calibration fits on ``log`` (restricted to ``students``' evidence)."""
    model = _model(seed).fit(log)
    default, per_competency = _fitted_params(model, log)
    params: dict[str, Any] = {"default": default, "per_competency": per_competency}
    priors = fit_prior_by_grade_gap(_first_answers(evidence, params, students=students))
    params["prior_by_grade_gap"] = prior_table(priors)
    return params, model, priors


def _reliability(correct: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    """Predicted vs observed success in equal-width bins of the prediction (empty bins left out)."""
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, RELIABILITY_BINS - 1)
    bins = []
    for k in range(RELIABILITY_BINS):
        mask = which == k
        n = int(mask.sum())
        if n:
            bins.append(
                {
                    "low": round(float(edges[k]), 2),
                    "high": round(float(edges[k + 1]), 2),
                    "n": n,
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(correct[mask].mean()), 4),
                }
            )
    return bins


def _scores(
    evidence: _Evidence, params: Mapping[str, Any], students: Collection[int]
) -> dict[str, Any]:
    """AUC, RMSE, log-loss and reliability of ``params`` predicting ``students``' answers, each
    from the same student's earlier evidence only, exactly as the product would have."""
    replay = _replay(evidence, params, _silent, students=students)
    correct = np.asarray([evidence.correct[row] for row in replay.rows], dtype=np.float64)
    p = np.asarray(replay.p_correct, dtype=np.float64)
    scores = tandem_engine.score(correct, p)
    return {
        **{k: _json_float(v) for k, v in scores.items()},
        "n_students": len(students),
        "n_responses": len(replay.rows),
        "reliability": _reliability(correct, p),
    }


def _held_out(
    evidence: _Evidence, log: tandem_engine.ResponseLog, *, seed: int, current: ParameterSet
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scores on the held-out students of a fit on the others, and of ``current`` on the same.

    The comparison leans towards ``current`` when it was itself fitted on these students (an
    earlier calibration usually was): a new set must then beat an optimistic score, which errs
    on the side of keeping what is in use.
    """
    in_test = _test_students(log, seed=seed)
    test_rows = in_test[log.student]
    train_students = {int(s) for s, t in zip(log.student_ids, in_test, strict=True) if not t}
    test_students = {int(s) for s, t in zip(log.student_ids, in_test, strict=True) if t}
    candidate, _, _ = _candidate(
        evidence, log.select(~test_rows), seed=seed, students=train_students
    )
    return (
        _scores(evidence, candidate, test_students),
        {
            **_scores(evidence, current.params, test_students),
            "version": current.version,
            # Fitted by an earlier calibration, probably on these very students.
            "fitted": bool(current.params.get("fit")),
        },
    )


def compare_heldout(new: Mapping[str, Any], active: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether ``new`` held-out scores are at least as good as ``active``'s, and why, in words.

    At least as good: AUC not lower and log-loss not higher, within the tolerances above, and
    an AUC above chance (0.5) whatever the active set's. A metric that could not be measured
    (AUC when every held-out answer was right, say) on the new set means it cannot be shown to
    be no worse, so it is not adopted.
    """
    version = active.get("version", "the active set")
    new_auc, old_auc = new.get("auc"), active.get("auc")
    new_loss, old_loss = new.get("logloss"), active.get("logloss")
    if new_auc is None or new_loss is None:
        return False, "kept inactive: its held-out AUC or log-loss could not be measured"
    if new_auc <= 0.5:
        # Beating an active set that is itself no better than chance proves nothing (seen in a
        # simulated school: 0.494 against 0.482 on ten held-out students).
        return False, f"kept inactive: held-out AUC {new_auc:.3f} is no better than chance"
    if old_auc is not None and new_auc < old_auc - AUC_TOLERANCE:
        return False, f"kept inactive: held-out AUC {new_auc:.3f} < active {old_auc:.3f}"
    if old_loss is not None and new_loss > old_loss + LOGLOSS_TOLERANCE:
        return False, f"kept inactive: held-out log-loss {new_loss:.4f} > active {old_loss:.4f}"
    auc = "n/a" if old_auc is None else f"{old_auc:.3f}"
    loss = "n/a" if old_loss is None else f"{old_loss:.4f}"
    return True, (
        f"activated: held-out AUC {new_auc:.3f} ≥ active {auc} and log-loss {new_loss:.4f} "
        f"≤ active {loss} ({version})"
    )


def _first_answers(
    evidence: _Evidence, params: Mapping[str, Any], *, students: Collection[int]
) -> list[FirstAnswer]:
    """The first answer of every learner state of ``students`` that started from its prior:
    not seeded by a diagnostic before it, with a known grade gap."""
    holder = ParameterSet(params=dict(params))
    seeded_at: dict[tuple[int, int], Any] = {}
    for at, _, student, _, posterior in evidence.seeds:
        for cid in posterior:
            seeded_at.setdefault((student, cid), at)
    seen: set[tuple[int, int]] = set()
    bkt: dict[int, tandem_engine.BKTParams] = {}
    out = []
    for row, cids in enumerate(evidence.competency_ids):
        student = evidence.actor_ids[row]
        if student not in students:
            continue
        for cid in cids:
            key = (student, cid)
            if key in seen:
                continue
            seen.add(key)
            seeded = seeded_at.get(key)
            gap = evidence.gap(student, cid)
            if gap is None or (seeded is not None and seeded < evidence.timestamps[row]):
                continue
            if cid not in bkt:
                bkt[cid] = bkt_params_for(holder, evidence.code_of[cid])
            p = bkt[cid]
            out.append(FirstAnswer(gap, evidence.correct[row], p.p_guess, p.p_slip))
    return out


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
    default = tandem_engine.pooled_params(model.params_array_[:, pool], counts[pool])
    per_competency = {
        code: _params_dict(params)
        for code, params, keep in zip(log.skill_ids, model.params_, own, strict=True)
        if keep
    }
    return _params_dict(default), per_competency


# -- the live predictor (issue #10): P(correct) for the next-item policy, inside a request --


def _served(evidence: _Evidence, log: tandem_engine.ResponseLog) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``log`` (whose ``order`` is the evidence row): whether the policy served it,
    and its item's difficulty step from the middle (0 where not served)."""
    rows = log.order.astype(np.int64).tolist()
    step = np.fromiter((evidence.served.get(r, np.nan) for r in rows), np.float64, len(rows))
    served = ~np.isnan(step)
    return served, np.where(served, step, 0.0)


def _expected_calibration_error(correct: np.ndarray, p: np.ndarray) -> float | None:
    bins = _reliability(correct, p)
    if not bins:
        return None
    total = sum(int(b["n"]) for b in bins)
    gap = sum(int(b["n"]) * abs(float(b["observed"]) - float(b["predicted"])) for b in bins)
    return round(gap / total, 4)


def _recalibration(
    live: tandem_engine.LivePredictor,
    train: tuple[tandem_engine.ResponseLog, np.ndarray, np.ndarray],
    test: tuple[tandem_engine.ResponseLog, np.ndarray, np.ndarray],
    *,
    bkt: tandem_engine.BKT,
) -> tuple[bool, dict[str, Any]]:
    """Whether a recalibration of ``live``'s predictions fitted on the training students'
    served answers predicts the held-out students' served answers no worse (log-loss), and
    the scores that say so. Both sides are scored with the fitted difficulty effect, so
    that only the map itself is judged."""
    (train_log, train_served, train_step), (test_log, test_served, test_step) = train, test
    p_train = live.predict_log(train_log, bkt=bkt)[train_served]
    recal = tandem_engine.Recalibration.fit(
        p_train, train_log.correct[train_served], difficulty=train_step[train_served]
    )
    y = test_log.correct[test_served].astype(np.float64)
    info: dict[str, Any] = {"n_train": int(train_served.sum()), "n_test": int(y.size)}
    if y.size == 0 or recal.n_train == 0:
        return False, info | {"decision": "not fitted: no served answers to fit or score on"}
    p_test = live.predict_log(test_log, bkt=bkt)[test_served]
    step = test_step[test_served]
    # Unmapped: the fitted difficulty effect alone.
    raw = tandem_engine.Recalibration(difficulty_coef=recal.difficulty_coef).apply(
        p_test, difficulty=step
    )
    mapped = recal.apply(p_test, difficulty=step)
    before = tandem_engine.score(y, raw)
    after = tandem_engine.score(y, mapped)
    no_worse = bool(after["logloss"] <= before["logloss"] + LOGLOSS_TOLERANCE)
    return no_worse, info | {
        "logloss_before": _json_float(before["logloss"]),
        "logloss_after": _json_float(after["logloss"]),
        "ece_before": _expected_calibration_error(y, raw),
        "ece_after": _expected_calibration_error(y, mapped),
        "decision": "applied" if no_worse else "not applied: held-out log-loss would rise",
    }


def _live_params(
    evidence: _Evidence, log: tandem_engine.ResponseLog, model: tandem_engine.BKT, *, seed: int
) -> dict[str, Any]:
    """A :class:`~tandem_engine.LivePredictor` fitted on ``log`` (mastery from ``model``), as
    JSON, with ``heldout``: its scores when fitted on the same 80% of students as
    :func:`_held_out` and scored on the other 20%.

    Its predictions are recalibrated on the answers to the items the policy served
    (:class:`~tandem_engine.Recalibration`) when that, fitted on the 80%, predicts the 20%'s
    served answers no worse; ``heldout["recalibration"]`` says how it scored."""
    in_test = _test_students(log, seed=seed)
    train, test = log.select(~in_test[log.student]), log.select(in_test[log.student])
    bkt = _model(seed).fit(train)
    live_train = tandem_engine.LivePredictor.fit(train, bkt=bkt)
    p = live_train.predict_log(test, bkt=bkt)
    scores = {k: _json_float(v) for k, v in tandem_engine.score(test.correct, p).items()}
    recalibrate, recal_scores = _recalibration(
        live_train, (train, *_served(evidence, train)), (test, *_served(evidence, test)), bkt=bkt
    )
    live = tandem_engine.LivePredictor.fit(log, bkt=model)
    if recalibrate:
        served, step = _served(evidence, log)
        recal = tandem_engine.Recalibration.fit(
            live.predict_log(log, bkt=model)[served], log.correct[served], difficulty=step[served]
        )
        live = replace(live, recalibration=recal)
    heldout = {
        **scores,
        "n_students": int(in_test.sum()),
        "n_responses": test.n_responses,
        "recalibration": recal_scores,
    }
    return {**live.to_dict(), "heldout": heldout}


def _forgetting(log: tandem_engine.ResponseLog, model: tandem_engine.BKT) -> dict[str, Any] | None:
    """BKT's forgetting per elapsed day, fitted on the installation's timestamped answers with
    the model's other parameters held (``tandem_engine.fit_daily_forgetting``), and the review
    rule's first stability it gives (``mastery.rules.review_rule_for``). None when fewer than
    ``MIN_FORGETTING_GAPS`` returns to a competency came a day or more later (too little to fit
    on: the hand-set rule stays)."""
    try:
        fitted = tandem_engine.fit_daily_forgetting(log, model)
    except (ValueError, FloatingPointError):
        return None
    if fitted.n_gaps_over_a_day < MIN_FORGETTING_GAPS:
        return None
    return {
        "p_forget_per_day": round(fitted.p_forget_per_day, 6),
        # None when no forgetting was seen (an infinite half-life is not JSON).
        "half_life_days": (
            round(fitted.half_life_days, 1) if math.isfinite(fitted.half_life_days) else None
        ),
        "log_likelihood_gain": round(fitted.log_likelihood - fitted.log_likelihood_without, 3),
        "n_gaps": fitted.n_gaps,
        "n_gaps_over_a_day": fitted.n_gaps_over_a_day,
        "median_gap_days": round(fitted.median_gap_days, 2),
        "base_stability_days": round(base_stability_from_forgetting(fitted.p_forget_per_day), 2),
    }


def _next_version() -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    n = ParameterSet.objects.count() + 1
    while ParameterSet.objects.filter(version=f"bkt-{stamp}-{n}").exists():
        n += 1
    return f"bkt-{stamp}-{n}"


# -- replaying learner states ----------------------------------------------------------------


@dataclass
class _Replay:
    states: dict[tuple[int, int], StateValues] = field(default_factory=dict)
    # (student, competency, statement, p_before, p_after, at), in replay order.
    changes: list[tuple[int, int, uuid.UUID, float, float, Any]] = field(default_factory=list)
    # Each replayed evidence row, and P(correct) predicted for it before it was seen.
    rows: list[int] = field(default_factory=list)
    p_correct: list[float] = field(default_factory=list)


def _replay(
    evidence: _Evidence,
    params_of_set: Mapping[str, Any],
    progress: Progress,
    *,
    students: Collection[int] | None = None,
) -> _Replay:
    """Every learner state rebuilt from its evidence in time order, as ``mastery_apply`` would:
    a new state starts from its grade-gap prior (:func:`~tandem.mastery.priors.prior_p_mastery`).

    With ``students``, only theirs (for scoring held-out students).
    """
    codes = evidence.code_of | _seed_codes(evidence)
    holder = ParameterSet(params=dict(params_of_set))
    params = {cid: bkt_params_for(holder, code) for cid, code in codes.items()}
    out = _Replay()
    states = out.states
    predict = tandem_engine.predict_correct
    tick = max(len(evidence) // 4, 1)
    seeds = evidence.seeds
    if students is not None:
        seeds = [seed for seed in seeds if seed[2] in students]
    next_seed = 0
    priors: dict[tuple[int | None, int], float] = {}

    def new_state(student: int, cid: int) -> StateValues:
        gap = evidence.gap(student, cid)
        if (gap, cid) not in priors:
            priors[(gap, cid)] = prior_p_mastery(params_of_set, code=codes[cid], grade_gap=gap)
        return StateValues(p_mastery=priors[(gap, cid)])

    def apply_seed(seed: tuple[Any, uuid.UUID, int, float, dict[int, float]]) -> None:
        # As ``mastery_seed``: the estimate is set, answer counts and practice time stay.
        at, statement_id, student, weight, posterior = seed
        for cid, p_seed in posterior.items():
            state = states.get((student, cid)) or new_state(student, cid)
            states[(student, cid)] = seed_step(state, p_seed=p_seed, weight=weight, at=at)
            out.changes.append((student, cid, statement_id, state.p_mastery, p_seed, at))

    for row, cids in enumerate(evidence.competency_ids):
        while next_seed < len(seeds) and seeds[next_seed][0] < evidence.timestamps[row]:
            apply_seed(seeds[next_seed])
            next_seed += 1
        if row and row % tick == 0:
            progress(70 + 15 * row // len(evidence), "Replaying learner states")
        student = evidence.actor_ids[row]
        if students is not None and student not in students:
            continue
        correct = evidence.correct[row]
        weight = evidence.weights[row]
        at = evidence.timestamps[row]
        # An answer on several competencies needs each of them (as the engine's "product").
        p_correct = 1.0
        for cid in cids:
            p = params[cid]
            state = states.get((student, cid)) or new_state(student, cid)
            before = state.p_mastery
            p_correct *= predict(before, p)
            after = answer_step(state, success=bool(correct), weight=weight, at=at, params=p)
            states[(student, cid)] = after
            out.changes.append(
                (student, cid, evidence.statement_ids[row], before, after.p_mastery, at)
            )
        out.rows.append(row)
        out.p_correct.append(p_correct)
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
            probable_since=replayed.probable_since,
            parameter_set=parameter_set,
            updated_at=now,
        )
        (creates if state.pk is None else updates).append(state)
    # A state whose evidence is all voided goes back to where every state starts: its prior.
    emptied = [key for key in existing if key not in replay.states]
    codes = dict(
        Competency.objects.filter(pk__in={c for _, c in emptied}).values_list(
            "pk", "human_coding_scheme"
        )
    )
    grade_of = _grades({s for s, _ in emptied})
    rank_of = _ranks(codes)
    for student, competency in emptied:
        pk = existing[(student, competency)]
        gap = grade_gap(
            competency_grade_rank=rank_of.get(competency),
            student_grade=grade_of.get(student, ""),
        )
        updates.append(
            LearnerState(
                pk=pk,
                p_mastery=prior_p_mastery(
                    parameter_set.params, code=codes[competency], grade_gap=gap
                ),
                evidence_weight=0.0,
                n_attempts=0,
                n_correct=0,
                last_evidence_at=None,
                status=Status.NOT_STARTED,
                probable_since=None,
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


def _metric(scores: Mapping[str, Any], name: str, digits: int = 3) -> str:
    value = scores.get(name)
    return "n/a" if value is None else f"{value:.{digits}f}"


@dataclass(frozen=True)
class CalibrationReport:
    """What one calibration fitted, measured, decided and changed."""

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
    # The new set's procedure fitted on the other students, and the set active at the time,
    # both scored on the same held-out students.
    heldout: dict[str, Any]
    heldout_before: dict[str, Any]
    default_params: dict[str, float]
    states_recomputed: int
    changes_recomputed: int
    seconds: float
    # Why the new set was or was not activated, in words ("kept inactive: held-out AUC …").
    decision: str = ""
    # One row per grade-gap bucket (see ``tandem.mastery.priors.PriorFit.as_dict``).
    prior_by_grade_gap: list[dict[str, Any]] = field(default_factory=list)
    # Forgetting per elapsed day and the review rule's first stability (see ``_forgetting``);
    # empty when no answers were days apart.
    forgetting: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def comparison(self) -> str:
        """The held-out comparison of the new set with the active one, in one line."""
        new, old = self.heldout, self.heldout_before
        return (
            f"held-out ({new['n_students']} students, {new['n_responses']} answers): "
            f"new AUC {_metric(new, 'auc')} vs active {_metric(old, 'auc')}, "
            f"log-loss {_metric(new, 'logloss', 4)} vs {_metric(old, 'logloss', 4)}, "
            f"RMSE {_metric(new, 'rmse')} vs {_metric(old, 'rmse')}"
        )

    def summary(self) -> str:
        d = self.default_params
        priors = ", ".join(f"{row['label']}: {row['p']:.2f}" for row in self.prior_by_grade_gap)
        lines = [
            f"Calibrated parameter set {self.version}"
            + (" (now active)" if self.activated else " (stored, not active)"),
            f"  {self.decision or ('activated' if self.activated else 'kept inactive')}",
            f"  active set before: {self.previous_version}",
            f"  evidence: {self.n_responses} answers from {self.n_students} students, "
            f"{self.n_items} items, {self.n_competencies} competencies "
            f"({self.n_competencies_fitted} with their own parameters)",
            f"  fit: log-likelihood {self.log_likelihood:.1f} after {self.n_iter} EM iterations; "
            f"default p_learn {d['p_learn']:.3f}, "
            f"p_guess {d['p_guess']:.3f}, p_slip {d['p_slip']:.3f}",
            f"  prior P(mastered) by grade gap: {priors or 'n/a'}",
            f"  {self.comparison()}",
            f"  recomputed {self.states_recomputed} learner states and "
            f"{self.changes_recomputed} state changes",
            f"  took {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def _silent(percent: int, message: str) -> None:
    return None


def _adopt(
    parameter_set: ParameterSet,
    evidence: _Evidence,
    replay: _Replay,
    *,
    activate: bool,
    recompute: bool,
) -> tuple[int, int]:
    """Store (or re-save) ``parameter_set``, active or not, with every state replayed under it.

    Evidence that arrived since ``replay`` was made is caught inside the transaction.
    """
    with transaction.atomic():
        if recompute and _fingerprint() != evidence.fingerprint:
            # Evidence arrived meanwhile: replay again, now that no writer can slip in between.
            replay = _replay(_read_evidence(), parameter_set.params, _silent)
        if activate:
            ParameterSet.objects.filter(is_active=True).exclude(pk=parameter_set.pk).update(
                is_active=False
            )
            parameter_set.is_active = True
        if not parameter_set.version:
            parameter_set.version = _next_version()
        parameter_set.save()
        if recompute:
            return _write_replay(replay, parameter_set)
    return 0, 0


def calibrate(
    *,
    progress: Progress | None = None,
    activate: bool = True,
    recompute: bool = True,
    seed: int = SPLIT_SEED,
    min_answers: int = MIN_ANSWERS,
) -> CalibrationReport:
    """Fit BKT and the grade-gap priors on this installation's evidence; store a new set.

    The new set and the active one are scored on the same held-out students
    (:func:`compare_heldout`). With ``activate`` the new set becomes the one new estimates use,
    but only when it is no worse; otherwise it is stored inactive and the report says why.
    With ``recompute`` an activated set also has every learner state and state change rebuilt
    under it, so that no stored estimate names an older set. ``progress(percent, message)``
    hears how far it got. Raises :class:`InsufficientEvidenceError`, storing nothing, when
    there is too little evidence.
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
    heldout, heldout_before = _held_out(evidence, log, seed=seed, current=current)
    no_worse, decision = compare_heldout(heldout, heldout_before)
    if not activate:
        decision = "stored inactive on request (" + decision.split(":", 1)[-1].strip() + ")"
    adopt = activate and no_worse
    report(40, f"Fitting on all {log.n_responses} answers from {log.n_students} students")
    params, model, priors = _candidate(evidence, log, seed=seed, students=set(evidence.actor_ids))
    default, per_competency = params["default"], params["per_competency"]
    # The LivePredictor for the web layer (issue #10).
    live = _live_params(evidence, log, model, seed=seed)
    report(60, "Fitting forgetting per day from the answers' dates")
    forgetting = _forgetting(log, model)
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
        "decision": decision,
        "prior_by_grade_gap": [row.as_dict() for row in priors],
        "seed": seed,
    }
    parameter_set = ParameterSet(
        model_name="bkt",
        engine_version=tandem_engine.ENGINE_VERSION,
        params={**params, "fit": fit, "live": live}
        | ({"forgetting": forgetting} if forgetting else {}),
        notes=(
            f"Fitted by EM on {log.n_responses} answers from {log.n_students} students "
            f"({log.n_skills} competencies, {len(per_competency)} with {MIN_COMPETENCY_ANSWERS}+ "
            f"answers have their own parameters; guess and slip at most {MAX_GUESS}); priors "
            f"by grade gap from first answers. Log-likelihood {model.log_likelihood_:.1f}. "
            f"Held-out (fit on 80% of students, scored on the other 20%): "
            f"AUC {heldout['auc']}, log-loss {heldout['logloss']}, RMSE {heldout['rmse']}; "
            f"active set {current.version} on the same students: AUC {heldout_before['auc']}, "
            f"log-loss {heldout_before['logloss']}. Decision: {decision}."
            + (
                f" Forgetting fitted on {forgetting['n_gaps_over_a_day']} returns a day or "
                "more later: "
                f"{forgetting['p_forget_per_day']} per day, so a first review after "
                f"{forgetting['base_stability_days']} days' stability."
                if forgetting
                else " Forgetting: too few returns a day or more later to fit it on; the set "
                "review rule stays."
            )
        ),
        is_active=False,
    )
    replay = _Replay()
    if adopt and recompute:
        report(70, "Replaying learner states")
        replay = _replay(evidence, parameter_set.params, report)
    report(90, "Storing the parameter set" + (" and learner states" if adopt else ""))
    n_states, n_changes = _adopt(
        parameter_set, evidence, replay, activate=adopt, recompute=adopt and recompute
    )
    result = CalibrationReport(
        version=parameter_set.version,
        previous_version=current.version,
        activated=adopt,
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
        decision=decision,
        prior_by_grade_gap=[row.as_dict() for row in priors],
        forgetting=forgetting or {},
    )
    report(100, f"Done: {parameter_set.version} {decision}")
    return result


def parameter_set_activate(
    *, parameter_set: ParameterSet, progress: Progress | None = None
) -> tuple[int, int]:
    """Make a stored set the active one, deliberately, and rebuild every learner state under it.

    For an administrator who adopts a set calibration kept inactive (audited by the caller,
    see ``tandem.mastery.tasks.calibration_run_activate``). Returns the numbers of learner
    states and state changes recomputed.
    """
    report = progress or _silent
    report(0, "Reading the evidence log")
    evidence = _read_evidence()
    report(10, "Replaying learner states")
    replay = _replay(evidence, parameter_set.params, report)
    report(90, "Storing the learner states")
    counts = _adopt(parameter_set, evidence, replay, activate=True, recompute=True)
    report(100, f"Done: {parameter_set.version} is active")
    return counts


# -- parameter sets fitted elsewhere (``tandem spark-calibrate``) ----------------------------


class ParameterDocumentError(ValueError):
    """A parameter-set document that Tandem cannot record; nothing was stored."""


def _document_params(section: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``default`` and ``per_competency`` of a document section, each a valid BKT set."""
    problems: list[str] = []
    out: dict[str, Any] = {"per_competency": {}}
    for label, values in [
        ("default", section.get("default")),
        *((f"per_competency[{c}]", v) for c, v in (section.get("per_competency") or {}).items()),
    ]:
        try:
            params = tandem_engine.BKTParams(**values)
        except TypeError:
            problems.append(f"{where}.{label}: not a BKT parameter set ({values!r})")
            continue
        problems.extend(f"{where}.{label}: {p}" for p in params.violations())
        if label == "default":
            out["default"] = _params_dict(params)
        else:
            out["per_competency"][label[len("per_competency[") : -1]] = _params_dict(params)
    if problems:
        raise ParameterDocumentError("; ".join(problems))
    return out


@dataclass(frozen=True)
class ImportReport:
    """What an import recorded, measured and decided (stored as its run's report)."""

    version: str
    previous_version: str
    activated: bool
    compared: bool
    decision: str
    heldout: dict[str, Any]
    heldout_before: dict[str, Any]
    states_recomputed: int
    changes_recomputed: int
    # The document's own account of its fit: answers, competencies, those with own parameters.
    n_responses: int = 0
    n_competencies: int = 0
    n_competencies_fitted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"Imported parameter set {self.version}"
            + (" (now active)" if self.activated else " (stored, not active)"),
            f"  {self.decision}",
            f"  active set before: {self.previous_version}",
        ]
        if self.compared:
            new, old = self.heldout, self.heldout_before
            lines.append(
                f"  held-out ({new['n_students']} students, {new['n_responses']} answers): "
                f"new AUC {_metric(new, 'auc')} vs active {_metric(old, 'auc')}, "
                f"log-loss {_metric(new, 'logloss', 4)} vs {_metric(old, 'logloss', 4)}"
            )
        if self.activated:
            lines.append(
                f"  recomputed {self.states_recomputed} learner states and "
                f"{self.changes_recomputed} state changes"
            )
        return "\n".join(lines)


def parameter_set_import(
    *, document: Mapping[str, Any], activate: bool = True, compare: bool = True
) -> ImportReport:
    """Record a parameter set fitted elsewhere (``tandem spark-calibrate``) and, as calibration
    does, activate it only when it is no worse than the active set on held-out students.

    The document carries the set fitted on every student and one fitted without the held-out
    students (:func:`tandem_spark.fit.is_heldout` of their exported key). Here both are completed
    with grade-gap priors from this installation's evidence, and the held-out one and the active
    set are scored on the held-out students' answers stored here. When that comparison cannot
    be made (no held-out fit in the document, evidence exported elsewhere or under another
    secret key, so that the held-out students cannot be found here, no held-out student's
    evidence here, or ``compare=False``) the set is recorded inactive and the decision says
    so; an administrator can activate it deliberately. Raises
    :class:`ParameterDocumentError`, storing nothing, for a document Tandem cannot use.
    """
    from tandem.evidence.export import key_check, student_key
    from tandem_spark.fit import FORMAT, is_heldout

    if document.get("format") != FORMAT or document.get("model_name") != "bkt":
        raise ParameterDocumentError(
            f"not a Tandem BKT parameter-set document (format {document.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    source = document.get("params") or {}
    params = _document_params(source, "params")
    fit = dict(source.get("fit") or {})
    current = active_parameter_set()
    evidence = _read_evidence() if len(Statement.objects.all()[:1]) else None
    heldout: dict[str, Any] = {}
    heldout_before: dict[str, Any] = {}
    compared = False
    if not activate:
        decision = "stored inactive on request"
    elif not compare:
        decision = "kept inactive: not compared with the active set on held-out students"
    elif "heldout" not in document:
        decision = "kept inactive: the document has no fit without the held-out students"
    elif (document.get("evidence") or {}).get("key_check") != key_check():
        # Another installation's (or secret key's) student keys: its held-out students cannot
        # be told apart here, and scoring on others would flatter the new set.
        decision = (
            "kept inactive: the evidence was not exported by this installation (or under "
            "another secret key), so its held-out students cannot be found here"
        )
    elif evidence is None:
        decision = "kept inactive: no evidence here to score it on held-out students"
    else:
        candidate = _document_params(document["heldout"], "heldout")
        actors = set(evidence.actor_ids)
        test = {a for a in actors if is_heldout(student_key(a))}
        if not test or test == actors:
            decision = "kept inactive: the held-out students have no evidence here to score on"
        else:
            candidate["prior_by_grade_gap"] = prior_table(
                fit_prior_by_grade_gap(_first_answers(evidence, candidate, students=actors - test))
            )
            heldout = _scores(evidence, candidate, test)
            heldout_before = {
                **_scores(evidence, current.params, test),
                "version": current.version,
                "fitted": bool(current.params.get("fit")),
            }
            compared = True
            _, decision = compare_heldout(heldout, heldout_before)
    adopt = compared and decision.startswith("activated")
    if evidence is not None:
        params["prior_by_grade_gap"] = prior_table(
            fit_prior_by_grade_gap(
                _first_answers(evidence, params, students=set(evidence.actor_ids))
            )
        )
    fit.update(heldout=heldout, heldout_before=heldout_before, decision=decision)
    parameter_set = ParameterSet(
        model_name="bkt",
        engine_version=str(document.get("engine_version", "")),
        params={**params, "fit": fit},
        notes=(
            f"Imported: fitted by {fit.get('by', 'another machine')} on "
            f"{fit.get('n_responses', '?')} answers ({fit.get('n_competencies', '?')} "
            f"competencies, {len(params['per_competency'])} with their own parameters). "
            f"Decision: {decision}."
        ),
        is_active=False,
    )
    n_states = n_changes = 0
    if adopt and evidence is not None:
        replay = _replay(evidence, parameter_set.params, _silent)
        n_states, n_changes = _adopt(parameter_set, evidence, replay, activate=True, recompute=True)
    else:
        parameter_set.version = _next_version()
        parameter_set.save()
    return ImportReport(
        version=parameter_set.version,
        previous_version=current.version,
        activated=adopt,
        compared=compared,
        decision=decision,
        heldout=heldout,
        heldout_before=heldout_before,
        states_recomputed=n_states,
        changes_recomputed=n_changes,
        n_responses=int(fit.get("n_responses") or 0),
        n_competencies=int(fit.get("n_competencies") or 0),
        n_competencies_fitted=len(params["per_competency"]),
    )
