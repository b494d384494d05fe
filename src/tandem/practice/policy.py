"""The simple next-item policy: keep the student succeeding about 70–85% of the time.

Plain values in and out, so it can be tested without a database and swapped for the learner
model's policy. Grade level never caps the choice: gaps below it and ready work above it count.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

TARGET_LOW = 0.70
TARGET_HIGH = 0.85
DIFFICULTIES = (1, 2, 3)
# Each difficulty step away from the middle moves the log-odds of success by this much.
DIFFICULTY_LOGIT_STEP = 0.7
# One item in this many is spaced review of something mastered a while ago, when there is some.
REVIEW_EVERY = 5


@dataclass(frozen=True)
class Candidate:
    competency_id: int
    code: str
    grade_rank: int
    p_mastery: float
    p_correct: float  # predicted success on a middle-difficulty item
    status: str
    ready: bool  # all practisable prerequisites mastered
    last_practised: dt.datetime | None


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    difficulty: int
    predicted_success: float
    reason: str


def _shift(p: float, difficulty: int) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    logit = math.log(p / (1 - p)) - (difficulty - 2) * DIFFICULTY_LOGIT_STEP
    return 1 / (1 + math.exp(-logit))


def _best_difficulty(p_correct: float) -> tuple[int, float]:
    centre = (TARGET_LOW + TARGET_HIGH) / 2
    options = [(abs(_shift(p_correct, d) - centre), d) for d in DIFFICULTIES]
    _, difficulty = min(options)
    return difficulty, _shift(p_correct, difficulty)


def choose_next(
    candidates: Sequence[Candidate],
    *,
    student_grade_rank: int,
    recent_competency_ids: Sequence[int],
    answered_count: int,
    rng: random.Random,
) -> Choice | None:
    """Pick the competency and difficulty of the next item, or None if nothing is practisable."""
    if not candidates:
        return None
    last = recent_competency_ids[0] if recent_competency_ids else None
    review = [c for c in candidates if c.status == "needs_review" and c.competency_id != last]
    if review and answered_count % REVIEW_EVERY == REVIEW_EVERY - 1:
        pick = min(review, key=lambda c: c.last_practised or dt.datetime.min.replace(tzinfo=dt.UTC))
        difficulty, predicted = _best_difficulty(pick.p_correct)
        return Choice(pick, difficulty, predicted, "Spaced review: mastered a while ago")
    learnable = [
        c
        for c in candidates
        if c.ready
        and c.status in ("not_started", "learning", "needs_review")
        and c.competency_id != last
    ]
    if not learnable:
        learnable = [c for c in candidates if c.competency_id != last] or list(candidates)

    def score(c: Candidate) -> tuple[float, float]:
        _, predicted = _best_difficulty(c.p_correct)
        in_band = TARGET_LOW <= predicted <= TARGET_HIGH
        # Gaps below grade first, then on grade, then ahead; started work before new work.
        gap = c.grade_rank < student_grade_rank
        ahead = c.grade_rank > student_grade_rank
        priority = (
            (2.0 if in_band else 0.0)
            + (1.0 if gap else 0.5 if not ahead else 0.0)
            + (0.5 if c.status == "learning" else 0.0)
            + (0.3 if c.competency_id in recent_competency_ids[:5] else 0.0)
        )
        return priority + rng.random() * 0.4, -c.grade_rank

    pick = max(learnable, key=score)
    difficulty, predicted = _best_difficulty(pick.p_correct)
    if pick.grade_rank < student_grade_rank:
        reason = "Filling a gap from an earlier grade"
    elif pick.grade_rank > student_grade_rank:
        reason = "Ready for work beyond your grade"
    else:
        reason = "Next step at your grade"
    return Choice(pick, difficulty, predicted, reason)
