"""fit_daily_forgetting: BKT's forgetting per elapsed day, by maximum likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem_engine.bkt import BKT, BKTParams, fit_daily_forgetting
from tandem_engine.log import ResponseLog

TRUE = BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.2, p_slip=0.1)


def _simulate(rate: float, n_students: int = 600, n_steps: int = 25, seed: int = 5) -> ResponseLog:
    """One skill; gaps of a few minutes to 30 days; a mastered student forgets at ``rate``/day."""
    rng = np.random.default_rng(seed)
    known = rng.random(n_students) < TRUE.p_init
    stamp = np.zeros(n_students)
    rows = []
    for t in range(n_steps):
        u = rng.random(n_students)
        correct = np.where(known, u >= TRUE.p_slip, u < TRUE.p_guess)
        rows.append((np.arange(n_students), correct, stamp.copy(), np.full(n_students, t)))
        learn = rng.random(n_students) < TRUE.p_learn
        known = known | learn
        gap = rng.choice([0.002, 1.0, 7.0, 30.0], n_students)
        forget = rng.random(n_students) < 1.0 - (1.0 - rate) ** gap
        known = known & ~forget
        stamp = stamp + gap * 86_400.0
    student, correct, stamps, order = (np.concatenate(c) for c in zip(*rows, strict=True))
    return ResponseLog.from_arrays(
        student=student,
        item=np.zeros(student.shape[0], dtype=np.int64),
        correct=correct,
        q_matrix=np.ones((1, 1), dtype=bool),
        order=order,
        timestamp=1.7e9 + stamps,
    )


def test_recovers_a_known_daily_forgetting_rate() -> None:
    log = _simulate(0.03)
    fitted = fit_daily_forgetting(log, BKT.from_params([TRUE], np.ones((1, 1), dtype=bool)))
    assert fitted.p_forget_per_day == pytest.approx(0.03, abs=0.01)
    assert fitted.log_likelihood > fitted.log_likelihood_without
    assert fitted.half_life_days == pytest.approx(math.log(0.5) / math.log(1 - 0.03), rel=0.4)
    assert fitted.n_gaps == 600 * 24


def test_no_forgetting_fits_close_to_zero() -> None:
    log = _simulate(0.0, seed=8)
    fitted = fit_daily_forgetting(log, BKT().fit(log))
    assert 0.0 <= fitted.p_forget_per_day < 0.005


def test_an_untimed_log_is_refused() -> None:
    log = _simulate(0.0, n_students=20, n_steps=5)
    untimed = ResponseLog.from_arrays(
        student=log.student, item=log.item, correct=log.correct, q_matrix=log.q_matrix
    )
    with pytest.raises(ValueError, match="timed apart"):
        fit_daily_forgetting(untimed, BKT().fit(untimed))


def test_prediction_with_the_fitted_daily_rate_beats_none() -> None:
    log = _simulate(0.03, seed=9)
    model = BKT.from_params([TRUE], np.ones((1, 1), dtype=bool))
    rate = fit_daily_forgetting(log, model).p_forget_per_day
    y = log.correct

    def loglik(p: np.ndarray) -> float:
        return float(np.sum(np.where(y, np.log(p), np.log(1.0 - p))))

    timed = model.predict_proba(log, p_forget_per_day=rate)
    assert np.isfinite(timed).all()
    assert loglik(timed) > loglik(model.predict_proba(log))
    assert np.array_equal(model.predict_proba(log, p_forget_per_day=0.0), model.predict_proba(log))
