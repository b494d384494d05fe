"""One rule for "stuck" (tandem.mastery.rules.is_stuck): the teacher's grid, group suggestions
and flex workshops all read it, so they cannot disagree about a student."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tandem.mastery.constants import Status
from tandem.mastery.rules import STUCK_BELOW, is_stuck


@override_settings(TANDEM_STUCK_ATTEMPTS=8)
@pytest.mark.parametrize(
    ("status", "n_attempts", "p_mastery", "stuck"),
    [
        (Status.LEARNING, 8, STUCK_BELOW - 0.01, True),
        (Status.LEARNING, 7, 0.1, False),  # not many answers yet
        (Status.LEARNING, 30, STUCK_BELOW, False),  # at the line: progressing
        (Status.NEEDS_REVIEW, 30, 0.3, False),  # mastered once: needs review, not stuck
        (Status.PROBABLY_MASTERED, 30, 0.3, False),
        (Status.NOT_STARTED, 0, 0.0, False),
    ],
)
def test_stuck_needs_many_answers_a_low_estimate_and_a_competency_still_being_learned(
    status: str, n_attempts: int, p_mastery: float, stuck: bool
) -> None:
    assert is_stuck(status, n_attempts, p_mastery) is stuck


def test_the_number_of_answers_is_the_installation_setting() -> None:
    with override_settings(TANDEM_STUCK_ATTEMPTS=3):
        assert is_stuck(Status.LEARNING, 3, 0.2)
    with override_settings(TANDEM_STUCK_ATTEMPTS=12):
        assert not is_stuck(Status.LEARNING, 11, 0.2)
