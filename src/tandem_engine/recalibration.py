"""Recalibration of served predictions: a two-parameter logistic map (Platt scaling) from the
predicted success the policy logged on the items it served to how often they were answered
right.

A policy that serves items whose predicted success lies in a band serves, among items equally
likely to be right, mostly those whose prediction erred high: the served predictions run high
even when the predictor is calibrated on every item (the winner's curse of choosing on a noisy
estimate). :meth:`Recalibration.fit` learns ``P' = sigmoid(intercept + slope * logit(P))`` from
served predictions and their outcomes; :meth:`Recalibration.apply` maps new predictions before
the policy chooses on them. The identity is intercept 0, slope 1; a ridge penalty pulls the fit
towards it, so few answers move it little. Plain floats in and out; round-trips through JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tandem_engine.log import FloatArray

__all__ = ["Recalibration"]

# Predictions are clipped this far from 0 and 1 before their logit, and mapped ones likewise.
_EPS = 0.01
# Ridge penalty towards the identity, in answers' worth of log-loss per unit squared.
DEFAULT_PENALTY = 10.0
_FORMAT = 1


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, _EPS, 1.0 - _EPS)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


@dataclass(frozen=True, slots=True)
class Recalibration:
    """``P' = sigmoid(intercept + slope * logit(P))``, clipped to [0.01, 0.99].

    ``difficulty_coef`` is fitted alongside when the items' difficulties are given (log-odds
    per difficulty step away from the middle), so that the difficulty of the served items is
    not taken for miscalibration; :meth:`apply` maps predictions for a middle item.
    """

    intercept: float = 0.0
    slope: float = 1.0
    difficulty_coef: float = 0.0
    n_train: int = 0

    def __post_init__(self) -> None:
        values = (self.intercept, self.slope, self.difficulty_coef)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("a Recalibration needs finite coefficients")
        if self.slope <= 0.0:
            raise ValueError(f"slope={self.slope} must be positive: the map keeps the order")

    @property
    def is_identity(self) -> bool:
        return self.intercept == 0.0 and self.slope == 1.0

    def apply(self, p: ArrayLike, *, difficulty: ArrayLike | None = None) -> FloatArray:
        """The recalibrated predictions (same shape); NaN is refused. ``difficulty``: each
        item's step from the middle, for the fitted difficulty effect (None: middle items)."""
        x = np.asarray(p, dtype=np.float64)
        if np.isnan(x).any():
            raise ValueError("predictions hold NaN")
        if self.is_identity and difficulty is None:
            return x.copy()
        eta = self.intercept + self.slope * _logit(x)
        if difficulty is not None:
            eta = eta + self.difficulty_coef * np.asarray(difficulty, dtype=np.float64)
        out: FloatArray = np.clip(1.0 / (1.0 + np.exp(-eta)), _EPS, 1.0 - _EPS)
        return out

    @classmethod
    def fit(
        cls,
        predicted: ArrayLike,
        correct: ArrayLike,
        *,
        difficulty: ArrayLike | None = None,
        penalty: float = DEFAULT_PENALTY,
        max_iter: int = 50,
    ) -> Recalibration:
        """Maximum penalised likelihood of the outcomes given the logged predictions (Newton's
        method). ``difficulty``: each item's difficulty step from the middle (e.g. -1, 0, 1),
        fitted as a covariate. The identity when there is nothing to fit on."""
        p = np.asarray(predicted, dtype=np.float64).ravel()
        y = np.asarray(correct, dtype=np.float64).ravel()
        d = (
            np.zeros_like(p)
            if difficulty is None
            else np.asarray(difficulty, dtype=np.float64).ravel()
        )
        if not p.shape == y.shape == d.shape:
            raise ValueError(f"{p.size} predictions for {y.size} outcomes, {d.size} difficulties")
        keep = ~(np.isnan(p) | np.isnan(y) | np.isnan(d))
        p, y, d = p[keep], y[keep], d[keep]
        if p.size == 0:
            return cls()
        x = np.column_stack([np.ones_like(p), _logit(p), d])
        prior = np.array([0.0, 1.0, 0.0])
        w = prior.copy()
        for _ in range(max_iter):
            q = 1.0 / (1.0 + np.exp(-(x @ w)))
            gradient = x.T @ (q - y) + penalty * (w - prior)
            hessian = (x * (q * (1.0 - q))[:, None]).T @ x + penalty * np.eye(3)
            step = np.linalg.solve(hessian, gradient)
            w = w - step
            if float(np.abs(step).max()) < 1e-8:
                break
        if not np.all(np.isfinite(w)) or w[1] <= 0.0:
            return cls(n_train=int(p.size))
        return cls(
            intercept=float(w[0]),
            slope=float(w[1]),
            difficulty_coef=float(w[2]),
            n_train=int(p.size),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "intercept": float(self.intercept),
            "slope": float(self.slope),
            "difficulty_coef": float(self.difficulty_coef),
            "n_train": int(self.n_train),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Recalibration:
        if d.get("format") != _FORMAT:
            raise ValueError("not a Recalibration dict of this engine's format")
        return cls(
            intercept=float(d["intercept"]),
            slope=float(d["slope"]),
            difficulty_coef=float(d.get("difficulty_coef", 0.0)),
            n_train=int(d.get("n_train", 0)),
        )
