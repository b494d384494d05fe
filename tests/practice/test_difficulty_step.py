"""The log-odds one difficulty step moves predicted success: the default until the school's
calibration fits it on the answers to the items the policy served, then the fitted effect
held within bounds."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest

from tandem.practice.policy import (
    DIFFICULTY_LOGIT_STEP,
    DIFFICULTY_STEP_BOUNDS,
    Candidate,
    choose_next,
    shift_for_difficulty,
)
from tandem.practice.selectors import difficulty_step
from tandem_engine import LivePredictor, Recalibration


def _live(difficulty_coef: float) -> LivePredictor:
    return LivePredictor(
        skill_ids=("a",),
        skill_intercepts=(0.0,),
        coef=(0.0,) * 7,
        mean_intercept=0.0,
        base_rate=0.7,
        recalibration=Recalibration(difficulty_coef=difficulty_coef, n_train=100),
    )


def _active(live: LivePredictor | None) -> Any:
    return SimpleNamespace(live=live)


def test_without_a_fitted_effect_the_default_step_holds() -> None:
    assert difficulty_step(_active(None)) == DIFFICULTY_LOGIT_STEP
    assert difficulty_step(_active(_live(0.0))) == DIFFICULTY_LOGIT_STEP


@pytest.mark.parametrize(
    ("fitted", "step"),
    [(-0.25, 0.25), (-0.05, DIFFICULTY_STEP_BOUNDS[0]), (-3.0, DIFFICULTY_STEP_BOUNDS[1])],
)
def test_the_fitted_effect_is_used_within_bounds(fitted: float, step: float) -> None:
    assert difficulty_step(_active(_live(fitted))) == pytest.approx(step)


def test_a_harder_item_is_predicted_by_the_step_given() -> None:
    assert shift_for_difficulty(0.5, 3, 0.25) == pytest.approx(1 / (1 + 2.718281828**0.25))
    assert shift_for_difficulty(0.5, 1, 0.25) > 0.5 > shift_for_difficulty(0.5, 3, 0.25)
    # The default step when none is given.
    assert shift_for_difficulty(0.5, 3) == pytest.approx(shift_for_difficulty(0.5, 3, 0.7))


def test_the_choice_and_its_stored_prediction_follow_the_step() -> None:
    """A competency predicted 0.9 on a middle item: with the default step its hard item
    (0.82) is nearest the band's middle; with a fitted step of 0.25 the hard item is still
    predicted 0.875 (nearer the band than the middle one's 0.9), and that is the prediction
    stored with the choice."""
    base = Candidate(
        competency_id=1,
        code="a",
        grade_rank=5,
        p_mastery=0.5,
        p_correct=0.9,
        status="learning",
        ready=True,
        last_practised=None,
    )
    kwargs: dict[str, Any] = {
        "student_grade_rank": 5,
        "recent_competency_ids": [],
        "answered_count": 0,
    }
    default = choose_next([base], rng=random.Random(1), **kwargs)
    fitted = choose_next([base], rng=random.Random(1), difficulty_step=0.25, **kwargs)
    assert default is not None and fitted is not None
    assert default.difficulty == 3
    assert default.predicted_success == pytest.approx(shift_for_difficulty(0.9, 3))
    assert fitted.difficulty == 3
    assert fitted.predicted_success == pytest.approx(shift_for_difficulty(0.9, 3, 0.25))
