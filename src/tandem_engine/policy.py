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


@dataclass(frozen=True, slots=True)
class ItemCandidate:
    """An item the student could get next, with the model's predicted success."""

    item: str
    competency: str
    p_success: float


class PickReason(StrEnum):
    REVIEW = "review"  # a mastered competency whose predicted recall has faded
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
    w_band: float = 4.0  # per unit of distance outside the band
    w_learn: float = 1.0
    w_pathway: float = 0.5
    w_review_due: float = 2.0
    w_review_early: float = -0.5
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


def _band_distance(p: float, low: float, high: float) -> float:
    if p < low:
        return low - p
    if p > high:
        return p - high
    return 0.0


def next_item(
    competencies: Sequence[CompetencyCandidate],
    items: Sequence[ItemCandidate],
    *,
    now: datetime,
    last_item: str | None = None,
    picks_since_review: int = 0,
    config: PolicyConfig = PolicyConfig(),
    seed: int = 0,
) -> Pick | None:
    """The best next item, or None when there is no candidate but the one just given.

    Score = band fit + competency priority (learn / pathway / review / mastered / not ready)
    + a penalty for items recently given on the competency + a seeded tie-breaking jitter.
    Items on competencies missing from ``competencies`` count as ready, off-pathway, new.
    """
    config.validate()
    rule = config.rule
    review_due = picks_since_review + 1 >= config.review_every
    # Competency priority, one pass.
    priority: dict[str, tuple[float, PickReason, frozenset[str]]] = {}
    for c in competencies:
        mastered = c.p_mastery >= rule.threshold and c.n_evidence >= rule.min_evidence
        fading = False
        if mastered and c.last_practiced is not None:
            stability = stability_for(c.n_correct, rule)
            recall = predicted_recall(elapsed_days(c.last_practiced, now), stability)
            fading = recall < rule.review_below
        score = 0.0
        if fading:
            reason = PickReason.REVIEW
            score += config.w_review_due if review_due else config.w_review_early
        elif mastered:
            reason = PickReason.PRACTICE
            score += config.w_mastered
        elif c.ready:
            reason = PickReason.LEARN
            score += config.w_learn
        else:
            reason = PickReason.PRACTICE
            score += config.w_not_ready
        if c.on_pathway:
            score += config.w_pathway
        priority[c.competency] = (score, reason, frozenset(c.recent_items))
    jitter = np.random.default_rng(seed).random(len(items)) * config.jitter
    best: Pick | None = None
    for k, it in enumerate(items):
        if it.item == last_item:
            continue
        base, reason, recent = priority.get(
            it.competency, (config.w_learn, PickReason.LEARN, frozenset())
        )
        score = base - config.w_band * _band_distance(
            it.p_success, config.band_low, config.band_high
        )
        if it.item in recent:
            score += config.w_recent_item
        score += float(jitter[k])
        if best is None or score > best.score:
            best = Pick(
                item=it.item,
                competency=it.competency,
                reason=reason,
                p_success=it.p_success,
                score=score,
            )
    return best
