"""Gradient-boosted trees over the student's history summaries (scikit-learn's
``HistGradientBoostingClassifier``).

It sees the same online-updatable summaries as :class:`~tandem_engine.logistic.LogisticKT`
(counts, recency-weighted counts, residuals against item difficulty, recent patterns, gaps) as
dense columns, plus the item's and skills' difficulty, and learns their interactions. Multi-skill
items contribute the mean and the minimum of each skill-level column.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from tandem_engine._history_model import HistoryModel, _logit
from tandem_engine.history import RawFeatures
from tandem_engine.log import FloatArray, IntArray, ResponseLog

# scikit-learn's histogram trees take at most 255 categories per feature.
_MAX_CATEGORIES = 255


def _skill_columns(raw: RawFeatures) -> FloatArray:
    gap = raw.s_gap
    return np.column_stack(
        [
            np.log1p(raw.s_att),
            np.log1p(raw.s_win),
            (raw.s_win + 1.0) / (raw.s_att + 2.0),
            raw.s_res,
            raw.s_dec,
            raw.s_lag,
            np.where(gap < 0, -1.0, np.log1p(np.maximum(gap, 0.0))),
        ]
    )


class BoostedKT(HistoryModel):
    """Boosted-tree knowledge tracing on history summaries.

    Hyper-parameters: ``learning_rate``, ``max_iter``, ``max_leaf_nodes``,
    ``min_samples_leaf``, ``l2_regularization`` (scikit-learn's), plus
    ``item_prior_strength``, ``n_folds`` and ``random_state`` (see :class:`HistoryModel`), and
    ``n_threads``: the OpenMP threads fitting may use (default 1; ``None`` leaves the library's
    default, every core). On a shared server more threads fit several times slower under
    contention for the same AUC, so one is the default.

    Fitted: ``estimator_`` (the scikit-learn classifier), ``item_rate_``, ``skill_logit_``,
    ``item_ids_``, ``skill_ids_``.
    """

    def __init__(
        self,
        *,
        learning_rate: float = 0.1,
        max_iter: int = 300,
        max_leaf_nodes: int = 63,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        item_prior_strength: float = 5.0,
        n_folds: int = 5,
        random_state: int | None = 0,
        n_threads: int | None = 1,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.item_prior_strength = item_prior_strength
        self.n_folds = n_folds
        self.random_state = random_state
        self.n_threads = n_threads

    def _columns(
        self, raw: RawFeatures, item_logit: FloatArray, item_pop: FloatArray
    ) -> FloatArray:
        n = raw.n_rows
        per_pair = _skill_columns(raw)
        width = per_pair.shape[1]
        sums = np.zeros((n, width))
        np.add.at(sums, raw.row, per_pair)
        mins = np.full((n, width), np.inf)
        np.minimum.at(mins, raw.row, per_pair)
        k = raw.n_skills.astype(np.float64)
        has = k > 0
        means = np.full((n, width), np.nan)
        means[has] = sums[has] / k[has, None]
        mins[~has] = np.nan
        skill_logit = np.full(n, np.nan)
        if raw.row.shape[0]:
            s_sum = np.bincount(raw.row, weights=self.skill_logit_[raw.skill], minlength=n)
            skill_logit[has] = s_sum[has] / k[has]
        t_acc = (raw.t_win + 1.0) / (raw.t_att + 2.0)
        first_skill = np.full(n, np.nan)
        if raw.row.shape[0]:
            first_skill[raw.row[::-1]] = self.skill_code_[raw.skill[::-1]]
        columns = np.column_stack(
            [
                first_skill,
                item_logit,
                skill_logit,
                item_pop,
                k,
                means,
                mins,
                np.log1p(raw.t_att),
                np.log1p(raw.t_win),
                t_acc,
                raw.t_res,
                raw.t_dec,
                raw.t_lag,
                raw.i_att,
                raw.i_win,
            ]
        )
        # Batch and online sums differ in the last bits (summation order); rounding keeps a
        # tree split from telling them apart.
        out: FloatArray = np.round(columns, 9)
        return out

    def _item_columns(
        self, raw: RawFeatures, virtual_skill: IntArray | None
    ) -> tuple[FloatArray, FloatArray]:
        item = raw.item
        known = item >= 0
        logit = np.zeros(raw.n_rows)
        pop = np.zeros(raw.n_rows)
        logit[known] = _logit(self.item_rate_[item[known]])
        pop[known] = np.log1p(self.item_count_[item[known]])
        if virtual_skill is not None:
            typical = (virtual_skill >= 0) & ~known
            logit[typical] = self.skill_logit_[virtual_skill[typical]]
            pop[typical] = np.log1p(self.skill_item_count_[virtual_skill[typical]])
        return logit, pop

    def _fit_features(
        self, raw: RawFeatures, y: FloatArray, log: ResponseLog, item_rate_oof: FloatArray
    ) -> None:
        # Training rows see out-of-fold item rates, as their residual features did.
        # The skill itself as a category (the most practised ones; trees cap categories).
        per_skill = np.bincount(raw.skill, minlength=log.n_skills)
        top = np.argsort(-per_skill, kind="stable")[: _MAX_CATEGORIES - 1]
        code = np.full(log.n_skills, float(_MAX_CATEGORIES - 1))
        code[top] = np.arange(top.shape[0], dtype=np.float64)
        self.skill_code_: FloatArray = code
        x = self._columns(raw, _logit(item_rate_oof), np.log1p(self.item_count_[log.item]))
        categorical = np.zeros(x.shape[1], dtype=np.bool_)
        categorical[0] = True
        if self.n_threads is not None and self.n_threads < 1:
            raise ValueError(f"n_threads={self.n_threads} must be at least 1 (or None)")
        estimator = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            categorical_features=categorical,
            random_state=self.random_state,
        )
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self.estimator_ = estimator.fit(x, y.astype(np.int64))

    def _logit(self, raw: RawFeatures, virtual_skill: IntArray | None = None) -> FloatArray:
        logit, pop = self._item_columns(raw, virtual_skill)
        x = self._columns(raw, logit, pop)
        if x.shape[0] == 0:
            return np.zeros(0)
        p = self.estimator_.predict_proba(x)[:, 1]
        return _logit(p)
