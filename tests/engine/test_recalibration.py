"""Recalibration of served predictions: it undoes the bias that choosing on a noisy prediction
leaves in the served ones, keeps the identity without evidence, and never yields NaN."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tandem_engine.recalibration import Recalibration


def _served(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictions chosen for lying in 0.70-0.85 from noisy, on all items unbiased, ones: the
    served ones run high (the winner's curse)."""
    truth = rng.normal(0.0, 1.5, n)
    predicted = 1.0 / (1.0 + np.exp(-(truth + rng.normal(0.0, 1.0, n))))
    served = (predicted >= 0.70) & (predicted <= 0.85)
    outcome = rng.random(n) < 1.0 / (1.0 + np.exp(-truth))
    return predicted[served], outcome[served]


def test_a_fit_on_served_answers_removes_the_winners_curse():
    rng = np.random.default_rng(3)
    p, y = _served(rng, 40_000)
    assert p.mean() - y.mean() > 0.05  # the served predictions run high
    recal = Recalibration.fit(p, y)
    assert recal.n_train == p.size
    p_new, y_new = _served(rng, 40_000)
    mapped = recal.apply(p_new)
    assert abs(mapped.mean() - y_new.mean()) < 0.01
    assert np.all(np.diff(recal.apply(np.linspace(0.05, 0.95, 19))) > 0)  # order kept


def test_difficulty_is_fitted_apart_from_the_map():
    rng = np.random.default_rng(5)
    n = 30_000
    p = rng.uniform(0.2, 0.9, n)
    step = rng.integers(-1, 2, n).astype(np.float64)
    logit = np.log(p / (1 - p)) - 0.8 * step
    y = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    recal = Recalibration.fit(p, y, difficulty=step)
    assert recal.difficulty_coef == pytest.approx(-0.8, abs=0.1)
    assert recal.slope == pytest.approx(1.0, abs=0.1)
    assert recal.intercept == pytest.approx(0.0, abs=0.1)


def test_no_evidence_is_the_identity_and_few_answers_move_it_little():
    assert Recalibration.fit([], []).is_identity
    few = Recalibration.fit([0.8, 0.8, 0.8], [0, 0, 1])
    assert 0.6 < float(few.apply([0.8])[0]) < 0.8


@pytest.mark.parametrize("outcome", [0, 1])
def test_extreme_inputs_stay_finite(outcome):
    p = np.array([0.0, 1.0, 0.5, 1e-12, 1 - 1e-12] * 20)
    recal = Recalibration.fit(p, np.full(p.size, outcome))
    out = recal.apply(p)
    assert np.all(np.isfinite(out)) and np.all((out >= 0.01) & (out <= 0.99))
    with pytest.raises(ValueError, match="NaN"):
        recal.apply([np.nan])


def test_round_trips_through_json():
    recal = Recalibration(intercept=-0.4, slope=0.8, difficulty_coef=-0.6, n_train=12)
    assert Recalibration.from_dict(json.loads(json.dumps(recal.to_dict()))) == recal
    with pytest.raises(ValueError):
        Recalibration(slope=0.0)


def test_the_difficulty_effect_applies_only_where_difficulties_are_given() -> None:
    recal = Recalibration(intercept=-0.2, slope=1.1, difficulty_coef=-0.5)
    p = np.array([0.3, 0.6, 0.8])
    middle = recal.apply(p)
    np.testing.assert_allclose(recal.apply(p, difficulty=np.zeros(3)), middle)
    harder = recal.apply(p, difficulty=np.ones(3))
    assert np.all(harder < middle)
    # The identity map still carries the difficulty effect when asked for it.
    alone = Recalibration(difficulty_coef=-0.5).apply(p, difficulty=np.ones(3))
    assert np.all(alone < p)
