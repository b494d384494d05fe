"""The mastery rule: when a competency counts as mastered, and when it needs review."""

from __future__ import annotations

import datetime as dt
import math

from tandem.mastery.constants import Status

MASTERED_AT = 0.95
# Below this a once-mastered competency is back to "learning"; between the two it "needs review".
RELAPSED_BELOW = 0.6
READY_PREREQUISITE_AT = MASTERED_AT
REVIEW_AFTER = dt.timedelta(days=28)


def status_after(*, previous: str, p_mastery: float, n_attempts: int) -> str:
    if n_attempts == 0:
        return Status.NOT_STARTED
    if p_mastery >= MASTERED_AT:
        return Status.MASTERED
    was_mastered = previous in (Status.MASTERED, Status.NEEDS_REVIEW)
    if was_mastered and p_mastery >= RELAPSED_BELOW:
        return Status.NEEDS_REVIEW
    return Status.LEARNING


def effective_status(*, status: str, last_evidence_at: dt.datetime | None, now: dt.datetime) -> str:
    """The stored status, except that mastery not exercised for a while needs review."""
    if status == Status.MASTERED and last_evidence_at and now - last_evidence_at > REVIEW_AFTER:
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
