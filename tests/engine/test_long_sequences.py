"""Property tests on long sequences, where probabilities saturate (issue #10).

A median of 618 answers per student, long streaks of right answers and then wrong ones: every
model's every output stays finite and strictly inside (0, 1), and after a long streak a wrong
answer lowers BKT's estimate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tandem_engine.bkt import BKT, MAX_GUESS, MAX_SLIP, P_EPS, BKTParams, bkt_step, predict_correct
from tandem_engine.boosted import BoostedKT
from tandem_engine.log import Response, ResponseLog
from tandem_engine.logistic import LogisticKT

N_ITEMS = 12
N_SKILLS = 3
STREAK = 2000
WRONG = 50


def _q() -> np.ndarray:
    q = np.zeros((N_ITEMS, N_SKILLS), dtype=bool)
    q[np.arange(N_ITEMS), np.arange(N_ITEMS) % N_SKILLS] = True
    q[0, 1] = True  # one multi-skill item
    return q


def _log(sequences: list[np.ndarray], seed: int = 0) -> ResponseLog:
    """One student per sequence of 0/1 answers, items drawn at random."""
    rng = np.random.default_rng(seed)
    student = np.concatenate([np.full(len(s), k) for k, s in enumerate(sequences)])
    correct = np.concatenate(sequences).astype(bool)
    item = rng.integers(0, N_ITEMS, correct.shape[0])
    return ResponseLog.from_arrays(
        student=student,
        item=item,
        correct=correct,
        q_matrix=_q(),
        order=np.concatenate([np.arange(len(s), dtype=np.float64) for s in sequences]),
    )


def _streak_then_wrong() -> np.ndarray:
    return np.r_[np.ones(STREAK), np.zeros(WRONG)]


def _random_sequences(seed: int, n: int, length: int, rate: float) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.random(length) < rate).astype(float) for _ in range(n)]


def _in_open_unit_interval(p: np.ndarray) -> bool:
    return bool(np.isfinite(p).all() and (p > 0.0).all() and (p < 1.0).all())


# -- bkt_step ------------------------------------------------------------------------------------


realistic = st.builds(
    BKTParams,
    p_init=st.floats(0.0, 1.0),
    p_learn=st.floats(0.0, 0.5),
    p_guess=st.floats(0.0, MAX_GUESS),
    p_slip=st.floats(0.0, MAX_SLIP),
    p_forget=st.floats(0.0, 0.1),
)


def _wrong_lowers(params: BKTParams) -> bool:
    """Near certainty, a wrong answer lowers exact BKT only if the odds of "not mastered" grow,
    (1 - guess) (1 - learn) > slip (here with room to spare); otherwise learning outweighs it."""
    return (1.0 - params.p_guess) * (1.0 - params.p_learn) > 1.5 * max(params.p_slip, 1e-6)


@given(params=realistic, weight=st.floats(0.25, 4.0))
def test_bkt_step_after_a_long_streak_a_wrong_answer_lowers_the_estimate(
    params: BKTParams, weight: float
) -> None:
    assume(_wrong_lowers(params))
    p = params.p_init
    for _ in range(STREAK):
        p = bkt_step(p, True, params, weight)
        assert P_EPS <= p <= 1.0 - P_EPS
    trajectory = [p]
    for _ in range(WRONG):
        trajectory.append(bkt_step(trajectory[-1], False, params))
    values = np.array(trajectory)
    assert _in_open_unit_interval(values)
    assert values[1] < values[0]  # the first wrong answer visibly counts
    assert (np.diff(values) <= 1e-15).all()  # and none of the others raises it
    assert _in_open_unit_interval(np.array([predict_correct(v, params) for v in values]))


@given(
    params=realistic,
    p=st.floats(0.0, 1.0),
    correct=st.booleans(),
    p_max=st.floats(0.5, 0.999),
)
def test_bkt_step_p_max_caps_the_posterior(
    params: BKTParams, p: float, correct: bool, p_max: float
) -> None:
    capped = bkt_step(p, correct, params, p_max=p_max)
    assert P_EPS <= capped <= p_max
    assert capped == min(bkt_step(p, correct, params), p_max)


def test_bkt_step_keeps_the_old_signature() -> None:
    params = BKTParams()
    assert bkt_step(0.3, True, params, 2.0) == bkt_step(0.3, True, params, weight=2.0)


def test_bkt_step_refuses_nan() -> None:
    with pytest.raises(FloatingPointError):
        bkt_step(math.nan, True, BKTParams())


# -- BKT fit, predict and online update ----------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        BKT(),
        BKT(forgetting=True),
        BKT(combine="mean"),
        BKT(max_guess=1.0, max_slip=1.0, n_init=3, random_state=1),
    ],
    ids=["default", "forgetting", "mean", "as-pybkt"],
)
def test_bkt_fit_and_predict_stay_finite_after_long_streaks(model: BKT) -> None:
    sequences = [_streak_then_wrong() for _ in range(3)]
    sequences += _random_sequences(5, 20, 300, 0.7)
    log = _log(sequences)
    model.fit(log)
    assert math.isfinite(model.log_likelihood_)
    assert np.isfinite(model.params_array_).all()
    assert _in_open_unit_interval(model.predict_proba(log))
    _, _, after = model.predict_mastery(log)
    assert _in_open_unit_interval(after)


def test_bkt_online_after_a_long_streak_a_wrong_answer_lowers_mastery() -> None:
    log = _log([_streak_then_wrong(), *_random_sequences(9, 30, 200, 0.65)])
    model = BKT().fit(log)
    item = N_ITEMS - 1  # a single-skill item
    (skill,) = model.q_matrix_[item].indices
    assert _wrong_lowers(model.params_[skill])  # a sane fit (else learning outweighs a slip)
    state = model.initial_state()
    for k in range(STREAK):
        state = model.update(state, Response(item, True, float(k)))
    before = model.mastery(state, [skill])[0].p_mastery
    assert P_EPS <= before <= 1.0 - P_EPS
    state = model.update(state, Response(item, False, float(STREAK)))
    after = model.mastery(state, [skill])[0].p_mastery
    assert after < before
    for k in range(WRONG):
        state = model.update(state, Response(item, False, float(STREAK + 1 + k)))
        p = model.mastery(state, [skill])[0].p_mastery
        q = model.predict_item(state, item)
        assert 0.0 < p < 1.0 and 0.0 < q < 1.0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    length=st.integers(500, 4000),
    rate=st.floats(0.0, 1.0),
    forgetting=st.booleans(),
)
def test_bkt_random_long_sequences_never_give_nan(
    seed: int, length: int, rate: float, forgetting: bool
) -> None:
    sequences = _random_sequences(seed, 4, length, rate) + _random_sequences(seed + 1, 4, 50, 0.5)
    log = _log(sequences, seed)
    model = BKT(forgetting=forgetting).fit(log)
    assert math.isfinite(model.log_likelihood_)
    assert _in_open_unit_interval(model.predict_proba(log))
    state = model.replay(log.responses_of(0))
    assert all(0.0 < e.p_mastery < 1.0 for e in model.mastery(state))
    assert _in_open_unit_interval(np.array([model.predict_item(state, i) for i in range(N_ITEMS)]))


def test_unseen_items_fall_back_to_the_base_rate() -> None:
    log = _log(_random_sequences(3, 10, 50, 0.6))
    model = BKT().fit(log)
    state = model.update(model.initial_state(), Response(N_ITEMS + 5, True, 0.0))
    assert 0.0 < model.predict_item(state, N_ITEMS + 5) < 1.0
    assert model.predict_item(state, N_ITEMS + 5) == pytest.approx(model.base_rate_)


# -- LogisticKT and BoostedKT ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_models() -> dict[str, LogisticKT | BoostedKT]:
    sequences = [_streak_then_wrong() for _ in range(2)]
    sequences += [np.r_[np.zeros(STREAK), np.ones(WRONG)]]
    sequences += _random_sequences(21, 20, 300, 0.7)
    log = _log(sequences)
    return {
        "lr": LogisticKT().fit(log),
        "best-lr": LogisticKT(features="best_lr").fit(log),
        "boosted": BoostedKT(max_iter=30, min_samples_leaf=20).fit(log),
    }


@pytest.mark.parametrize("name", ["lr", "best-lr", "boosted"])
def test_history_models_batch_outputs_stay_in_the_open_unit_interval(
    history_models: dict[str, LogisticKT | BoostedKT], name: str
) -> None:
    model = history_models[name]
    log = _log([_streak_then_wrong(), np.r_[np.zeros(STREAK), np.ones(WRONG)]], seed=4)
    assert _in_open_unit_interval(model.predict_proba(log))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["lr", "best-lr", "boosted"]),
    seed=st.integers(0, 2**32 - 1),
    length=st.integers(500, 2500),
    rate=st.floats(0.0, 1.0),
)
def test_history_models_online_outputs_stay_in_the_open_unit_interval(
    history_models: dict[str, LogisticKT | BoostedKT],
    name: str,
    seed: int,
    length: int,
    rate: float,
) -> None:
    model = history_models[name]
    answers = np.r_[_random_sequences(seed, 1, length, rate)[0], np.zeros(WRONG)]
    rng = np.random.default_rng(seed)
    state = model.initial_state()
    for k, correct in enumerate(answers):
        state = model.update(state, Response(int(rng.integers(0, N_ITEMS)), bool(correct), k))
    p = model.predict_items(state, [*range(N_ITEMS), N_ITEMS + 3])  # one unseen item
    assert _in_open_unit_interval(p)
    for estimate in model.mastery(state):
        assert 0.0 < estimate.p_mastery < 1.0 and math.isfinite(estimate.sd)


def test_boosted_fits_single_threaded_by_default() -> None:
    assert BoostedKT().n_threads == 1
    log = _log(_random_sequences(2, 10, 100, 0.6))
    with pytest.raises(ValueError, match="n_threads"):
        BoostedKT(n_threads=0, max_iter=2).fit(log)
    a = BoostedKT(max_iter=10).fit(log).predict_proba(log)
    b = BoostedKT(max_iter=10, n_threads=None).fit(log).predict_proba(log)
    assert np.allclose(a, b)  # the thread count changes the speed, not the model
