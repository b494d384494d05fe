"""Choosing the next item: predicted success in a target band, on competencies ready to learn,
along the pathway, with spaced review of fading competencies interleaved, and no immediate
repeats. Plain values in and out; one pass over the candidates; deterministic given a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np

from tandem_engine.decisions import (
    DEFAULT_RULE,
    MasteryRule,
    elapsed_days,
    predicted_recall,
    stability_for,
)

__all__ = [
    "CompetencyCandidate",
    "ItemCandidate",
    "Pick",
    "PickReason",
    "PolicyConfig",
    "next_item",
]


@dataclass(frozen=True, slots=True)
class CompetencyCandidate:
    """What the policy needs to know about one competency for this student.

    ``ready``: its prerequisites are met. ``last_practiced``: aware datetime, or None if never.
    ``recent_items``: the items last given on it, newest first (never repeated right away).
    """

    competency: str
    p_mastery: float
    n_evidence: int = 0
    n_correct: int = 0
    ready: bool = True
    on_pathway: bool = False
    last_practiced: datetime | None = None
    recent_items: tuple[str, ...] = ()
    #: A target (grade-level, or on the pathway) or an unmastered prerequisite of one.
    focus: bool = False
    #: Reached mastery on an earlier day and awaits the check that confirms it.
    check_due: bool = False


@dataclass(frozen=True, slots=True)
class ItemCandidate:
    """An item the student could get next, with the model's predicted success."""

    item: str
    competency: str
    p_success: float


class PickReason(StrEnum):
    REVIEW = "review"  # a mastered competency whose predicted recall has faded
    CHECK = "check"  # probably mastered on an earlier day: a retention check confirms it
    LEARN = "learn"  # ready, not yet mastered
    PRACTICE = "practice"  # already mastered and fresh, or prerequisites not met


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """Weights of the item score (higher wins) and the target band.

    ``review_every``: once a fading competency exists, every ``review_every``-th pick is a
    review (``picks_since_review`` counts the picks since the last one).
    """

    band_low: float = 0.70
    band_high: float = 0.85
    review_every: int = 3
    w_band: float = 2.0  # per unit of distance outside the band
    # Beyond ``reach`` outside the band an item is out of reach: each further unit costs
    # ``w_far`` more, so that the weakest competency is not served at a predicted success far
    # below the band while something within reach of it waits (nor far above it). With the
    # default weights a focus competency's weakness bonus (at most ``w_weak``) no longer buys
    # an item 0.3 below the band's low edge. In the classroom simulation (400 students,
    # bench/classroom.py, README "Benchmarks") own-grade standards learned per 100 items
    # rose from 0.52 to 0.61, all of it among the students served before the school's first
    # calibration, whose BKT predictions spread wider than the calibrated live predictor's.
    reach: float = 0.1
    w_far: float = 10.0
    # Per unit of distance from the band's middle: among items in the band (the difficulties
    # of one competency, say) the one likeliest to stay in it when the prediction errs.
    w_centre: float = 0.5
    w_learn: float = 1.0
    w_focus: float = 1.5  # a target or one of its unmastered prerequisites
    w_weak: float = 2.0  # per unit of (1 - P(mastery)) on a ready focus competency
    w_pathway: float = 0.5
    w_review_due: float = 2.0
    w_review_early: float = -0.5
    w_check: float = 2.5
    w_mastered: float = -1.0
    w_not_ready: float = -3.0
    w_recent_item: float = -2.0
    jitter: float = 0.01
    rule: MasteryRule = field(default=DEFAULT_RULE)

    def violations(self) -> list[str]:
        problems = []
        if not 0.0 <= self.band_low <= self.band_high <= 1.0:
            problems.append(f"band [{self.band_low}, {self.band_high}] is not within [0, 1]")
        if self.review_every < 1:
            problems.append(f"review_every={self.review_every} is below 1")
        if self.reach < 0.0 or self.w_far < 0.0:
            problems.append(f"reach={self.reach} and w_far={self.w_far} must not be negative")
        if self.jitter < 0.0:
            problems.append(f"jitter={self.jitter} is negative")
        return problems + self.rule.violations()

    def validate(self) -> PolicyConfig:
        problems = self.violations()
        if problems:
            raise ValueError("invalid policy config: " + "; ".join(problems))
        return self


@dataclass(frozen=True, slots=True)
class Pick:
    """The chosen item, why, and its score (for logging and explanations)."""

    item: str
    competency: str
    reason: PickReason
    p_success: float
    score: float


def next_item(
    competencies: Sequence[CompetencyCandidate],
    items: Sequence[ItemCandidate],
    *,
    now: datetime,
    last_item: str | None = None,
    picks_since_review: int = 0,
    config: PolicyConfig = PolicyConfig(),
    seed: int = 0,
    review_allowed: bool = True,
) -> Pick | None:
    """The best next item, or None when there is no candidate but the one just given.

    Score = band fit (distance outside the band, steeply more beyond ``config.reach`` of it,
    and a little for distance from its middle)
    + competency priority (check / review / learn: focus first, weakest first / mastered /
    not ready) + a penalty for items recently given on the competency + a
    seeded tie-breaking jitter. With ``review_allowed`` false no review or check is picked
    as such (the caller caps their share). Items on competencies missing from
    ``competencies`` count as ready, off-pathway, new. Scored as arrays, one pass.
    """
    config.validate()
    if not items:
        return None
    rule = config.rule
    review_due = picks_since_review + 1 >= config.review_every
    priority: dict[str, tuple[float, PickReason, frozenset[str]]] = {}
    for c in competencies:
        mastered = c.p_mastery >= rule.threshold and c.n_evidence >= rule.min_evidence
        fading = False
        if mastered and c.last_practiced is not None:
            stability = stability_for(c.n_correct, rule)
            recall = predicted_recall(elapsed_days(c.last_practiced, now), stability)
            fading = recall < rule.review_below
        score = 0.0
        if fading and review_allowed:
            reason = PickReason.REVIEW
            score += config.w_review_due if review_due else config.w_review_early
        elif c.check_due and review_allowed:
            reason = PickReason.CHECK
            score += config.w_check
        elif mastered or c.check_due:
            reason = PickReason.PRACTICE
            score += config.w_mastered
        elif c.ready:
            reason = PickReason.LEARN
            score += config.w_learn
            if c.focus:
                # Among targets and their gaps the weakest ready one comes first.
                score += config.w_focus + config.w_weak * (1.0 - c.p_mastery)
        else:
            reason = PickReason.PRACTICE
            score += config.w_not_ready
        if c.on_pathway:
            score += config.w_pathway
        priority[c.competency] = (score, reason, frozenset(c.recent_items))
    default = (config.w_learn, PickReason.LEARN, frozenset[str]())
    rows = [priority.get(it.competency, default) for it in items]
    base = np.fromiter((row[0] for row in rows), dtype=np.float64, count=len(items))
    p_success = np.fromiter((it.p_success for it in items), dtype=np.float64, count=len(items))
    distance = np.maximum(config.band_low - p_success, 0.0) + np.maximum(
        p_success - config.band_high, 0.0
    )
    recent = np.fromiter(
        (it.item in row[2] for it, row in zip(items, rows, strict=True)),
        dtype=np.bool_,
        count=len(items),
    )
    centre = 0.5 * (config.band_low + config.band_high)
    scores = (
        base
        - config.w_band * distance
        - config.w_far * np.maximum(distance - config.reach, 0.0)
        - config.w_centre * np.abs(p_success - centre)
        + np.where(recent, config.w_recent_item, 0.0)
    )
    scores += np.random.default_rng(seed).random(len(items)) * config.jitter
    if last_item is not None:
        scores[[k for k, it in enumerate(items) if it.item == last_item]] = -np.inf
    k = int(np.argmax(scores))
    if not np.isfinite(scores[k]):
        return None
    it = items[k]
    return Pick(
        item=it.item,
        competency=it.competency,
        reason=rows[k][1],
        p_success=it.p_success,
        score=float(scores[k]),
    )
