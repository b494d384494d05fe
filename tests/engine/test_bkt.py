"""BKT: the scalar step, EM fitting, prediction without leakage, online state, golden values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine.bkt import (
    BKT,
    MAX_GUESS,
    MAX_SLIP,
    P_EPS,
    BKTParams,
    bkt_step,
    pooled_params,
    predict_correct,
)
from tandem_engine.estimates import NotFittedError
from tandem_engine.log import Response, ResponseLog
from tandem_engine.simulate import SimulatedLog, simulate_bkt

from .conftest import TRUE_PARAMS

GOLDEN_PARAMS = BKTParams(p_init=0.2, p_learn=0.15, p_guess=0.2, p_slip=0.1)
GOLDEN_ANSWERS = (False, True, True, False, True, True, True)
# P(mastered) after each answer, computed independently in exact fractions, rounded to 1e-9.
GOLDEN_TRAJECTORY = (
    0.175757576,
    0.566228893,
    0.876348078,
    0.549287338,
    0.868911884,
    0.972427712,
    0.994677765,
)

probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
bounded_params = st.builds(
    BKTParams,
    p_init=probability,
    p_learn=probability,
    p_guess=st.floats(min_value=0.0, max_value=MAX_GUESS),
    p_slip=st.floats(min_value=0.0, max_value=MAX_SLIP),
    p_forget=st.just(0.0),
)


def test_golden_trajectory_of_bkt_step() -> None:
    p = GOLDEN_PARAMS.p_init
    got = []
    for answer in GOLDEN_ANSWERS:
        p = bkt_step(p, answer, GOLDEN_PARAMS)
        got.append(round(p, 9))
    assert tuple(got) == pytest.approx(GOLDEN_TRAJECTORY, abs=1e-9)


def test_golden_trajectory_through_the_model_matches_bkt_step() -> None:
    model = BKT.from_params([GOLDEN_PARAMS], np.ones((1, 1), dtype=bool))
    state = model.initial_state()
    for k, answer in enumerate(GOLDEN_ANSWERS):
        state = model.update(state, Response(item=0, correct=answer, order=float(k)))
        assert model.mastery(state)[0].p_mastery == pytest.approx(GOLDEN_TRAJECTORY[k], abs=1e-9)
    estimate = model.mastery(state)[0]
    assert estimate.n_evidence == 7
    assert estimate.n_correct == 5
    assert estimate.evidence[0].order == 6.0
    assert estimate.evidence[0].delta == pytest.approx(
        GOLDEN_TRAJECTORY[6] - GOLDEN_TRAJECTORY[5], abs=1e-9
    )


@given(p=probability, correct=st.booleans(), params=bounded_params)
def test_bkt_step_stays_a_probability(p: float, correct: bool, params: BKTParams) -> None:
    after = bkt_step(p, correct, params)
    assert 0.0 <= after <= 1.0
    assert 0.0 <= predict_correct(after, params) <= 1.0


@given(p=probability, params=bounded_params)
def test_correct_answer_never_lowers_mastery_without_forgetting(
    p: float, params: BKTParams
) -> None:
    # Mastery lives in [P_EPS, 1 - P_EPS]: compare with the clamped starting point.
    assert bkt_step(p, True, params) >= min(max(p, P_EPS), 1.0 - P_EPS) - 1e-12


@settings(max_examples=50, deadline=None)
@given(answers=st.lists(st.booleans(), min_size=1, max_size=30))
def test_fitted_model_correct_answer_never_lowers_mastery(answers: list[bool]) -> None:
    model = _fitted_on_simulation()
    state = model.initial_state()
    for k, answer in enumerate(answers):
        before = model.mastery(state, [0])[0].p_mastery
        state = model.update(state, Response(item=k % 10, correct=answer, order=float(k)))
        after = model.mastery(state, [0])[0].p_mastery
        assert 0.0 <= after <= 1.0
        if answer:
            assert after >= before - 1e-12


_CACHE: dict[str, BKT] = {}


def _fitted_on_simulation() -> BKT:
    if "model" not in _CACHE:
        sim = simulate_bkt(TRUE_PARAMS, n_students=200, n_steps=10, random_state=3)
        _CACHE["model"] = BKT().fit(sim.log)
    return _CACHE["model"]


def test_params_violations_name_every_problem() -> None:
    problems = BKTParams(p_init=1.5, p_guess=0.5, p_slip=0.4).violations()
    assert len(problems) == 3
    with pytest.raises(ValueError, match="p_init"):
        BKTParams(p_init=-0.1).validate()


def test_em_recovers_known_parameters() -> None:
    sim = simulate_bkt(TRUE_PARAMS, n_students=1500, n_steps=15, random_state=11)
    model = BKT(prior_strength=0.0, tol=1e-7, n_iter=300).fit(sim.log)
    for true, fitted in zip(TRUE_PARAMS, model.params_, strict=True):
        assert fitted.p_init == pytest.approx(true.p_init, abs=0.05)
        assert fitted.p_learn == pytest.approx(true.p_learn, abs=0.04)
        assert fitted.p_guess == pytest.approx(true.p_guess, abs=0.04)
        assert fitted.p_slip == pytest.approx(true.p_slip, abs=0.03)
        assert fitted.p_forget == 0.0


def test_em_with_forgetting_recovers_forgetting() -> None:
    params = (BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.2, p_slip=0.1, p_forget=0.1),)
    sim = simulate_bkt(params, n_students=3000, n_steps=15, random_state=5)
    fitted = BKT(forgetting=True, prior_strength=0.0, tol=1e-7, n_iter=500).fit(sim.log).params_[0]
    assert fitted.p_forget == pytest.approx(0.1, abs=0.04)
    assert fitted.p_learn == pytest.approx(0.2, abs=0.05)


def test_guess_and_slip_respect_bounds(small_log: ResponseLog) -> None:
    model = BKT(max_guess=0.1, max_slip=0.05).fit(small_log)
    assert all(p.p_guess <= 0.1 + 1e-12 and p.p_slip <= 0.05 + 1e-12 for p in model.params_)


def test_fit_returns_self_and_is_deterministic(small_log: ResponseLog) -> None:
    model = BKT(n_init=3, random_state=42)
    assert model.fit(small_log) is model
    again = BKT(n_init=3, random_state=42).fit(small_log)
    np.testing.assert_array_equal(model.params_array_, again.params_array_)
    np.testing.assert_array_equal(model.predict_proba(small_log), again.predict_proba(small_log))


def test_init_only_stores_hyper_parameters() -> None:
    model = BKT(forgetting=True, combine="mean", random_state=3)
    assert model.forgetting is True and model.combine == "mean" and model.random_state == 3
    assert not [name for name in vars(model) if name.endswith("_")]


def test_unfitted_model_raises(small_log: ResponseLog) -> None:
    with pytest.raises(NotFittedError):
        BKT().predict_proba(small_log)
    with pytest.raises(NotFittedError):
        BKT().update(BKT().initial_state(), Response(0, True))


def test_online_updates_match_batch_prediction(simulated: SimulatedLog) -> None:
    log = simulated.log
    model = BKT(forgetting=True).fit(log)
    batch = model.predict_proba(log)
    online = []
    for student in range(20):
        state = model.initial_state()
        for response in log.responses_of(student):
            online.append(model.predict_item(state, response.item))
            state = model.update(state, response)
    np.testing.assert_allclose(online, batch[: len(online)], atol=1e-12)


def test_update_is_pure() -> None:
    model = _fitted_on_simulation()
    state = model.update(model.initial_state(), Response(0, True, 0.0))
    snapshot = model.mastery(state)
    model.update(state, Response(1, False, 1.0))
    assert model.mastery(state) == snapshot


@pytest.mark.parametrize("combine", ["product", "mean", "min"])
def test_multi_skill_items_combine_their_skills(combine: str) -> None:
    q = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    params = [BKTParams(0.5, 0.1, 0.2, 0.1), BKTParams(0.2, 0.1, 0.2, 0.1)]
    model = BKT.from_params(params, q, combine=combine)  # type: ignore[arg-type]
    state = model.initial_state()
    a = model.predict_item(state, 0)
    b = model.predict_item(state, 1)
    expected = {"product": a * b, "mean": (a + b) / 2, "min": min(a, b)}[combine]
    assert model.predict_item(state, 2) == pytest.approx(expected)
    after = model.update(state, Response(2, True, 0.0))
    assert {e.skill for e in model.mastery(after) if e.n_evidence} == {0, 1}


def test_items_without_skills_get_the_base_rate() -> None:
    q = np.array([[1], [0]], dtype=bool)
    log = ResponseLog.from_arrays(
        student=[0, 0, 1, 1], item=[0, 1, 0, 1], correct=[1, 1, 0, 1], q_matrix=q
    )
    model = BKT().fit(log)
    p = model.predict_proba(log)
    assert p[1] == pytest.approx(0.75)
    assert math.isfinite(model.log_likelihood_)


def test_em_without_a_prior_stays_finite_where_a_skill_lacks_evidence():
    # Skill 1 is only ever answered once per student (no transitions to learn from) and always
    # right (nothing to estimate slip from); with no prior pulling, EM must not divide by zero.
    log = ResponseLog.from_arrays(
        student=[0, 0, 0, 1, 1, 1],
        item=[0, 0, 1, 0, 0, 1],
        correct=[0, 1, 1, 1, 1, 1],
        q_matrix=np.eye(2, dtype=bool),
    )
    model = BKT(prior_strength=0.0).fit(log)
    values = np.array([[getattr(p, f) for f in BKTParams.__slots__] for p in model.params_])
    assert np.isfinite(values).all()
    assert not any(p.violations() for p in model.params_)


def test_pooled_params_stay_within_the_bounds_their_parts_sit_on() -> None:
    # Three competencies with guess and slip at the 0.3 cap: their weighted mean used to come
    # out as 0.30000000000000004 and calibration stopped with "p_guess exceeds 0.3".
    columns = np.array(
        [[0.2, 0.1, 0.3], [0.1, 0.2, 0.15], [0.3, 0.3, 0.3], [0.3, 0.3, 0.3], [0, 0, 0]]
    )
    weights = np.array([7.0, 11.0, 13.0])
    raw = np.average(columns, axis=1, weights=weights)
    assert raw[2] > 0.3  # the rounding this guards against
    pooled = pooled_params(columns, weights)
    assert pooled.p_guess == 0.3 and pooled.p_slip == 0.3
    assert pooled.p_init == pytest.approx(raw[0])
    with pytest.raises(ValueError, match="not finite"):
        pooled_params(np.full((5, 2), np.nan), [1.0, 1.0])
