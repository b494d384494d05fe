"""The mastery rule: when a competency counts as mastered, and when it needs review.

The thresholds are the engine's :data:`tandem_engine.DEFAULT_RULE`, so that what pages show,
what the next-item policy reviews and what the engine's simulations measured are one rule:
mastered at P(mastery) >= 0.95 after at least 3 answers; a mastered competency needs review once
its predicted recall (a forgetting curve whose stability grows with each right answer) falls
below 80%.
"""

from __future__ import annotations

import datetime as dt
import math

import tandem_engine
from tandem.mastery.constants import Status
from tandem_engine.decisions import elapsed_days, predicted_recall, stability_for

RULE = tandem_engine.DEFAULT_RULE
MASTERED_AT = RULE.threshold
MIN_EVIDENCE = RULE.min_evidence
# Below this a once-mastered competency is back to "learning"; between the two it "needs review".
RELAPSED_BELOW = 0.6
READY_PREREQUISITE_AT = MASTERED_AT


def status_after(*, previous: str, p_mastery: float, n_attempts: int) -> str:
    if n_attempts == 0:
        return Status.NOT_STARTED
    # Becoming mastered takes enough answers; staying mastered (a placement's seed, or mastery
    # reached earlier) needs only the estimate to stay above the threshold.
    if p_mastery >= MASTERED_AT and (n_attempts >= MIN_EVIDENCE or previous == Status.MASTERED):
        return Status.MASTERED
    was_mastered = previous in (Status.MASTERED, Status.NEEDS_REVIEW)
    if was_mastered and p_mastery >= RELAPSED_BELOW:
        return Status.NEEDS_REVIEW
    return Status.LEARNING


def review_due_after_days(n_correct: int) -> float:
    """Days without practice after which a competency answered right ``n_correct`` times fades
    below the review threshold of predicted recall."""
    stability = stability_for(n_correct, RULE)
    # predicted_recall(t, S) = (1 + F t / S) ** -0.5 = review_below  =>  t = (r**-2 - 1) S / F
    factor = 19.0 / 81.0
    return (RULE.review_below**-2 - 1.0) * stability / factor


def effective_status(
    *, status: str, last_evidence_at: dt.datetime | None, now: dt.datetime, n_correct: int
) -> str:
    """The stored status, except that mastery whose predicted recall has faded needs review."""
    if status == Status.MASTERED and last_evidence_at is not None:
        recall = predicted_recall(
            max(elapsed_days(last_evidence_at, now), 0.0), stability_for(n_correct, RULE)
        )
        if recall < RULE.review_below:
            return Status.NEEDS_REVIEW
    return status


def uncertainty(p_mastery: float, evidence_weight: float) -> float:
    """Approximate standard deviation of the mastery estimate.

    Treats the evidence as a Beta posterior with ``evidence_weight + 2`` pseudo-observations:
    little evidence gives a wide band, and the band narrows as answers accumulate.
    """
    return math.sqrt(max(p_mastery * (1.0 - p_mastery), 0.0) / (evidence_weight + 3.0))


def is_uncertain(p_mastery: float, evidence_weight: float) -> bool:
    return evidence_weight < 3 or uncertainty(p_mastery, evidence_weight) > 0.12
