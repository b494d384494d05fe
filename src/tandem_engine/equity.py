"""Group comparisons for leaders: rates and means by student group with confidence intervals,
a correction for many comparisons, and a difference-in-differences estimate of a change.

Plain numbers in, frozen values out; no Django, no clock, randomness only through arguments.
Students are the unit of analysis throughout (a student's practice items are not independent),
so a rate of practice is compared as a per-student share with Welch's test, and a yes/no per
student (had a check-in) as a difference of proportions with Newcombe's interval.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "Comparison",
    "DidResult",
    "GroupEstimate",
    "Verdict",
    "audit",
    "compare_means",
    "compare_proportions",
    "difference_in_differences",
    "flag_many",
    "holm",
    "mean_interval",
    "newcombe_difference",
    "welch_difference",
    "wilson_interval",
]

Z95 = 1.959963984540054
# Below this many students in either group a difference is not estimated at all.
MIN_GROUP = 2
# Below this many students a group's difference is shown but not tested for chance (see audit).
MIN_TESTED = 30

Verdict = Literal["helped", "hurt", "no_clear_change", "cannot_tell"]


@dataclass(frozen=True)
class GroupEstimate:
    """A mean (or share) of a group with its 95% interval."""

    n: int
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """One group against everyone else on one measure.

    ``difference`` is group minus the rest, with its 95% interval; ``p_adjusted`` is the Holm
    adjusted p-value over the family of comparisons it was flagged in, and ``flagged`` says
    whether the difference is beyond chance after that correction.
    """

    measure: str
    group: str
    n_group: int
    n_rest: int
    group_value: float
    rest_value: float
    difference: float
    low: float
    high: float
    p_value: float
    p_adjusted: float = math.nan
    flagged: bool = False
    tested: bool = True


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (0..1); (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(
    k1: int, n1: int, k2: int, n2: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference of two independent proportions p1 - p2 with Newcombe's hybrid score interval
    (his method 10: built from the two Wilson intervals; good coverage for small groups)."""
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan, math.nan)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (d, max(-1.0, low), min(1.0, high))


def _two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled z-test of p1 == p2."""
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0.0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return float(2.0 * stats.norm.sf(abs(z)))


@functools.lru_cache(maxsize=4096)
def _t_quantile(q: float, df: int) -> float:
    """Student's t quantile, remembered: a leader's page asks for the same few hundred (one per
    group size), and each scipy call costs about a tenth of a millisecond."""
    return float(stats.t.ppf(q, df))


def mean_interval(values: ArrayLike, level: float = 0.95) -> GroupEstimate:
    """Mean with a t interval (students as the unit); a single value has no interval."""
    x = np.asarray(values, dtype=np.float64).ravel()
    n = int(x.size)
    if n == 0:
        return GroupEstimate(0, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return GroupEstimate(n, mean, math.nan, math.nan)
    se = float(x.std(ddof=1)) / math.sqrt(n)
    half = _t_quantile(0.5 + level / 2, n - 1) * se
    return GroupEstimate(n, mean, mean - half, mean + half)


def welch_difference(
    a: ArrayLike, b: ArrayLike, level: float = 0.95
) -> tuple[float, float, float, float]:
    """Mean of ``a`` minus mean of ``b`` with Welch's interval and two-sided p-value:
    (difference, low, high, p). NaNs when either side has fewer than two values."""
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    if x.size < MIN_GROUP or y.size < MIN_GROUP:
        return (math.nan, math.nan, math.nan, math.nan)
    d = float(x.mean() - y.mean())
    vx = float(x.var(ddof=1)) / x.size
    vy = float(y.var(ddof=1)) / y.size
    se = math.sqrt(vx + vy)
    if se == 0.0:
        return (d, d, d, 1.0 if d == 0.0 else 0.0)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    p = float(2.0 * stats.t.sf(abs(d) / se, df))
    return (d, d - half, d + half, p)


def compare_means(
    measure: str, values: ArrayLike, groups: Mapping[str, NDArray[np.bool_]]
) -> list[Comparison]:
    """Each group's per-student mean of ``values`` against the rest (Welch), unflagged."""
    x = np.asarray(values, dtype=np.float64).ravel()
    out: list[Comparison] = []
    for name, member in groups.items():
        inside, outside = x[member], x[~member]
        d, low, high, p = welch_difference(inside, outside)
        if math.isnan(d):
            continue
        out.append(
            Comparison(
                measure=measure,
                group=name,
                n_group=int(inside.size),
                n_rest=int(outside.size),
                group_value=float(inside.mean()),
                rest_value=float(outside.mean()),
                difference=d,
                low=low,
                high=high,
                p_value=p,
            )
        )
    return out


def compare_proportions(
    measure: str, yes: ArrayLike, groups: Mapping[str, NDArray[np.bool_]]
) -> list[Comparison]:
    """Each group's share of students with ``yes`` against the rest (Newcombe), unflagged."""
    y = np.asarray(yes, dtype=np.bool_).ravel()
    out: list[Comparison] = []
    for name, member in groups.items():
        n1, n2 = int(member.sum()), int((~member).sum())
        if n1 < MIN_GROUP or n2 < MIN_GROUP:
            continue
        k1, k2 = int(y[member].sum()), int(y[~member].sum())
        d, low, high = newcombe_difference(k1, n1, k2, n2)
        out.append(
            Comparison(
                measure=measure,
                group=name,
                n_group=n1,
                n_rest=n2,
                group_value=k1 / n1,
                rest_value=k2 / n2,
                difference=d,
                low=low,
                high=high,
                p_value=_two_proportion_p(k1, n1, k2, n2),
            )
        )
    return out


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (controls the chance of any false flag)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def flag_many(comparisons: Sequence[Comparison], alpha: float = 0.05) -> list[Comparison]:
    """The comparisons with Holm-adjusted p-values and ``flagged`` set where the difference
    is beyond chance at ``alpha`` over the whole family (the order is kept)."""
    tested = [c for c in comparisons if c.tested]
    adjusted = dict(zip(map(id, tested), holm([c.p_value for c in tested]), strict=True))
    return [
        replace(c, p_adjusted=adjusted[id(c)], flagged=adjusted[id(c)] < alpha) if c.tested else c
        for c in comparisons
    ]


@dataclass(frozen=True)
class DidResult:
    """Difference in differences: how much more the touched students' growth changed after
    the start than the untouched students' growth did, with a 95% interval."""

    n_touched: int
    n_untouched: int
    touched_before: float
    touched_after: float
    untouched_before: float
    untouched_after: float
    estimate: float
    low: float
    high: float
    verdict: Verdict
    explanation: str


def difference_in_differences(
    touched_before: ArrayLike,
    touched_after: ArrayLike,
    untouched_before: ArrayLike,
    untouched_after: ArrayLike,
    *,
    smallest_effect: float,
    min_group: int = 10,
    unit: str = "competencies mastered per week",
) -> DidResult:
    """Growth before and after a change, touched against untouched students.

    Each argument holds one value per student (aligned between before and after of the same
    group). Each student's own change (after minus before) is the unit, so the interval is
    robust to any correlation within a student (it is the cluster-robust interval with
    students as clusters, by Welch's t). ``smallest_effect`` is the smallest difference that
    would matter to the school: an interval holding 0 but wider than that cannot tell.
    """
    tb = np.asarray(touched_before, dtype=np.float64).ravel()
    ta = np.asarray(touched_after, dtype=np.float64).ravel()
    ub = np.asarray(untouched_before, dtype=np.float64).ravel()
    ua = np.asarray(untouched_after, dtype=np.float64).ravel()
    if tb.shape != ta.shape or ub.shape != ua.shape:
        raise ValueError("before and after must hold the same students")
    n_t, n_u = int(tb.size), int(ub.size)
    m_tb, m_ta, m_ub, m_ua = (float(v.mean()) if v.size else math.nan for v in (tb, ta, ub, ua))
    if n_t < min_group or n_u < min_group:
        return DidResult(
            n_t,
            n_u,
            m_tb,
            m_ta,
            m_ub,
            m_ua,
            math.nan,
            math.nan,
            math.nan,
            "cannot_tell",
            # No counts in the words: a side this small is under a small-cell threshold.
            f"The data cannot tell: the students the change touched and those it did not each "
            f"need to be at least {min_group}, with practice both before and after the start.",
        )
    d, low, high, _ = welch_difference(ta - tb, ua - ub)
    verdict: Verdict
    if low > 0:
        verdict = "helped"
        text = (
            f"Growth rose more for the students the change touched: by {d:.2f} {unit} "
            f"(95% interval {low:.2f} to {high:.2f})."
        )
    elif high < 0:
        verdict = "hurt"
        text = (
            f"Growth fell behind for the students the change touched: by {-d:.2f} {unit} "
            f"(95% interval {low:.2f} to {high:.2f})."
        )
    elif high - low > 2 * smallest_effect:
        verdict = "cannot_tell"
        text = (
            f"The data cannot tell: the difference could be anywhere from {low:.2f} to "
            f"{high:.2f} {unit}, wider than the {smallest_effect:.2f} that would matter."
        )
    else:
        verdict = "no_clear_change"
        text = (
            f"No change big enough to matter: the difference lies between {low:.2f} and "
            f"{high:.2f} {unit}, within ±{smallest_effect:.2f}."
        )
    return DidResult(n_t, n_u, m_tb, m_ta, m_ub, m_ua, d, low, high, verdict, text)


def audit(
    *,
    means: Mapping[str, ArrayLike],
    shares: Mapping[str, ArrayLike],
    groups: Mapping[str, NDArray[np.bool_]],
    alpha: float = 0.05,
    min_tested: int = MIN_TESTED,
    within: Mapping[str, NDArray[np.bool_]] | None = None,
    min_shown: int = MIN_GROUP,
) -> list[Comparison]:
    """Every group against the rest on every measure, flagged as one family (Holm).

    ``means`` maps a measure to one number per student (a share of practice below grade, a
    pace); ``shares`` a measure to one yes/no per student (had a check-in); ``groups`` a group
    name to a mask over the same students. Leave out groups too small to show before calling.
    Groups under ``min_tested`` students keep their difference and interval but are not tested
    for chance: with so few students, skewed measures (shares of practice, paces) make the
    tests' far tails unreliable, and they raised false alarms in ``bench/equity.py``.

    ``within`` restricts a measure to some students (a mask over the same students: pathway
    pace only for those with a pathway), and a comparison where the group or the rest has
    fewer than ``min_shown`` of them is left out (a small-cell rule); every comparison still
    counts in the one family the correction is made over.
    """
    within = within or {}

    def restricted(
        measure: str, values: ArrayLike
    ) -> tuple[NDArray[np.float64], dict[str, NDArray[np.bool_]]]:
        x = np.asarray(values, dtype=np.float64).ravel()
        keep = within.get(measure)
        if keep is None:
            return x, dict(groups)
        return x[keep], {name: mask[keep] for name, mask in groups.items()}

    found: list[Comparison] = []
    for measure, values in means.items():
        found.extend(compare_means(measure, *restricted(measure, values)))
    for measure, yes in shares.items():
        x, subgroups = restricted(measure, yes)
        found.extend(compare_proportions(measure, x.astype(bool), subgroups))
    found = [c for c in found if min(c.n_group, c.n_rest) >= min_shown]
    found = [
        c if min(c.n_group, c.n_rest) >= min_tested else replace(c, tested=False) for c in found
    ]
    return flag_many(found, alpha)
