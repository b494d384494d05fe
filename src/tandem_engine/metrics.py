"""Scores of probabilistic predictions of right/wrong answers."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import roc_auc_score


def score(correct: ArrayLike, p: ArrayLike) -> dict[str, float]:
    """AUC, RMSE and log-loss (probabilities clipped to [1e-6, 1 - 1e-6])."""
    y = np.asarray(correct, dtype=np.float64).ravel()
    q = np.clip(np.asarray(p, dtype=np.float64).ravel(), 1e-6, 1.0 - 1e-6)
    both = 0.0 < y.mean() < 1.0 if y.size else False
    return {
        "auc": float(roc_auc_score(y, q)) if both else math.nan,
        "rmse": float(np.sqrt(np.mean((y - q) ** 2))),
        "logloss": float(-np.mean(y * np.log(q) + (1.0 - y) * np.log(1.0 - q))),
    }
