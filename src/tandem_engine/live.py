"""A compact logistic predictor of P(correct) that the web layer can evaluate inside a request.

The next-item policy needs P(correct) for a handful of candidate competencies while the student
waits. Replaying the student's whole history through :class:`~tandem_engine.LogisticKT` or
:class:`~tandem_engine.BoostedKT` there is too slow, so :class:`LivePredictor` uses only what the
platform already stores per (student, competency) and per student:

per competency (skill)
    a skill intercept, ``log1p`` of right and of wrong answers on it, ``log1p`` of the days
    since the last answer on it with an indicator for "never practised", and the logit of the
    BKT mastery estimate;
per student
    ``log1p`` of all right and of all wrong answers.

:meth:`LivePredictor.fit` computes each feature as it was known just BEFORE each answer (counts
and totals of earlier rows only, BKT's prior rather than its posterior), so the fit sees no
answer's own outcome. A multi-skill answer gives one training row per skill, weighted so that
each answer counts once. Unseen skills get the mean skill intercept; predictions are clamped to
[0.01, 0.99]. The fitted model is a handful of floats and round-trips through JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from tandem_engine.bkt import BKT
from tandem_engine.log import FloatArray, IntArray, ResponseLog
from tandem_engine.recalibration import Recalibration

__all__ = ["FEATURES", "P_MAX", "P_MIN", "LivePredictor"]

#: The numeric features, in coefficient order.
FEATURES: tuple[str, ...] = (
    "log1p_right",
    "log1p_wrong",
    "log1p_days_since",
    "never_practised",
    "mastery_logit",
    "log1p_total_right",
    "log1p_total_wrong",
)
P_MIN = 0.01
P_MAX = 0.99
# The BKT estimate is clipped this far from 0 and 1 before its logit (|logit| <= 9.2).
_MASTERY_EPS = 1e-4
_SECONDS_PER_DAY = 86_400.0
_FORMAT = 1


def _design(
    n_right: FloatArray,
    n_wrong: FloatArray,
    days_since: FloatArray,
    p_mastery: FloatArray,
    total_right: FloatArray,
    total_wrong: FloatArray,
) -> FloatArray:
    """The numeric feature columns (FEATURES order); NaN ``days_since`` means never practised."""
    never = np.isnan(days_since)
    days = np.where(never, 0.0, np.maximum(np.nan_to_num(days_since, nan=0.0), 0.0))
    p = np.clip(p_mastery, _MASTERY_EPS, 1.0 - _MASTERY_EPS)
    out: FloatArray = np.column_stack(
        [
            np.log1p(n_right),
            np.log1p(n_wrong),
            np.log1p(days),
            never.astype(np.float64),
            np.log(p / (1.0 - p)),
            np.log1p(total_right),
            np.log1p(total_wrong),
        ]
    )
    return out


def _exclusive_group_sum(values: FloatArray, starts: IntArray) -> FloatArray:
    """Per element, the sum of the earlier elements of its group (groups are contiguous runs)."""
    n = values.shape[0]
    before = np.cumsum(values) - values
    lengths = np.diff(np.r_[starts, n])
    out: FloatArray = before - np.repeat(before[starts], lengths)
    return out


def _pair_features(log: ResponseLog, bkt: BKT) -> tuple[IntArray, IntArray, FloatArray]:
    """Each (row, skill) pair of ``log`` with its features as known before the row's answer."""
    n_skills = log.n_skills
    rows, skills = log.row_skills()
    y = log.correct.astype(np.float64)
    # Per (student, skill): earlier right/wrong answers and the time of the last one.
    key = log.student[rows] * n_skills + skills
    o = np.lexsort((rows, key))
    r_o, k_o = rows[o], key[o]
    m = r_o.shape[0]
    first = np.r_[True, k_o[1:] != k_o[:-1]] if m else np.zeros(0, dtype=np.bool_)
    starts = np.flatnonzero(first)
    right = np.empty(m)
    wrong = np.empty(m)
    right[o] = _exclusive_group_sum(y[r_o], starts)
    wrong[o] = _exclusive_group_sum(1.0 - y[r_o], starts)
    stamp = log.timestamp[r_o]
    previous = np.r_[np.nan, stamp[:-1]] if m else stamp
    days_o = (stamp - previous) / _SECONDS_PER_DAY
    # Practised before but without a clock (e.g. ASSISTments 2009): treat as "just now".
    days_o = np.where(np.isnan(days_o), 0.0, np.maximum(days_o, 0.0))
    days_o[first] = np.nan
    days = np.empty(m)
    days[o] = days_o
    # Per student: earlier right/wrong answers over all skills.
    s_starts, _ = log.student_bounds()
    total_right = _exclusive_group_sum(y, s_starts)[rows]
    total_wrong = _exclusive_group_sum(1.0 - y, s_starts)[rows]
    # BKT's P(mastered) before the answer, aligned on (row, skill).
    b_row, b_skill, b_prior = bkt.prior_mastery(log)
    mine = np.argsort(rows * n_skills + skills, kind="stable")
    theirs = np.argsort(b_row * n_skills + b_skill, kind="stable")
    prior = np.empty(m)
    prior[mine] = b_prior[theirs]
    x = _design(right, wrong, days, prior, total_right, total_wrong)
    return rows, skills, x


def _floats(name: str, value: ArrayLike, n: int) -> FloatArray:
    out = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    if name != "days_since" and np.isnan(out).any():
        raise ValueError(f"{name} holds NaN")
    if name in ("n_right", "n_wrong", "total_right", "total_wrong") and (out < 0).any():
        raise ValueError(f"{name} holds negative counts")
    return out


@dataclass(frozen=True, eq=False)
class LivePredictor:
    """Logistic P(correct) from stored per-competency and per-student summaries.

    ``skill_ids`` and ``skill_intercepts`` (the skill's log-odds with every feature at 0) are
    parallel; ``coef`` follows :data:`FEATURES`. ``heldout`` is whatever score the caller
    measured (not used to predict). Build one with :meth:`fit` or :meth:`from_dict`.
    """

    skill_ids: tuple[str, ...]
    skill_intercepts: tuple[float, ...]
    coef: tuple[float, ...]
    mean_intercept: float
    base_rate: float
    C: float = 1.0
    n_train: int = 0
    #: Applied to every prediction: fitted on the answers to the items the policy served
    #: (:mod:`tandem_engine.recalibration`); the identity until then.
    recalibration: Recalibration = field(default_factory=Recalibration)
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.skill_ids) != len(self.skill_intercepts):
            raise ValueError(
                f"{len(self.skill_ids)} skill ids for {len(self.skill_intercepts)} intercepts"
            )
        if len(self.coef) != len(FEATURES):
            raise ValueError(f"{len(self.coef)} coefficients, expected {len(FEATURES)}")
        values = (*self.skill_intercepts, *self.coef, self.mean_intercept, self.base_rate)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("a LivePredictor needs finite coefficients")
        object.__setattr__(self, "_index", {s: k for k, s in enumerate(self.skill_ids)})

    # -- fitting -----------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        log: ResponseLog,
        *,
        bkt: BKT | None = None,
        C: float = 1.0,  # noqa: N803 (scikit-learn's name for it)
    ) -> LivePredictor:
        """Fit on ``log``; ``bkt`` (fitted on the same vocabulary) supplies the mastery
        feature, else a default :class:`BKT` is fitted on ``log`` first."""
        # scikit-learn only where fitting happens: web processes load predictors, never fit.
        from sklearn.linear_model import LogisticRegression

        model = bkt if bkt is not None else BKT().fit(log)
        rows, skills, x = _pair_features(log, model)
        y = log.correct[rows].astype(np.int64)
        base = float(log.correct.mean()) if log.n_responses else 0.5
        per_row = np.bincount(rows, minlength=log.n_responses)
        weight = 1.0 / np.maximum(per_row[rows], 1)
        seen = np.bincount(skills, minlength=log.n_skills) > 0
        coef = np.zeros(len(FEATURES))
        skill_w = np.zeros(log.n_skills)
        intercept = math.log((base + 1e-3) / (1.0 - base + 1e-3))
        if y.size and 0 < y.mean() < 1:
            onehot = sp.csr_matrix(
                (np.ones(rows.shape[0]), (np.arange(rows.shape[0]), skills)),
                shape=(rows.shape[0], log.n_skills),
            )
            design = sp.hstack([onehot, sp.csr_matrix(x)], format="csr")
            lr = LogisticRegression(C=C, solver="newton-cholesky", max_iter=100)
            lr.fit(design, y, sample_weight=weight)
            w = lr.coef_.ravel()
            skill_w, coef = w[: log.n_skills], w[log.n_skills :]
            intercept = float(lr.intercept_[0])
        kept = np.flatnonzero(seen)
        intercepts = intercept + skill_w[kept]
        mean = float(intercepts.mean()) if kept.size else intercept
        return cls(
            skill_ids=tuple(log.skill_ids[k] for k in kept),
            skill_intercepts=tuple(float(v) for v in intercepts),
            coef=tuple(float(v) for v in coef),
            mean_intercept=mean,
            base_rate=base,
            C=C,
            n_train=log.n_responses,
        )

    # -- prediction --------------------------------------------------------------------------

    def intercept_of(self, skill: str) -> float:
        """The skill's intercept; an unseen skill gets the mean of the fitted ones."""
        k = self._index.get(skill)
        return self.mean_intercept if k is None else self.skill_intercepts[k]

    def predict(
        self,
        skills: Sequence[str],
        n_right: ArrayLike,
        n_wrong: ArrayLike,
        days_since: ArrayLike,
        p_mastery: ArrayLike,
        total_right: float,
        total_wrong: float,
    ) -> FloatArray:
        """P(correct) of the student's next answer on each candidate skill, in [0.01, 0.99].

        ``n_right``, ``n_wrong``, ``days_since`` (NaN: never practised) and ``p_mastery`` (the
        stored BKT estimate) are per candidate (arrays or scalars, broadcast); the totals are
        the student's answers over all competencies.
        """
        n = len(skills)
        x = _design(
            _floats("n_right", n_right, n),
            _floats("n_wrong", n_wrong, n),
            _floats("days_since", days_since, n),
            _floats("p_mastery", p_mastery, n),
            _floats("total_right", total_right, n),
            _floats("total_wrong", total_wrong, n),
        )
        eta = x @ np.asarray(self.coef) + np.array([self.intercept_of(s) for s in skills])
        out: FloatArray = np.clip(
            self.recalibration.apply(1.0 / (1.0 + np.exp(-eta))), P_MIN, P_MAX
        )
        return out

    def predict_log(self, log: ResponseLog, *, bkt: BKT) -> FloatArray:
        """P(correct) of every row of ``log`` from the same student's earlier rows (batch).

        Multi-skill rows average their skills' predictions; rows without skills get the base
        rate. ``bkt`` must be the model whose estimates the predictor was fitted with.
        """
        rows, skills, x = _pair_features(log, bkt)
        intercepts = np.array([self.intercept_of(s) for s in log.skill_ids])
        eta = x @ np.asarray(self.coef) + intercepts[skills] if rows.size else np.zeros(0)
        p = np.clip(1.0 / (1.0 + np.exp(-eta)), P_MIN, P_MAX)
        counts = np.bincount(rows, minlength=log.n_responses)
        sums = np.bincount(rows, weights=p, minlength=log.n_responses)
        out: FloatArray = np.full(log.n_responses, min(max(self.base_rate, P_MIN), P_MAX))
        has = counts > 0
        out[has] = sums[has] / counts[has]
        out = np.clip(self.recalibration.apply(out), P_MIN, P_MAX)
        return out

    # -- storage -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (plain floats, strings and lists); :meth:`from_dict` reads it."""
        return {
            "format": _FORMAT,
            "features": list(FEATURES),
            "coef": [float(v) for v in self.coef],
            "skill_intercepts": dict(
                zip(self.skill_ids, (float(v) for v in self.skill_intercepts), strict=True)
            ),
            "mean_intercept": float(self.mean_intercept),
            "base_rate": float(self.base_rate),
            "C": float(self.C),
            "n_train": int(self.n_train),
        } | (
            {}
            if self.recalibration.is_identity
            else {"recalibration": self.recalibration.to_dict()}
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LivePredictor:
        """The predictor :meth:`to_dict` wrote; a dict of another format or features is refused."""
        if d.get("format") != _FORMAT or tuple(d.get("features", ())) != FEATURES:
            raise ValueError("not a LivePredictor dict of this engine's format and features")
        intercepts: Mapping[str, float] = d["skill_intercepts"]
        return cls(
            skill_ids=tuple(str(s) for s in intercepts),
            skill_intercepts=tuple(float(v) for v in intercepts.values()),
            coef=tuple(float(v) for v in d["coef"]),
            mean_intercept=float(d["mean_intercept"]),
            base_rate=float(d["base_rate"]),
            C=float(d.get("C", 1.0)),
            n_train=int(d.get("n_train", 0)),
            recalibration=(
                Recalibration.from_dict(d["recalibration"])
                if d.get("recalibration")
                else Recalibration()
            ),
        )
