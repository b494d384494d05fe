"""The leaders' statistics against published values and simulations with known truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tandem_engine.equity import (
    audit,
    difference_in_differences,
    holm,
    mean_interval,
    newcombe_difference,
    welch_difference,
    wilson_interval,
)


def test_wilson_interval_matches_published_values() -> None:
    # Newcombe (1998), table I: 0/10 and 15/148.
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    low, high = wilson_interval(0, 0)
    assert np.isnan(low) and np.isnan(high)


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe (1998), difference of independent proportions, example (a): 56/70 - 48/80.
    d, low, high = newcombe_difference(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_welch_difference_agrees_with_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 1.0, 40), rng.normal(0.5, 2.0, 90)
    d, low, high, p = welch_difference(a, b)
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert p == pytest.approx(reference.pvalue)
    interval = reference.confidence_interval(0.95)
    assert (low, high) == pytest.approx((interval.low, interval.high))
    assert d == pytest.approx(a.mean() - b.mean())


def test_mean_interval_is_a_t_interval() -> None:
    estimate = mean_interval([1.0, 2.0, 3.0, 4.0])
    half = stats.t.ppf(0.975, 3) * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (estimate.n, estimate.estimate) == (4, 2.5)
    assert (estimate.low, estimate.high) == pytest.approx((2.5 - half, 2.5 + half))


def test_holm_adjusts_step_down() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def _school(rng: np.random.Generator, n: int, shift: float) -> tuple[dict, dict, dict]:
    group = rng.random(n) < 0.2
    tiny = np.zeros(n, dtype=bool)
    tiny[:15] = True
    below = np.clip(rng.normal(0.2, 0.1, n) + np.where(group, shift, 0.0), 0, 1)
    groups = {"Group A": group, "Tiny": tiny}
    return {"below": below}, {"check-in": rng.random(n) < 0.5}, groups


def test_audit_flags_an_injected_difference_with_its_size() -> None:
    rng = np.random.default_rng(11)
    means, shares, groups = _school(rng, 600, 0.15)
    found = audit(means=means, shares=shares, groups=groups)
    flagged = [c for c in found if c.flagged]
    assert [(c.group, c.measure) for c in flagged] == [("Group A", "below")]
    assert flagged[0].low < 0.15 < flagged[0].high
    tiny = [c for c in found if c.group == "Tiny"]
    assert tiny and not any(c.tested or c.flagged for c in tiny)


def test_audit_false_alarms_stay_near_alpha_without_a_difference() -> None:
    rng = np.random.default_rng(12)
    alarms = 0
    for _ in range(400):
        means, shares, groups = _school(rng, 600, 0.0)
        alarms += any(c.flagged for c in audit(means=means, shares=shares, groups=groups))
    # Holm keeps the chance of any flag at or under 0.05; 0.075 is 2.3 binomial SEs above.
    assert alarms / 400 <= 0.075


def _change(rng: np.random.Generator, n: int, effect: float) -> tuple[np.ndarray, ...]:
    touched = rng.random(n) < 0.4
    rate = rng.gamma(4.0, 0.25, n)
    before = rng.poisson(rate[:, None], (n, 6)).mean(axis=1)
    after = rng.poisson((rate * 1.2 + np.where(touched, effect, 0.0))[:, None], (n, 6))
    after = after.mean(axis=1)
    return before[touched], after[touched], before[~touched], after[~touched]


def test_did_recovers_a_known_effect_and_says_it_helped() -> None:
    result = difference_in_differences(
        *_change(np.random.default_rng(5), 2000, 0.3), smallest_effect=0.1
    )
    assert result.verdict == "helped"
    assert result.low < 0.3 < result.high
    assert "rose" in result.explanation


def test_did_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(6)
    hits = 0
    for _ in range(300):
        result = difference_in_differences(*_change(rng, 300, 0.2), smallest_effect=0.1)
        hits += result.low <= 0.2 <= result.high
    assert 0.91 <= hits / 300 <= 0.99


def test_did_cannot_tell_with_few_students_or_a_wide_interval() -> None:
    rng = np.random.default_rng(8)
    few = difference_in_differences(*_change(rng, 12, 0.0), smallest_effect=0.1)
    assert few.verdict == "cannot_tell" and "at least 10" in few.explanation
    wide = difference_in_differences(*_change(rng, 80, 0.0), smallest_effect=0.05)
    assert wide.verdict == "cannot_tell" and "cannot tell" in wide.explanation
    wobble = np.tile([0.01, -0.01], 50)
    flat = np.zeros(100)
    narrow = difference_in_differences(flat, wobble, flat, wobble, smallest_effect=0.1)
    assert narrow.verdict == "no_clear_change" and narrow.low < 0 < narrow.high


def test_did_refuses_misaligned_students() -> None:
    with pytest.raises(ValueError, match="same students"):
        difference_in_differences([1.0], [1.0, 2.0], [1.0], [1.0], smallest_effect=0.1)


def test_audit_restricts_a_measure_to_some_students_and_keeps_one_family() -> None:
    rng = np.random.default_rng(5)
    n = 400
    group = np.zeros(n, dtype=bool)
    group[:150] = True
    has_pathway = rng.random(n) < 0.5
    # Among students with a pathway the group is behind far more often; without one, never.
    behind = np.where(has_pathway, rng.random(n) < np.where(group, 0.6, 0.2), False)
    rigor = rng.normal(0.3, 0.1, n)
    found = audit(
        means={"rigor": rigor},
        shares={"behind": behind},
        groups={"group": group},
        within={"behind": has_pathway},
        min_shown=10,
    )
    by_measure = {c.measure: c for c in found}
    assert by_measure["behind"].n_group == int((group & has_pathway).sum())
    assert by_measure["behind"].n_rest == int((~group & has_pathway).sum())
    assert by_measure["behind"].flagged and 0.25 < by_measure["behind"].difference < 0.55
    assert not by_measure["rigor"].flagged
    # One family: the Holm adjustment of the smaller p-value counts both comparisons.
    assert by_measure["behind"].p_adjusted == pytest.approx(
        min(1.0, 2 * by_measure["behind"].p_value)
    )


def test_audit_leaves_out_a_comparison_under_the_small_cell_rule_within_a_measure() -> None:
    group = np.zeros(100, dtype=bool)
    group[:40] = True
    within = np.zeros(100, dtype=bool)
    within[35:] = True  # only 5 of the group are among these students
    found = audit(
        means={"days": np.arange(100.0)},
        shares={},
        groups={"group": group},
        within={"days": within},
        min_shown=10,
    )
    assert found == []
