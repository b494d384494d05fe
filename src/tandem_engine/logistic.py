"""Logistic learner-performance models: IRT-style item and skill effects plus the student's
history, fitted by L2-regularised logistic regression on sparse features.

``features="best_lr"`` is Gervet et al.'s Best-LR (item, skills, and log counts of attempts and
successes per item, per skill and in total). ``features="extended"`` (the default) adds
recency-weighted counts, residuals against item difficulty, the pattern of the last answers on
each skill and overall, and the gap since the skill was last practised.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from tandem_engine._history_model import HistoryModel
from tandem_engine.history import GAMMAS, SKILL_LAGS, TOTAL_LAGS, RawFeatures
from tandem_engine.log import FloatArray, IntArray, ResponseLog

FeatureSet = Literal["best_lr", "extended"]

_G08 = GAMMAS.index(0.8)
_G095 = GAMMAS.index(0.95)


def pattern_index(lags: FloatArray) -> IntArray:
    """Code the last outcomes (newest first, -1 = none) as one of 2**(L+1) - 1 patterns."""
    code = np.zeros(lags.shape[0], dtype=np.int64)
    length = np.zeros(lags.shape[0], dtype=np.int64)
    for col in range(lags.shape[1]):
        has = lags[:, col] >= 0
        code = np.where(has, code * 2 + lags[:, col].astype(np.int64), code)
        length += has
    out: IntArray = (1 << length) - 1 + code
    return out


class _Blocks:
    """Assembles named column blocks into one sparse design matrix."""

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.names: list[tuple[str, int, int]] = []
        self.width = 0

    def add(self, name: str, size: int, rows: IntArray, cols: IntArray, vals: FloatArray) -> None:
        self.rows.append(rows)
        self.cols.append(cols + self.width)
        self.vals.append(np.broadcast_to(vals, rows.shape).astype(np.float64))
        self.names.append((name, self.width, self.width + size))
        self.width += size

    def matrix(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.n_rows, self.width),
        )


def _design(
    raw: RawFeatures, n_items: int, n_skills: int, features: FeatureSet
) -> tuple[sp.csr_matrix, list[tuple[str, int, int]]]:
    n = raw.n_rows
    rows = np.arange(n, dtype=np.int64)
    has_item = raw.item >= 0
    r_item = rows[has_item]
    item = raw.item[has_item]
    pr, sk = raw.row, raw.skill
    b = _Blocks(n)
    b.add("item", n_items, r_item, item, np.ones(r_item.shape[0]))
    b.add("skill", n_skills, pr, sk, np.ones(pr.shape[0]))
    b.add("skill attempts", n_skills, pr, sk, np.log1p(raw.s_att))
    b.add("skill successes", n_skills, pr, sk, np.log1p(raw.s_win))
    b.add("item attempts", n_items, r_item, item, np.log1p(raw.i_att[has_item]))
    b.add("item successes", n_items, r_item, item, np.log1p(raw.i_win[has_item]))
    two = np.array([0, 1] * n, dtype=np.int64)
    b.add(
        "total counts",
        2,
        np.repeat(rows, 2),
        two,
        np.column_stack([np.log1p(raw.t_att), np.log1p(raw.t_win)]).ravel(),
    )
    if features == "extended":
        d = raw.s_dec
        b.add("skill recent successes", n_skills, pr, sk, d[:, 3 * _G08])
        b.add("skill recent failures", n_skills, pr, sk, d[:, 3 * _G08 + 1])
        b.add("skill residual", n_skills, pr, sk, raw.s_res)
        b.add("skill recent residual", n_skills, pr, sk, d[:, 3 * _G08 + 2])
        b.add("skill slow residual", n_skills, pr, sk, d[:, 3 * _G095 + 2])
        n_pat = (1 << (SKILL_LAGS + 1)) - 1
        b.add("skill last answers", n_pat, pr, pattern_index(raw.s_lag), np.ones(pr.shape[0]))
        gap = raw.s_gap
        m = pr.shape[0]
        b.add(
            "skill gap",
            3,
            np.repeat(pr, 3),
            np.tile(np.array([0, 1, 2], dtype=np.int64), m),
            np.column_stack(
                [np.log1p(np.maximum(gap, 0.0)), (gap < 0) * 1.0, (gap > 1) * 1.0]
            ).ravel(),
        )
        t = raw.t_dec
        cols = [3 * g + j for g in range(len(GAMMAS)) for j in (0, 1)]
        b.add(
            "total recent",
            len(cols),
            np.repeat(rows, len(cols)),
            np.tile(np.arange(len(cols), dtype=np.int64), n),
            t[:, cols].ravel(),
        )
        b.add(
            "total residual",
            3,
            np.repeat(rows, 3),
            np.tile(np.array([0, 1, 2], dtype=np.int64), n),
            np.column_stack([raw.t_res, t[:, 3 * _G08 + 2], t[:, 3 * _G095 + 2]]).ravel(),
        )
        n_tpat = (1 << (TOTAL_LAGS + 1)) - 1
        b.add("total last answers", n_tpat, rows, pattern_index(raw.t_lag), np.ones(n))
        ratio = np.log((raw.t_win + 1.0) / (raw.t_att - raw.t_win + 1.0))
        b.add("total ratio", 1, rows, np.zeros(n, dtype=np.int64), ratio)
    return b.matrix(), b.names


class LogisticKT(HistoryModel):
    """Best-LR-style logistic knowledge tracing, with an extended history feature set.

    Hyper-parameters:
        features: ``"extended"`` (default) or ``"best_lr"``.
        C: inverse L2 penalty (scikit-learn's ``C``).
        max_iter, tol: for scikit-learn's ``newton-cg`` solver.
        item_prior_strength, n_folds, random_state: see :class:`HistoryModel`.

    Fitted: ``coef_``, ``intercept_``, ``coef_var_`` (Laplace approximation, diagonal),
    ``blocks_`` (name, first column, end column), ``item_rate_``, ``item_ids_``,
    ``skill_ids_``, ``n_iter_``.
    """

    def __init__(
        self,
        *,
        features: FeatureSet = "extended",
        C: float = 1.0,  # noqa: N803 (scikit-learn's name for it)
        max_iter: int = 100,
        tol: float = 1e-4,
        item_prior_strength: float = 5.0,
        n_folds: int = 5,
        random_state: int | None = 0,
    ) -> None:
        self.features = features
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.item_prior_strength = item_prior_strength
        self.n_folds = n_folds
        self.random_state = random_state

    def _fit_features(
        self, raw: RawFeatures, y: FloatArray, log: ResponseLog, item_rate_oof: FloatArray
    ) -> None:
        if self.features not in ("best_lr", "extended"):
            raise ValueError(f"features={self.features!r} is not one of best_lr, extended")
        x, names = _design(raw, log.n_items, log.n_skills, self.features)
        if y.size and 0.0 < y.mean() < 1.0:
            lr = LogisticRegression(
                C=self.C, solver="newton-cg", max_iter=self.max_iter, tol=self.tol
            ).fit(x, y)
            coef = lr.coef_.ravel().astype(np.float64)
            intercept = float(lr.intercept_[0])
            n_iter = int(np.max(lr.n_iter_))
        else:  # one class only: nothing to learn beyond the rate
            coef = np.zeros(x.shape[1])
            intercept = math.log((y.mean() + 1e-3) / (1.0 - y.mean() + 1e-3)) if y.size else 0.0
            n_iter = 0
        self.coef_: FloatArray = coef
        self.intercept_: float = intercept
        self.n_iter_: int = n_iter
        self.blocks_: list[tuple[str, int, int]] = names
        # Diagonal Laplace approximation: var_j = 1 / (C * sum_i p_i (1 - p_i) x_ij^2 + 1).
        p = 1.0 / (1.0 + np.exp(-(x @ coef + intercept)))
        curvature = np.asarray(x.multiply(x).T @ (p * (1.0 - p))).ravel()
        self.coef_var_: FloatArray = 1.0 / (self.C * curvature + 1.0)
        # Mastery's "typical item" of a skill: the answer-weighted mean item effect.
        item_start = names[0][1]
        item_w = coef[item_start : item_start + log.n_items]
        qf = sp.csr_matrix(log.q_matrix, dtype=np.float64)
        per_skill = np.asarray(qf.T @ self.item_count_).ravel()
        self.skill_item_effect_: FloatArray = np.where(
            per_skill > 0,
            np.asarray(qf.T @ (self.item_count_ * item_w)).ravel() / np.maximum(per_skill, 1.0),
            0.0,
        )

    def _x(self, raw: RawFeatures) -> sp.csr_matrix:
        x, _ = _design(raw, len(self.item_ids_), len(self.skill_ids_), self.features)
        return x

    def _logit(self, raw: RawFeatures, virtual_skill: IntArray | None = None) -> FloatArray:
        eta: FloatArray = self._x(raw) @ self.coef_ + self.intercept_
        if virtual_skill is not None:
            typical = virtual_skill >= 0
            eta[typical] += self.skill_item_effect_[virtual_skill[typical]]
        return eta

    def _logit_sd(self, raw: RawFeatures, virtual_skill: IntArray) -> FloatArray | None:
        x = self._x(raw)
        var: FloatArray = x.multiply(x) @ self.coef_var_
        return np.sqrt(var)

    def _contributions(
        self, raw: RawFeatures, virtual_skill: IntArray
    ) -> list[tuple[tuple[str, float], ...]]:
        x = self._x(raw).tocsc()
        parts: list[FloatArray] = []
        for _, start, end in self.blocks_:
            parts.append(np.asarray(x[:, start:end] @ self.coef_[start:end]).ravel())
        typical = np.where(virtual_skill >= 0, self.skill_item_effect_[virtual_skill], 0.0)
        out = []
        for r in range(raw.n_rows):
            terms = [("intercept", self.intercept_), ("typical item", float(typical[r]))]
            terms += [
                (name, float(part[r]))
                for (name, _, _), part in zip(self.blocks_, parts, strict=True)
                if part[r] != 0.0
            ]
            out.append(tuple(terms))
        return out
