"""What the feature-based models share: item rates, history state, online use, mastery.

A subclass says how history summaries become a logit (``_fit_features``, ``_logit``); this base
fits the item success rates, keeps the per-student history, and derives mastery per competency
as the predicted success on a typical item of that competency, with the newest answers' effect
measured by leaving them out.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Self

import numpy as np
import scipy.sparse as sp

from tandem_engine.estimates import EVIDENCE_KEPT, CompetencyEstimate, Evidence, NotFittedError
from tandem_engine.history import (
    HistoryState,
    RawFeatures,
    SkillHistory,
    batch_history,
    history_update,
    state_features,
)
from tandem_engine.log import FloatArray, IntArray, Response, ResponseLog, item_skill_tuples

_Z90 = 1.6448536269514722


def _sigmoid(x: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out


#: Every predicted probability is kept this far from 0 and 1 (and checked finite).
_P_EPS = 1e-6


def _probabilities(logits: FloatArray, where: str) -> FloatArray:
    """Sigmoid of ``logits`` in [_P_EPS, 1 - _P_EPS]; a NaN logit is an error, never an output."""
    if np.isnan(logits).any():
        raise FloatingPointError(f"{where}: {int(np.isnan(logits).sum())} NaN logits")
    out: FloatArray = np.clip(_sigmoid(logits), _P_EPS, 1.0 - _P_EPS)
    return out


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1.0 - 1e-6)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


def _droppable(rec: SkillHistory | None) -> int:
    """How many of a competency's newest answers mastery can attribute (leave out)."""
    if rec is None:
        return 0
    if rec.attempts <= len(rec.recent):
        return min(EVIDENCE_KEPT, rec.attempts)
    return min(EVIDENCE_KEPT, len(rec.recent) - 1)


class HistoryModel(ABC):
    """Base of models that predict from :class:`~tandem_engine.history.HistoryState`.

    Hyper-parameters common to them: ``item_prior_strength`` (pseudo-answers at the overall
    rate when estimating each item's success rate), ``n_folds`` (training rows see item rates
    estimated without their own student, from this many student folds) and ``random_state``.
    """

    item_prior_strength: float
    n_folds: int
    random_state: int | None

    # -- fitting -------------------------------------------------------------------------------

    def fit(self, log: ResponseLog) -> Self:
        """Fit on ``log``; returns ``self``."""
        y = log.correct.astype(np.float64)
        base = float(y.mean()) if y.size else 0.5
        a = self.item_prior_strength
        n_items = log.n_items
        counts = np.bincount(log.item, minlength=n_items).astype(np.float64)
        wins = np.bincount(log.item, weights=y, minlength=n_items)
        self.base_rate_: float = base
        self.item_rate_: FloatArray = (wins + a * base) / (counts + a)
        self.item_count_: FloatArray = counts
        # Out-of-fold item rates for the training rows: no answer sees its own outcome.
        rng = np.random.default_rng(self.random_state)
        fold_of_student = rng.integers(0, max(self.n_folds, 2), log.n_students)
        fold = fold_of_student[log.student]
        oof = np.empty(log.n_responses)
        for f in range(max(self.n_folds, 2)):
            inside = fold == f
            c_in = np.bincount(log.item[inside], minlength=n_items)
            w_in = np.bincount(log.item[inside], weights=y[inside], minlength=n_items)
            it = log.item[inside]
            oof[inside] = (wins[it] - w_in[it] + a * base) / (counts[it] - c_in[it] + a)
        q = log.q_matrix
        self.q_matrix_: sp.csr_matrix = q
        self.item_ids_: tuple[str, ...] = log.item_ids
        self.skill_ids_: tuple[str, ...] = log.skill_ids
        self._item_skills: tuple[tuple[int, ...], ...] = item_skill_tuples(q)
        self._item_rate: list[float] = self.item_rate_.tolist()
        # A typical item of each competency: answer-weighted over its items.
        qf = sp.csr_matrix(q, dtype=np.float64)
        per_skill = np.asarray(qf.T @ counts).ravel()
        logit_sum = np.asarray(qf.T @ (counts * _logit(self.item_rate_))).ravel()
        self.skill_logit_: FloatArray = np.where(
            per_skill > 0,
            logit_sum / np.maximum(per_skill, 1.0),
            float(_logit(np.array([base]))[0]),
        )
        self.skill_item_count_: FloatArray = np.where(
            per_skill > 0,
            np.asarray(qf.T @ (counts * counts)).ravel() / np.maximum(per_skill, 1.0),
            0.0,
        )
        raw = batch_history(log, oof)
        self._fit_features(raw, y, log, oof)
        return self

    @abstractmethod
    def _fit_features(
        self, raw: RawFeatures, y: FloatArray, log: ResponseLog, item_rate_oof: FloatArray
    ) -> None:
        """Fit the model proper; ``item_rate_oof`` is each training row's out-of-fold rate."""

    @abstractmethod
    def _logit(self, raw: RawFeatures, virtual_skill: IntArray | None = None) -> FloatArray:
        """Logits of the rows; ``virtual_skill[k] >= 0`` marks row k as a typical item of it."""

    def _logit_sd(self, raw: RawFeatures, virtual_skill: IntArray) -> FloatArray | None:
        """Standard deviation of the logits from parameter uncertainty, if the model has one."""
        return None

    def _contributions(
        self, raw: RawFeatures, virtual_skill: IntArray
    ) -> list[tuple[tuple[str, float], ...]]:
        return [() for _ in range(raw.n_rows)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "item_rate_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(log) first"
            )

    def _check_vocabulary(self, log: ResponseLog) -> None:
        if log.q_matrix.shape != self.q_matrix_.shape:
            raise ValueError(
                f"log has {log.n_items} items x {log.n_skills} skills; the model was fitted on "
                f"{len(self.item_ids_)} x {len(self.skill_ids_)}"
            )

    # -- batch prediction ------------------------------------------------------------------------

    def predict_proba(self, log: ResponseLog) -> FloatArray:
        """P(correct) of every row given only the same student's earlier rows."""
        self._check_fitted()
        self._check_vocabulary(log)
        raw = batch_history(log, self.item_rate_[log.item])
        return _probabilities(self._logit(raw), f"{type(self).__name__}.predict_proba")

    # -- online use ------------------------------------------------------------------------------

    def initial_state(self) -> HistoryState:
        """A student with no answers yet."""
        return HistoryState()

    def update(self, state: HistoryState, response: Response) -> HistoryState:
        """The state after one more answer; ``state`` itself is left unchanged."""
        item, correct, order = response
        if not 0 <= item < len(self._item_rate):  # outside the vocabulary: totals only
            return history_update(state, -1, bool(correct), order, self.base_rate_, ())
        return history_update(
            state, item, bool(correct), order, self._item_rate[item], self._item_skills[item]
        )

    def replay(self, responses: list[Response], state: HistoryState | None = None) -> HistoryState:
        """The state after a sequence of answers (from ``state`` or a new student)."""
        current = self.initial_state() if state is None else state
        for r in responses:
            current = self.update(current, r)
        return current

    def predict_items(self, state: HistoryState, items: list[int]) -> FloatArray:
        """P(correct) on each of ``items`` as the student's next answer."""
        self._check_fitted()
        # An item outside the fitted vocabulary is predicted from the totals alone.
        n = len(self._item_skills)
        known = [i if 0 <= i < n else -1 for i in items]
        raw = state_features(state, known, [self._item_skills[i] if i >= 0 else () for i in known])
        return _probabilities(self._logit(raw), f"{type(self).__name__}.predict_items")

    def predict_item(self, state: HistoryState, item: int) -> float:
        """P(correct) on ``item`` as the student's next answer."""
        return float(self.predict_items(state, [item])[0])

    def mastery(
        self, state: HistoryState, skills: list[int] | None = None
    ) -> tuple[CompetencyEstimate, ...]:
        """Predicted success on a typical item of each competency, now, with uncertainty.

        ``sd`` adds the parameter uncertainty of the model (where it has one) to the sampling
        uncertainty of a success rate seen through ``n_evidence`` answers. Each evidence entry's
        ``delta`` is how much lower the estimate would be had that answer and the newer ones
        on the competency not happened (totals kept), i.e. that answer's own effect.
        """
        self._check_fitted()
        wanted = list(range(len(self.skill_ids_))) if skills is None else list(skills)
        # Row layout: per skill, the current state, then leaving out 1..k newest answers.
        row_skill: list[int] = []
        drops: list[int] = []
        for s in wanted:
            rec = state.skills.get(s)
            k = _droppable(rec)
            row_skill.extend([s] * (k + 1))
            drops.extend(range(k + 1))
        # One state_features call per distinct drop depth keeps this vectorised.
        n_rows = len(row_skill)
        logits = np.empty(n_rows)
        sds = np.zeros(n_rows)
        contributions: list[tuple[tuple[str, float], ...]] = [() for _ in range(n_rows)]
        for depth in sorted(set(drops)):
            idx = [r for r in range(n_rows) if drops[r] == depth]
            sk = [row_skill[r] for r in idx]
            raw = state_features(
                state,
                [-1] * len(idx),
                [(s,) for s in sk],
                drop_recent={s: depth for s in sk} if depth else None,
            )
            virtual = np.array(sk, dtype=np.int64)
            logits[idx] = self._logit(raw, virtual)
            if depth == 0:
                sd = self._logit_sd(raw, virtual)
                if sd is not None:
                    sds[idx] = sd
                for r, c in zip(idx, self._contributions(raw, virtual), strict=True):
                    contributions[r] = c
        probs = _sigmoid(logits)
        out = []
        r = 0
        for s in wanted:
            rec = state.skills.get(s)
            k = _droppable(rec)
            p = float(probs[r])
            n_ev = 0 if rec is None else rec.attempts
            sampling = p * (1.0 - p) / (n_ev + 2.0)
            param_sd = float(sds[r])
            sd_p = math.sqrt(sampling + (p * (1.0 - p) * param_sd) ** 2)
            low = high = None
            if param_sd > 0.0:
                eta = float(logits[r])
                low = 1.0 / (1.0 + math.exp(-(eta - _Z90 * param_sd)))
                high = 1.0 / (1.0 + math.exp(-(eta + _Z90 * param_sd)))
            evidence: tuple[Evidence, ...] = ()
            if rec is not None:
                evidence = tuple(
                    Evidence(
                        item=old.item,
                        correct=old.correct,
                        order=old.order,
                        delta=float(probs[r + j] - probs[r + j + 1]),
                    )
                    for j, old in enumerate(rec.recent[:k])
                )
            out.append(
                CompetencyEstimate(
                    skill=s,
                    skill_id=self.skill_ids_[s],
                    p_mastery=p,
                    sd=sd_p,
                    n_evidence=n_ev,
                    n_correct=0 if rec is None else rec.wins,
                    last_order=None if rec is None else rec.recent[0].order,
                    evidence=evidence,
                    low=low,
                    high=high,
                    contributions=contributions[r],
                )
            )
            r += k + 1
        return tuple(out)
