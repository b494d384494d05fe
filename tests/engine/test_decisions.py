"""The mastery rule, the review rule, and the simulation that checks the rule's precision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem_engine.decisions import (
    MasteryRule,
    Status,
    elapsed_days,
    is_mastered,
    mastery_status,
    needs_review,
    predicted_recall,
    simulate_mastery_decisions,
    stability_days,
)
from tandem_engine.estimates import CompetencyEstimate


def estimate(p: float, n: int, n_correct: int | None = None) -> CompetencyEstimate:
    return CompetencyEstimate(
        skill=0,
        skill_id="fractions",
        p_mastery=p,
        sd=0.0,
        n_evidence=n,
        n_correct=n if n_correct is None else n_correct,
        last_order=None,
    )


def test_mastered_needs_threshold_and_evidence() -> None:
    assert is_mastered(estimate(0.96, 3))
    assert not is_mastered(estimate(0.96, 2))
    assert not is_mastered(estimate(0.94, 10))


def test_status_over_time() -> None:
    e = estimate(0.97, 4)
    assert mastery_status(estimate(0.2, 0)) is Status.NOT_STARTED
    assert mastery_status(estimate(0.6, 5)) is Status.LEARNING
    assert mastery_status(e) is Status.MASTERED
    assert mastery_status(e, elapsed=1.0) is Status.MASTERED
    assert mastery_status(e, elapsed=60.0) is Status.NEEDS_REVIEW


def test_recall_curve() -> None:
    assert predicted_recall(0.0, 3.0) == 1.0
    assert predicted_recall(3.0, 3.0) == pytest.approx(0.9)
    assert predicted_recall(10.0, 3.0) < predicted_recall(5.0, 3.0)


def test_more_correct_practice_lasts_longer() -> None:
    short, long = estimate(0.97, 3), estimate(0.97, 8)
    assert stability_days(long) > stability_days(short)
    days = 14.0
    assert needs_review(short, days) and not needs_review(long, days)


def test_elapsed_days_requires_aware_datetimes() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert elapsed_days(now - timedelta(days=2, hours=12), now) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="timezone-aware"):
        elapsed_days(datetime(2026, 3, 1), now)


def test_rule_validation_reports_every_problem() -> None:
    problems = MasteryRule(threshold=1.2, min_evidence=-1, review_below=0.0).violations()
    assert len(problems) == 3
    with pytest.raises(ValueError, match="threshold"):
        MasteryRule(threshold=0.0).validate()


def test_simulated_precision_of_mastered() -> None:
    report = simulate_mastery_decisions(n_students=300, n_steps=20, random_state=1)
    assert report.precision >= 0.9
    assert report.recall > 0.3
    assert report.n_flagged > 100


def test_simulation_with_true_parameters_is_deterministic() -> None:
    a = simulate_mastery_decisions(n_students=100, fit=False, random_state=4)
    b = simulate_mastery_decisions(n_students=100, fit=False, random_state=4)
    assert a == b
    assert a.precision >= 0.9
