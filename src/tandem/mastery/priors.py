"""Where a new learner state starts: P(mastered before practice) by the competency's grade gap.

A student who skipped the diagnostic has no evidence on a competency yet, but the gap between
the competency's grade and the student's own says a lot: a grade-8 student has probably
mastered a grade-5 standard and probably not a grade-10 one. Calibration fits one prior per
grade-gap bucket from the installation's first answers (:func:`fit_prior_by_grade_gap`) and
stores it under ``params["prior_by_grade_gap"]``; :func:`prior_p_mastery` reads it back. Both
are pure: no queries, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.roster.constants import GRADES

# Grade gap = competency grade rank - student grade rank, clamped into these buckets: three or
# more grades below the student's, -2, -1, on grade, +1, and two or more grades above.
LOWEST_GAP = -3
HIGHEST_GAP = 2
GAP_BUCKETS = tuple(range(LOWEST_GAP, HIGHEST_GAP + 1))

# Before any calibration (the literature default set has no fitted priors): a judgement, not a
# fit. Three grades below: very likely known; one below: more likely than not; on grade: being
# taught this year, so mostly not yet; above grade: unlikely. Non-increasing in the gap.
DEFAULT_PRIOR_BY_GRADE_GAP: Mapping[int, float] = {
    -3: 0.85,
    -2: 0.75,
    -1: 0.60,
    0: 0.30,
    1: 0.12,
    2: 0.05,
}
# No prior is ever certain: BKT could not move away from 0 or 1.
PRIOR_FLOOR = 0.02
PRIOR_CEILING = 0.98
# Pseudo-count of first answers that the default table weighs as: a bucket with n first
# answers gets n / (n + SHRINKAGE) of its own estimate and the rest from the default.
SHRINKAGE = 20.0
# The literature BKT p_init, for a state whose grade gap is unknown and no set says otherwise.
FALLBACK_P_INIT = 0.2


def bucket(gap: int) -> int:
    """The grade-gap bucket ``gap`` falls in (``-3`` stands for "3 or more below", ``2`` for
    "2 or more above")."""
    return min(max(int(gap), LOWEST_GAP), HIGHEST_GAP)


def bucket_label(gap: int) -> str:
    b = bucket(gap)
    if b == LOWEST_GAP:
        return f"≤{LOWEST_GAP}"
    if b == HIGHEST_GAP:
        return f"≥+{HIGHEST_GAP}"
    return f"{b:+d}" if b else "0"


def grade_gap(*, competency_grade_rank: int | None, student_grade: str) -> int | None:
    """Competency grade rank minus the student's (``tandem.roster.constants.grade_rank``);
    ``None`` when either is unknown (no education level, or no OneRoster grade code)."""
    if competency_grade_rank is None or student_grade not in GRADES:
        return None
    return int(competency_grade_rank) - GRADES.index(student_grade)


def _clip(p: float) -> float:
    return min(max(float(p), PRIOR_FLOOR), PRIOR_CEILING)


def _p_init(params: Mapping[str, Any], code: str) -> float:
    values = (params.get("per_competency") or {}).get(code) or params.get("default") or {}
    return float(values.get("p_init", FALLBACK_P_INIT))


def prior_p_mastery(params: Mapping[str, Any], *, code: str, grade_gap: int | None) -> float:
    """P(mastered before any practice) of a new learner state on competency ``code``.

    ``params`` is a parameter set's ``params``; ``grade_gap`` is the competency's grade rank
    minus the student's (see :func:`grade_gap`). The fitted ``params["prior_by_grade_gap"]``
    value of the gap's bucket when the set has one, else :data:`DEFAULT_PRIOR_BY_GRADE_GAP`.
    With no known gap, the competency's own ``p_init``, as before grade gaps were used.
    Always within [PRIOR_FLOOR, PRIOR_CEILING].
    """
    if grade_gap is None:
        return _clip(_p_init(params, code))
    b = bucket(grade_gap)
    fitted = params.get("prior_by_grade_gap") or {}
    value = fitted.get(str(b))
    if value is None:
        value = DEFAULT_PRIOR_BY_GRADE_GAP[b]
    return _clip(float(value))


@dataclass(frozen=True)
class FirstAnswer:
    """A learner state's first answer: its grade gap, whether it was right, and the
    competency's guess and slip (which turn a success rate into a mastery rate)."""

    grade_gap: int
    correct: bool
    p_guess: float
    p_slip: float


@dataclass(frozen=True)
class PriorFit:
    """One bucket's fit: the prior kept, the raw method-of-moments estimate, its support."""

    gap: int
    label: str
    p: float
    raw: float | None
    n: int
    success_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gap": self.gap,
            "label": self.label,
            "p": round(self.p, 4),
            "raw": None if self.raw is None else round(self.raw, 4),
            "n": self.n,
            "success_rate": None if self.success_rate is None else round(self.success_rate, 4),
        }


def _non_increasing(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-increasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, size]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [m for m, _, n in blocks for _ in range(int(n))]


def fit_prior_by_grade_gap(answers: Iterable[FirstAnswer]) -> list[PriorFit]:
    """P(mastered before practice) per grade-gap bucket, from learner states' first answers.

    A first answer is right with probability ``g + p0 (1 - s - g)``, so over a bucket
    ``p0 = Σ(correct - g) / Σ(1 - s - g)`` (each state with its competency's guess and slip),
    clipped to [PRIOR_FLOOR, PRIOR_CEILING]. Thin buckets are shrunk towards the default table
    (``SHRINKAGE`` pseudo-answers), and the buckets are then made non-increasing in the gap
    (a further-above-grade competency is never likelier known), weighing each by its support.
    """
    sums = {b: [0.0, 0.0, 0, 0] for b in GAP_BUCKETS}  # Σ(c - g), Σ(1 - s - g), n, n correct
    for a in answers:
        row = sums[bucket(a.grade_gap)]
        row[0] += float(a.correct) - a.p_guess
        row[1] += 1.0 - a.p_slip - a.p_guess
        row[2] += 1
        row[3] += int(a.correct)
    raws: list[float | None] = []
    shrunk: list[float] = []
    weights: list[float] = []
    for b in GAP_BUCKETS:
        num, den, n, _ = sums[b]
        raw = _clip(num / den) if n and den > 0 else None
        raws.append(raw)
        default = DEFAULT_PRIOR_BY_GRADE_GAP[b]
        shrunk.append(default if raw is None else (n * raw + SHRINKAGE * default) / (n + SHRINKAGE))
        weights.append(n + SHRINKAGE)
    monotone = _non_increasing(shrunk, weights)
    return [
        PriorFit(
            gap=b,
            label=bucket_label(b),
            p=_clip(p),
            raw=raw,
            n=int(sums[b][2]),
            success_rate=sums[b][3] / sums[b][2] if sums[b][2] else None,
        )
        for b, p, raw in zip(GAP_BUCKETS, monotone, raws, strict=True)
    ]


def prior_table(fits: Iterable[PriorFit]) -> dict[str, float]:
    """The form stored under ``params["prior_by_grade_gap"]``: ``{"-3": p, …, "2": p}``."""
    return {str(f.gap): round(f.p, 4) for f in fits}
