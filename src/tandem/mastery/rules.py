"""The mastery rule: when a competency counts as mastered, and when it needs review.

The thresholds are the engine's :data:`tandem_engine.DEFAULT_RULE`, so that what pages show,
what the next-item policy reviews and what the engine's simulations measured are one rule:
probably mastered at P(mastery) >= 0.95 after at least 3 answers (or when the diagnostic places
a standard it asked, answered right, there), mastered once an answer on a later day confirms
it; a mastered competency needs review once its predicted recall (a forgetting curve whose
stability grows with each right answer) falls below 80%. No estimate is surer than its
evidence allows (``estimate_ceiling``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import timezone

import tandem_engine
from tandem.mastery.constants import Progress, Status
from tandem_engine.decisions import MasteryRule, elapsed_days, predicted_recall, stability_for

RULE = tandem_engine.DEFAULT_RULE
MASTERED_AT = RULE.threshold
MIN_EVIDENCE = RULE.min_evidence
# Below this a once-mastered competency is back to "learning"; between the two it "needs review".
RELAPSED_BELOW = 0.6
READY_PREREQUISITE_AT = MASTERED_AT
# Evidence weighing more than this (a teacher's observation, check-in or score; a practice answer
# weighs 1) confirms a probable mastery at once: someone else has checked.
INDEPENDENT_WEIGHT = 1.0
# A competency still being learned is "nearly there" from this estimate on (below the mastery
# threshold, so it never says more than the rule does).
NEARLY_THERE_AT = 0.7
# Pseudo-answers of doubt behind every estimate; see estimate_ceiling.
CEILING_PSEUDO_EVIDENCE = 15.0


def estimate_ceiling(evidence_weight: float) -> float:
    """The highest estimate ``evidence_weight`` answers' worth of evidence can support.

    BKT's posterior runs to 0.9999 after a streak, and then a wrong answer barely moves it
    ("stayed at 100%"). Capping it at ``1 - 1 / (w + CEILING_PSEUDO_EVIDENCE)`` (0.95 after 5
    answers, 0.98 after 35, 0.99 after 85) keeps every wrong answer visible — 96% falls to about
    75% — until the evidence behind the estimate is large.
    """
    return 1.0 - 1.0 / (max(evidence_weight, 0.0) + CEILING_PSEUDO_EVIDENCE)


# Still under this estimate after TANDEM_STUCK_ATTEMPTS answers, a competency being learned is
# "stuck": many tries without progress. The teacher's grid, group suggestions and flex
# workshops flag it by is_stuck; "who to see today" counts only the last 14 days' answers
# against the same line.
STUCK_BELOW = 0.6


def is_stuck(status: str, n_attempts: int, p_mastery: float) -> bool:
    """Many answers (``TANDEM_STUCK_ATTEMPTS``) on a competency still being learned, and the
    estimate still under ``STUCK_BELOW``."""
    return (
        status == Status.LEARNING
        and n_attempts >= settings.TANDEM_STUCK_ATTEMPTS
        and p_mastery < STUCK_BELOW
    )


def school_day(at: dt.datetime) -> dt.date:
    """The school's calendar day of ``at`` (the installation's time zone)."""
    return timezone.localtime(at).date()


def status_after(
    *,
    previous: str,
    p_mastery: float,
    n_attempts: int,
    has_evidence: bool | None = None,
    probable_since: dt.datetime | None = None,
    at: dt.datetime | None = None,
    independent: bool = False,
) -> str:
    """The status after an estimate moved to ``p_mastery`` with evidence at ``at``.

    Mastery is confirmed on a later day, as ALEKS and Khan Academy do: the first time the
    estimate reaches the threshold the competency is only *probably mastered* (``probable_since``
    records when); an answer on a later school day that keeps it above the threshold confirms
    it (also when a placement, not three answers, made it probable). So does a teacher's own
    judgment (``independent``: an observation, a check-in, a scored rubric or written answer)
    that keeps or brings the estimate there: a check by someone else, not more of the same
    sitting.
    Without ``at`` (older callers) only that can confirm it.
    """
    evidenced = n_attempts > 0 if has_evidence is None else has_evidence
    if not evidenced:
        return Status.NOT_STARTED
    if p_mastery >= MASTERED_AT and (
        n_attempts >= MIN_EVIDENCE or previous in (Status.MASTERED, Status.PROBABLY_MASTERED)
    ):
        if previous in (Status.MASTERED, Status.NEEDS_REVIEW):
            return Status.MASTERED
        if independent or (
            previous == Status.PROBABLY_MASTERED
            and probable_since is not None
            and at is not None
            and school_day(at) > school_day(probable_since)
        ):
            return Status.MASTERED
        return Status.PROBABLY_MASTERED
    was_mastered = previous in (Status.MASTERED, Status.NEEDS_REVIEW)
    if was_mastered and p_mastery >= RELAPSED_BELOW:
        return Status.NEEDS_REVIEW
    return Status.LEARNING


def probable_since_after(
    *, status: str, previous_since: dt.datetime | None, at: dt.datetime | None
) -> dt.datetime | None:
    """When the current stretch of "probably mastered" began (None outside one)."""
    if status != Status.PROBABLY_MASTERED:
        return None
    return previous_since or at


# The review rule's first stability, fitted: calibration fits BKT's forgetting per elapsed day
# on the installation's timestamped answers (tandem_engine.fit_daily_forgetting) and stores it
# with the parameter set (params["forgetting"]). The first stability is then the number of days
# after which a mastered competency is still mastered with probability RETAINED_AT_STABILITY
# under that rate, kept within these bounds (a rate of 0, "no forgetting seen", gives the upper
# one). Until a calibration has fitted it, the engine's hand-set default stands.
RETAINED_AT_STABILITY = 0.9
MIN_BASE_STABILITY_DAYS = 1.0
MAX_BASE_STABILITY_DAYS = 30.0


def base_stability_from_forgetting(p_forget_per_day: float) -> float:
    """Days until P(still mastered) falls to 90% at ``p_forget_per_day``, within the bounds."""
    if not 0.0 < p_forget_per_day < 1.0:
        return MAX_BASE_STABILITY_DAYS if p_forget_per_day <= 0.0 else MIN_BASE_STABILITY_DAYS
    days = math.log(RETAINED_AT_STABILITY) / math.log1p(-p_forget_per_day)
    return min(max(days, MIN_BASE_STABILITY_DAYS), MAX_BASE_STABILITY_DAYS)


def review_rule_for(params: dict[str, Any]) -> MasteryRule:
    """The mastery rule with the first stability a parameter set's fitted forgetting gives."""
    forgetting = params.get("forgetting") or {}
    rate = forgetting.get("p_forget_per_day")
    if not isinstance(rate, int | float) or not math.isfinite(rate):
        return RULE
    return replace(RULE, base_stability_days=base_stability_from_forgetting(float(rate)))


def review_rule() -> MasteryRule:
    """The rule in force: the active parameter set's (cached with it in process memory)."""
    from tandem.mastery.services import active_parameters  # services import this module

    return active_parameters().review_rule


def review_due_after_days(n_correct: int, rule: MasteryRule | None = None) -> float:
    """Days without practice after which a competency answered right ``n_correct`` times fades
    below the review threshold of predicted recall."""
    rule = rule or review_rule()
    stability = stability_for(n_correct, rule)
    # predicted_recall(t, S) = (1 + F t / S) ** -0.5 = review_below  =>  t = (r**-2 - 1) S / F
    factor = 19.0 / 81.0
    return (rule.review_below**-2 - 1.0) * stability / factor


def effective_status(
    *, status: str, last_evidence_at: dt.datetime | None, now: dt.datetime, n_correct: int
) -> str:
    """The stored status, except that mastery whose predicted recall has faded needs review."""
    if status == Status.MASTERED and last_evidence_at is not None:
        rule = review_rule()
        recall = predicted_recall(
            max(elapsed_days(last_evidence_at, now), 0.0), stability_for(n_correct, rule)
        )
        if recall < rule.review_below:
            return Status.NEEDS_REVIEW
    return status


def progress_of(*, status: str, p_mastery: float) -> Progress:
    """The words a student or guardian reads for a learner state with ``status`` (the effective
    one) and estimate ``p_mastery``: the status decides, the estimate only splits "learning"."""
    if status == Status.MASTERED:
        return Progress.GOT_IT
    if status == Status.PROBABLY_MASTERED:
        return Progress.PROBABLY_MASTERED
    if status == Status.NEEDS_REVIEW:
        return Progress.NEEDS_REVIEW
    if status == Status.LEARNING:
        return Progress.NEARLY_THERE if p_mastery >= NEARLY_THERE_AT else Progress.PRACTICING
    return Progress.NOT_STARTED


def uncertainty(p_mastery: float, evidence_weight: float) -> float:
    """Approximate standard deviation of the mastery estimate.

    Treats the evidence as a Beta posterior with ``evidence_weight + 2`` pseudo-observations:
    little evidence gives a wide band, and the band narrows as answers accumulate.
    """
    return math.sqrt(max(p_mastery * (1.0 - p_mastery), 0.0) / (evidence_weight + 3.0))


def is_uncertain(p_mastery: float, evidence_weight: float) -> bool:
    return evidence_weight < 3 or uncertainty(p_mastery, evidence_weight) > 0.12


@dataclass(frozen=True)
class StateValues:
    """One learner state's values, as the rule moves them (no database in here)."""

    p_mastery: float
    evidence_weight: float = 0.0
    n_attempts: int = 0
    n_correct: int = 0
    last_evidence_at: dt.datetime | None = None
    status: str = Status.NOT_STARTED
    probable_since: dt.datetime | None = None

    @classmethod
    def of(cls, state: Any) -> StateValues:
        """The values of a stored learner state (a model instance or anything shaped like it)."""
        return cls(**{name: getattr(state, name) for name in _STATE_NAMES})

    def apply_to(self, state: Any) -> None:
        for name in _STATE_NAMES:
            setattr(state, name, getattr(self, name))


_STATE_NAMES = tuple(StateValues.__dataclass_fields__)


def answer_step(
    state: StateValues,
    *,
    success: bool,
    weight: float,
    at: dt.datetime,
    params: tandem_engine.BKTParams,
) -> StateValues:
    """One answer's effect on one learner state: the engine's BKT step, capped by what the
    evidence can support, then the mastery rule. Every writer and replayer of learner state
    uses it, so the live state and a rebuilt one are the same."""
    weight_after = state.evidence_weight + weight
    after = tandem_engine.bkt_step(state.p_mastery, success, params, weight=weight)
    # A right answer never lowers an estimate set above the cap by a placement.
    after = min(after, max(estimate_ceiling(weight_after), state.p_mastery if success else 0.0))
    attempts = state.n_attempts + 1
    status = status_after(
        previous=state.status,
        p_mastery=after,
        n_attempts=attempts,
        has_evidence=True,
        probable_since=state.probable_since,
        at=at,
        # Evidence that weighs more than a practice answer is a teacher's judgement.
        independent=weight > INDEPENDENT_WEIGHT,
    )
    last = state.last_evidence_at
    return StateValues(
        p_mastery=after,
        evidence_weight=weight_after,
        n_attempts=attempts,
        n_correct=state.n_correct + int(success),
        last_evidence_at=at if last is None or at > last else last,
        status=status,
        probable_since=probable_since_after(
            status=status, previous_since=state.probable_since, at=at
        ),
    )


def seed_step(
    state: StateValues, *, p_seed: float, weight: float, at: dt.datetime | None = None
) -> StateValues:
    """A placement's estimate set on a learner state at ``at``. A diagnostic that places a
    competency it did not ask about at or above the threshold counts as its check: the
    competency is mastered at once. One it asked about (the state holds that answer) is
    probably mastered from ``at``: an answer on a later day confirms it, as for practice."""
    probable_since = state.probable_since
    if p_seed >= MASTERED_AT and (
        not state.n_attempts or state.status in (Status.MASTERED, Status.NEEDS_REVIEW)
    ):
        status: str = Status.MASTERED
    elif p_seed >= MASTERED_AT:
        status = Status.PROBABLY_MASTERED
        probable_since = probable_since or at or state.last_evidence_at
    else:
        status = status_after(
            previous=state.status, p_mastery=p_seed, n_attempts=state.n_attempts, has_evidence=True
        )
    return replace(
        state,
        p_mastery=p_seed,
        evidence_weight=state.evidence_weight + weight,
        status=status,
        probable_since=None if status != Status.PROBABLY_MASTERED else probable_since,
    )


def replay_state(
    *,
    answers: Sequence[tuple[bool, float, dt.datetime]],
    seeds: Sequence[tuple[dt.datetime, float, float]],
    params: tandem_engine.BKTParams,
    p_init: float | None = None,
) -> StateValues:
    """A learner state rebuilt from evidence in time order: ``answers`` as (success, weight,
    time) and placement ``seeds`` as (time, weight, p); a seed placed strictly before an answer
    comes first."""
    state = StateValues(p_mastery=params.p_init if p_init is None else p_init)
    next_seed = 0
    for success, weight, at in answers:
        while next_seed < len(seeds) and seeds[next_seed][0] < at:
            seed_at, seed_weight, p_seed = seeds[next_seed]
            state = seed_step(state, p_seed=p_seed, weight=seed_weight, at=seed_at)
            next_seed += 1
        state = answer_step(state, success=success, weight=weight, at=at, params=params)
    for at, seed_weight, p_seed in seeds[next_seed:]:
        state = seed_step(state, p_seed=p_seed, weight=seed_weight, at=at)
    return state
