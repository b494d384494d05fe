"""When a competency counts as mastered, and when a mastered one needs review.

Mastered: the mastery probability reaches a threshold with enough evidence. Needs review: it was
mastered but the predicted recall, a forgetting curve of the time since it was last practised,
has dropped below a floor. Time comes in as arguments (elapsed days, or aware datetimes).
:func:`simulate_mastery_decisions` checks the rule's precision and recall on simulated students
whose true mastery is known.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

from tandem_engine.bkt import BKT, BKTParams
from tandem_engine.estimates import CompetencyEstimate
from tandem_engine.simulate import simulate_bkt

__all__ = [
    "DEFAULT_RULE",
    "MasteryRule",
    "MasterySimulation",
    "Status",
    "elapsed_days",
    "is_mastered",
    "mastery_status",
    "needs_review",
    "predicted_recall",
    "simulate_mastery_decisions",
    "stability_days",
    "stability_for",
]

# FSRS's power forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY has R(S) = 0.9: the
# stability S is the number of days after which recall has fallen to 90%.
_DECAY = -0.5
_FACTOR = 19.0 / 81.0
_SECONDS_PER_DAY = 86_400.0


class Status(StrEnum):
    NOT_STARTED = "not_started"
    LEARNING = "learning"
    MASTERED = "mastered"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True, slots=True)
class MasteryRule:
    """The mastery and review thresholds, as named, validated constants.

    ``threshold`` and ``min_evidence``: mastered when P(mastery) >= threshold after at least
    that many answers. Review: stability starts at ``base_stability_days`` and grows by
    ``stability_growth`` per correct answer after the first, at most ``max_doublings`` times
    (values set by hand: they are not yet fitted to timestamped data); review is due when
    predicted recall falls below ``review_below``.
    """

    threshold: float = 0.95
    min_evidence: int = 3
    base_stability_days: float = 2.0
    stability_growth: float = 1.5
    max_doublings: int = 6
    review_below: float = 0.8

    def violations(self) -> list[str]:
        problems = []
        if not 0.0 < self.threshold < 1.0:
            problems.append(f"threshold={self.threshold} is outside (0, 1)")
        if self.min_evidence < 0:
            problems.append(f"min_evidence={self.min_evidence} is negative")
        if self.base_stability_days <= 0.0:
            problems.append(f"base_stability_days={self.base_stability_days} is not positive")
        if self.stability_growth < 1.0:
            problems.append(f"stability_growth={self.stability_growth} is below 1")
        if self.max_doublings < 0:
            problems.append(f"max_doublings={self.max_doublings} is negative")
        if not 0.0 < self.review_below < 1.0:
            problems.append(f"review_below={self.review_below} is outside (0, 1)")
        return problems

    def validate(self) -> MasteryRule:
        problems = self.violations()
        if problems:
            raise ValueError("invalid mastery rule: " + "; ".join(problems))
        return self


DEFAULT_RULE = MasteryRule()


def is_mastered(estimate: CompetencyEstimate, rule: MasteryRule = DEFAULT_RULE) -> bool:
    """Mastered: probability at the threshold, with enough evidence."""
    return estimate.p_mastery >= rule.threshold and estimate.n_evidence >= rule.min_evidence


def stability_for(n_correct: int, rule: MasteryRule = DEFAULT_RULE) -> float:
    """Days until predicted recall falls to 90% after ``n_correct`` correct answers."""
    growths = min(max(n_correct - 1, 0), rule.max_doublings)
    return rule.base_stability_days * rule.stability_growth**growths


def stability_days(estimate: CompetencyEstimate, rule: MasteryRule = DEFAULT_RULE) -> float:
    """Days until predicted recall falls to 90%, growing with correct practice."""
    return stability_for(estimate.n_correct, rule)


def predicted_recall(elapsed: float, stability: float) -> float:
    """Probability of recall ``elapsed`` days after practice (FSRS power curve)."""
    if elapsed <= 0.0:
        return 1.0
    return float((1.0 + _FACTOR * elapsed / stability) ** _DECAY)


def needs_review(
    estimate: CompetencyEstimate, elapsed: float, rule: MasteryRule = DEFAULT_RULE
) -> bool:
    """Mastered, but ``elapsed`` days since last practice have faded recall below the floor."""
    if not is_mastered(estimate, rule):
        return False
    return predicted_recall(elapsed, stability_days(estimate, rule)) < rule.review_below


def elapsed_days(last_practiced: datetime, now: datetime) -> float:
    """Days between two aware datetimes (naive ones are refused: their zone is a guess)."""
    if last_practiced.tzinfo is None or now.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return (now - last_practiced).total_seconds() / _SECONDS_PER_DAY


def mastery_status(
    estimate: CompetencyEstimate,
    *,
    elapsed: float | None = None,
    rule: MasteryRule = DEFAULT_RULE,
) -> Status:
    """The competency's status; ``elapsed`` is days since last practice (None: just now)."""
    if estimate.n_evidence == 0:
        return Status.NOT_STARTED
    if not is_mastered(estimate, rule):
        return Status.LEARNING
    if elapsed is not None and needs_review(estimate, elapsed, rule):
        return Status.NEEDS_REVIEW
    return Status.MASTERED


@dataclass(frozen=True, slots=True)
class MasterySimulation:
    """How the mastery rule fared on simulated students.

    Every (student, skill, answer) is one decision: "mastered" or not, right after the answer;
    the truth is the hidden state after that answer's learning opportunity.
    """

    precision: float
    recall: float
    n_decisions: int
    n_flagged: int
    n_truly_mastered: int
    fitted_params: tuple[BKTParams, ...]


def simulate_mastery_decisions(
    params: Sequence[BKTParams] = (
        BKTParams(p_init=0.1, p_learn=0.2, p_guess=0.2, p_slip=0.1),
        BKTParams(p_init=0.3, p_learn=0.1, p_guess=0.25, p_slip=0.15),
        BKTParams(p_init=0.05, p_learn=0.3, p_guess=0.15, p_slip=0.05),
        BKTParams(p_init=0.2, p_learn=0.05, p_guess=0.3, p_slip=0.2),
    ),
    *,
    n_students: int = 400,
    n_steps: int = 20,
    rule: MasteryRule = DEFAULT_RULE,
    fit: bool = True,
    random_state: int = 0,
) -> MasterySimulation:
    """Precision and recall of :func:`is_mastered` against the simulated truth.

    With ``fit`` the BKT parameters are first estimated by EM on a separate simulated cohort
    (as in production, where the truth is unknown); otherwise the true parameters are used.
    """
    rng = np.random.default_rng(random_state)
    if fit:
        train = simulate_bkt(params, n_students=n_students, n_steps=n_steps, random_state=rng)
        model = BKT().fit(train.log)
    else:
        items_per_skill = 10
        n_items = items_per_skill * len(params)
        q = np.zeros((n_items, len(params)), dtype=np.bool_)
        q[np.arange(n_items), np.arange(n_items) // items_per_skill] = True
        model = BKT.from_params(params, sp.csr_matrix(q))
    test = simulate_bkt(params, n_students=n_students, n_steps=n_steps, random_state=rng)
    rows, _, p_after = model.predict_mastery(test.log)
    # rows are in time-major order; rank each row within its (student, skill) by order.
    evidence = test.log.position() % n_steps + 1  # skills are practised in blocks
    flagged = (p_after >= rule.threshold) & (evidence[rows] >= rule.min_evidence)
    truth = test.known_after[rows]
    n_flagged = int(flagged.sum())
    n_true = int(truth.sum())
    hits = int((flagged & truth).sum())
    return MasterySimulation(
        precision=hits / n_flagged if n_flagged else math.nan,
        recall=hits / n_true if n_true else math.nan,
        n_decisions=int(rows.shape[0]),
        n_flagged=n_flagged,
        n_truly_mastered=n_true,
        fitted_params=model.params_,
    )
