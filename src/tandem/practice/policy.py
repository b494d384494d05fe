"""The next-item policy of practice: a thin adapter around the learner model's policy.

:func:`tandem_engine.next_item` does the choosing (predicted success in the 70–85% band, ready
competencies first, the pathway, interleaved spaced review of fading competencies, no immediate
repeats, deterministic for a seed). This module turns the platform's candidates into the
engine's plain values, offers each competency at three difficulties, and words the reason for
the student. Plain values in and out, so it is tested without a database.

The student's pathway (their plan towards targets, which may lie beyond their grade) is
preferred. A student without a pathway is treated as if it held everything up to their grade:
gaps below it and work at it come first, and work beyond it follows once it is ready. Grade
never caps the choice.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_noop

import tandem_engine
from tandem.mastery.constants import Status
from tandem_engine import CompetencyCandidate, ItemCandidate, PickReason, PolicyConfig

TARGET_LOW = 0.70
TARGET_HIGH = 0.85
DIFFICULTIES = (1, 2, 3)
# Each difficulty step away from the middle moves the log-odds of success by this much, until
# the school's calibration fits the step from its own served answers (see
# tandem.practice.selectors.difficulty_step), which then holds it within these bounds.
DIFFICULTY_LOGIT_STEP = 0.7
DIFFICULTY_STEP_BOUNDS = (0.2, 1.0)
# Once something mastered has faded, one item in this many is a spaced review of it.
REVIEW_EVERY = 4
# Reviews and retention checks together stay at or under this share of recent items.
REVIEW_SHARE = 0.25
# No competency more than this many times in ten items, unless the student chose it.
MAX_SAME_IN_RECENT = 3
# (competency, difficulty) pairs given in the last this-many items are not given again soon.
RECENT_WINDOW = 3

# Why an item was picked, stored with the attempt in English (teachers' pages and exports
# compare them) and translated where a student reads it ({% translate attempt.reason %}):
# gettext_noop marks them for the catalog without translating them here.
REVIEW_REASON = gettext_noop("Spaced review: you mastered this a while ago")
CHECK_REASON = gettext_noop("Check-in: you got this right before — is it still there?")
REVIEW_REASONS = frozenset({REVIEW_REASON, CHECK_REASON})
# Reasons of items on a competency the student chose begin with this.
CHOSEN_REASON_PREFIX = "You chose"
CHOSEN_REASON = gettext_noop("You chose to work on this")

CONFIG = PolicyConfig(band_low=TARGET_LOW, band_high=TARGET_HIGH, review_every=REVIEW_EVERY)


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
    n_attempts: int = 0
    n_correct: int = 0
    # On the student's pathway; None when the student has no pathway (then: up to their grade).
    on_pathway: bool | None = None
    # A target: on the pathway, or at the student's grade when there is no pathway.
    target: bool = False
    # An unmastered prerequisite of an unmastered target.
    gap: bool = False
    # Probably mastered on an earlier day: a retention check is due.
    check_due: bool = False


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    difficulty: int
    predicted_success: float
    reason: str
    kind: str  # the engine's PickReason: learn, review or practice


def shift_for_difficulty(p: float, difficulty: int, step: float = DIFFICULTY_LOGIT_STEP) -> float:
    """Predicted success on an item of ``difficulty`` given that on a middle one."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    logit = math.log(p / (1 - p)) - (difficulty - 2) * step
    return 1 / (1 + math.exp(-logit))


def _item_key(competency_id: int, difficulty: int) -> str:
    return f"{competency_id}@{difficulty}"


def _reason(
    kind: PickReason, candidate: Candidate, student_grade_rank: int, *, chosen: bool = False
) -> str:
    if chosen:
        return CHOSEN_REASON
    if kind == PickReason.REVIEW:
        return REVIEW_REASON
    if kind == PickReason.CHECK:
        return CHECK_REASON
    if kind == PickReason.PRACTICE:
        if not candidate.ready:
            return gettext_noop("Practice on something its earlier steps would make easier")
        return gettext_noop("More practice to keep it strong")
    if candidate.status == Status.MASTERED:
        # The engine learns until the rule's answers are in; a placement masters a standard
        # without any, and the student's pages call it mastered: not a gap, not a next step.
        return gettext_noop("More practice to keep it strong")
    if candidate.on_pathway and candidate.grade_rank > student_grade_rank:
        return gettext_noop("Next step on your pathway, beyond your grade")
    if candidate.gap:
        return gettext_noop("Filling a gap that your next steps build on")
    if candidate.grade_rank < student_grade_rank:
        return gettext_noop("Filling a gap from an earlier grade")
    if candidate.grade_rank > student_grade_rank:
        return gettext_noop("Ready for work beyond your grade")
    return gettext_noop("Next step at your grade")


def choose_next(
    candidates: Sequence[Candidate],
    *,
    student_grade_rank: int,
    recent_competency_ids: Sequence[int],
    answered_count: int,
    rng: random.Random,
    now: dt.datetime | None = None,
    recent_difficulties: Sequence[int] = (),
    picks_since_review: int | None = None,
    review_allowed: bool = True,
    chosen: bool = False,
    difficulty_step: float = DIFFICULTY_LOGIT_STEP,
) -> Choice | None:
    """Pick the competency and difficulty of the next item, or None if nothing is practisable.

    ``recent_competency_ids`` (and, aligned with it, ``recent_difficulties``) list the last
    items given, newest first. ``picks_since_review`` defaults to a count derived from
    ``answered_count``, so that one pick in ``REVIEW_EVERY`` can be a review.
    ``difficulty_step``: how much one difficulty step from the middle moves the log-odds of
    success.
    """
    if not candidates:
        return None
    when = now or dt.datetime.now(dt.UTC)
    recent_pairs = list(zip(recent_competency_ids, recent_difficulties, strict=False))[
        :RECENT_WINDOW
    ]
    recent_by_comp: dict[int, list[str]] = {}
    for cid, difficulty in recent_pairs:
        recent_by_comp.setdefault(cid, []).append(_item_key(cid, difficulty))
    last_comp = recent_competency_ids[0] if recent_competency_ids else None
    if last_comp is not None and not recent_pairs:
        # Only the competency is known: steer away from all of its difficulties.
        recent_by_comp[last_comp] = [_item_key(last_comp, d) for d in DIFFICULTIES]
    by_id = {c.competency_id: c for c in candidates}
    competencies = [
        CompetencyCandidate(
            competency=str(c.competency_id),
            p_mastery=c.p_mastery,
            n_evidence=c.n_attempts,
            n_correct=c.n_correct,
            ready=c.ready,
            on_pathway=(
                c.on_pathway if c.on_pathway is not None else c.grade_rank <= student_grade_rank
            ),
            last_practiced=c.last_practised,
            recent_items=tuple(recent_by_comp.get(c.competency_id, ())),
            focus=c.target or c.gap,
            check_due=c.check_due,
        )
        for c in candidates
    ]
    # Predicted success at every difficulty, as one array: logit shifted per difficulty step.
    p_mid = np.clip(
        np.fromiter((float(c.p_correct) for c in candidates), np.float64), 1e-4, 1 - 1e-4
    )
    shifts = (np.asarray(DIFFICULTIES, dtype=np.float64) - 2.0) * difficulty_step
    logits = np.log(p_mid / (1.0 - p_mid))[:, None] - shifts[None, :]
    p_by_difficulty = (1.0 / (1.0 + np.exp(-logits))).tolist()
    items = [
        ItemCandidate(
            item=_item_key(c.competency_id, d),
            competency=str(c.competency_id),
            p_success=row[k],
        )
        for c, row in zip(candidates, p_by_difficulty, strict=True)
        for k, d in enumerate(DIFFICULTIES)
    ]
    last_item = _item_key(*recent_pairs[0]) if recent_pairs else None
    pick = tandem_engine.next_item(
        competencies,
        items,
        now=when,
        last_item=last_item,
        picks_since_review=(
            answered_count % REVIEW_EVERY if picks_since_review is None else picks_since_review
        ),
        config=CONFIG,
        seed=rng.randrange(2**32),
        review_allowed=review_allowed,
    )
    if pick is None:
        return None
    picked = by_id[int(pick.competency)]
    difficulty = int(pick.item.rsplit("@", 1)[1])
    return Choice(
        candidate=picked,
        difficulty=difficulty,
        predicted_success=pick.p_success,
        reason=_reason(pick.reason, picked, student_grade_rank, chosen=chosen),
        kind=str(pick.reason),
    )
