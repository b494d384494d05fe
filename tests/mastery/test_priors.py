"""Priors by grade gap: where a new learner state starts, fitted from first answers."""

import itertools

import numpy as np
import pytest

from tandem.mastery.priors import (
    DEFAULT_PRIOR_BY_GRADE_GAP,
    GAP_BUCKETS,
    PRIOR_CEILING,
    PRIOR_FLOOR,
    FirstAnswer,
    fit_prior_by_grade_gap,
    grade_gap,
    prior_p_mastery,
    prior_table,
)

DEFAULT_SET = {
    "default": {"p_init": 0.2, "p_learn": 0.15, "p_guess": 0.2, "p_slip": 0.1, "p_forget": 0.0},
    "per_competency": {},
}


def test_grade_gap_is_competency_rank_minus_student_rank_and_none_when_unknown():
    # 6.EE.A.2 is grade 6: rank 7 (PK=0, KG=1, 01=2 …), as Competency.grade_rank stores it.
    assert grade_gap(competency_grade_rank=7, student_grade="08") == -2
    assert grade_gap(competency_grade_rank=7, student_grade="06") == 0
    assert grade_gap(competency_grade_rank=1, student_grade="KG") == 0
    assert grade_gap(competency_grade_rank=7, student_grade="") is None
    assert grade_gap(competency_grade_rank=7, student_grade="Other") is None
    assert grade_gap(competency_grade_rank=None, student_grade="06") is None


def test_default_prior_is_monotone_inside_zero_one_and_clamps_far_gaps():
    values = [prior_p_mastery(DEFAULT_SET, code="6.EE.A.2", grade_gap=g) for g in range(-8, 9)]
    assert all(0.0 < v < 1.0 for v in values)
    assert all(a >= b for a, b in itertools.pairwise(values))
    # Well below grade likely known, above grade unlikely.
    assert prior_p_mastery(DEFAULT_SET, code="x", grade_gap=-3) > 0.75
    assert prior_p_mastery(DEFAULT_SET, code="x", grade_gap=2) < 0.1
    assert values[0] == prior_p_mastery(DEFAULT_SET, code="x", grade_gap=-3)
    assert values[-1] == prior_p_mastery(DEFAULT_SET, code="x", grade_gap=2)


def test_unknown_gap_falls_back_to_the_competencys_own_p_init():
    params = {
        **DEFAULT_SET,
        "per_competency": {"6.EE.A.2": {**DEFAULT_SET["default"], "p_init": 0.4}},
    }
    assert prior_p_mastery(params, code="6.EE.A.2", grade_gap=None) == 0.4
    assert prior_p_mastery(params, code="7.RP.A.1", grade_gap=None) == 0.2
    assert prior_p_mastery({}, code="7.RP.A.1", grade_gap=None) == 0.2
    # Never certain, whatever a set says.
    certain = {"default": {"p_init": 1.0}}
    assert prior_p_mastery(certain, code="x", grade_gap=None) == PRIOR_CEILING


def test_a_fitted_table_is_used_and_a_missing_bucket_takes_the_default():
    params = {**DEFAULT_SET, "prior_by_grade_gap": {"-1": 0.7, "0": 0.4}}
    assert prior_p_mastery(params, code="x", grade_gap=-1) == 0.7
    assert prior_p_mastery(params, code="x", grade_gap=0) == 0.4
    assert prior_p_mastery(params, code="x", grade_gap=5) == DEFAULT_PRIOR_BY_GRADE_GAP[2]
    assert prior_p_mastery({"prior_by_grade_gap": {"0": 0.0}}, code="x", grade_gap=0) == (
        PRIOR_FLOOR
    )


def _simulated(truth, *, n_per_bucket, guess, slip, seed):
    rng = np.random.default_rng(seed)
    answers = []
    for gap, p0 in truth.items():
        for _ in range(n_per_bucket):
            known = rng.random() < p0
            right = rng.random() < (1 - slip if known else guess)
            answers.append(
                FirstAnswer(grade_gap=gap, correct=bool(right), p_guess=guess, p_slip=slip)
            )
    return answers


def test_fit_recovers_the_prior_of_each_bucket_from_first_answers():
    truth = {-4: 0.9, -2: 0.7, -1: 0.55, 0: 0.35, 1: 0.15, 3: 0.05}
    fits = fit_prior_by_grade_gap(_simulated(truth, n_per_bucket=3000, guess=0.2, slip=0.1, seed=1))
    assert [f.gap for f in fits] == list(GAP_BUCKETS)
    by_gap = {f.gap: f for f in fits}
    for gap, p0 in truth.items():
        fit = by_gap[max(-3, min(2, gap))]
        assert fit.n == 3000
        assert fit.p == pytest.approx(p0, abs=0.04), gap
    table = prior_table(fits)
    assert set(table) == {"-3", "-2", "-1", "0", "1", "2"}


def test_thin_buckets_lean_on_the_default_and_empty_ones_take_it():
    # Three first answers, all right, one grade above: not evidence enough for "known".
    answers = [FirstAnswer(1, True, 0.2, 0.1)] * 3
    fits = {f.gap: f for f in fit_prior_by_grade_gap(answers)}
    assert fits[1].raw == PRIOR_CEILING
    assert DEFAULT_PRIOR_BY_GRADE_GAP[1] < fits[1].p < 0.3
    assert fits[-2].n == 0 and fits[-2].raw is None
    assert fits[-2].p == pytest.approx(DEFAULT_PRIOR_BY_GRADE_GAP[-2])


def test_fitted_priors_never_rise_with_the_gap():
    # On grade looks better known than one grade below in this (noisy) sample.
    truth = {-1: 0.4, 0: 0.6}
    fits = fit_prior_by_grade_gap(_simulated(truth, n_per_bucket=400, guess=0.2, slip=0.1, seed=2))
    values = [f.p for f in fits]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(values))
    by_gap = {f.gap: f for f in fits}
    # Pooled: both buckets get one value between the two raw estimates.
    assert by_gap[-1].p == pytest.approx(by_gap[0].p)
    assert min(by_gap[-1].raw, by_gap[0].raw) <= by_gap[0].p <= max(by_gap[-1].raw, by_gap[0].raw)
    assert all(PRIOR_FLOOR <= v <= PRIOR_CEILING for v in values)
