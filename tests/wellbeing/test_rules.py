"""The concern rule and the small-cell rule, as plain functions."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.wellbeing.rules import Answer, concern_reasons, feeling_words, suppress_small, week_of

SMALL_CELL_MIN = 5  # the rule takes the threshold; the setting's default is tested elsewhere

MONDAY = dt.date(2026, 11, 30)


def _week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


def _answer(n: int, feeling: int, someone: str = "yes") -> Answer:
    return Answer(_week(n), feeling, someone)


def test_week_of_is_the_iso_monday() -> None:
    assert week_of(dt.date(2026, 12, 6)) == MONDAY  # a Sunday
    assert week_of(MONDAY) == MONDAY
    assert week_of(dt.date(2026, 12, 7)) == _week(1)


def test_a_fine_answer_raises_nothing() -> None:
    assert concern_reasons(_answer(0, 4), [_answer(-1, 5), _answer(-2, 4)]) == []
    assert concern_reasons(_answer(0, 2, "not_sure"), []) == []


def test_the_lowest_feeling_and_no_one_to_ask_each_raise() -> None:
    assert concern_reasons(_answer(0, 1), []) == ["Said school felt really bad this week"]
    assert concern_reasons(_answer(0, 4, "no"), []) == [
        "Said they have no one at school to ask for help"
    ]
    assert len(concern_reasons(_answer(0, 1, "no"), [])) == 2


@pytest.mark.parametrize(
    ("earlier", "latest", "raised"),
    [
        ([5, 5, 5], 3, True),  # exactly two steps down
        ([4, 5, 4], 3, False),  # 4.33 - 3 < 2
        ([5], 3, True),  # one earlier week is enough
        ([4, 4, 4], 2, True),
        ([3, 3, 3], 2, False),
    ],
)
def test_a_sharp_drop_against_the_three_weeks_before_raises(
    earlier: list[int], latest: int, raised: bool
) -> None:
    before = [_answer(-(n + 1), feeling) for n, feeling in enumerate(earlier)]
    reasons = concern_reasons(_answer(0, latest), before)
    assert bool(reasons) is raised
    if raised:
        assert reasons[0].startswith("School feels much worse")
        assert not any(ch.isdigit() for ch in reasons[0])  # in words, never a score


def test_only_the_three_weeks_before_count_for_the_drop() -> None:
    # Good weeks long ago, and none in the three weeks before: no drop to speak of.
    assert concern_reasons(_answer(0, 2), [_answer(-4, 5), _answer(-6, 5)]) == []
    # A later answer (edited history) does not count either.
    assert concern_reasons(_answer(0, 2), [_answer(1, 5)]) == []


def test_the_drop_says_what_changed_in_the_students_words() -> None:
    (reason,) = concern_reasons(_answer(0, 2), [_answer(-1, 5), _answer(-2, 4), _answer(-3, 4)])
    assert reason == (
        "School feels much worse: not so good this week, about good in the weeks before"
    )
    assert feeling_words(4.4) == "good" and feeling_words(4.5) == "good"


def test_small_counts_are_withheld_and_cannot_be_worked_out() -> None:
    keys = ["a", "b", "c"]
    assert suppress_small({"a": 9, "b": 7, "c": 6}, keys, minimum=SMALL_CELL_MIN) == {
        "a": 9,
        "b": 7,
        "c": 6,
    }
    # One small cell alone could be worked out from the total: the next smallest goes too.
    assert suppress_small({"a": 9, "b": 7, "c": 2}, keys, minimum=SMALL_CELL_MIN) == {
        "a": 9,
        "b": None,
        "c": None,
    }
    assert suppress_small({"a": 9, "b": 1, "c": 2}, keys, minimum=SMALL_CELL_MIN) == {
        "a": 9,
        "b": None,
        "c": None,
    }
    shown = suppress_small(
        {"a": SMALL_CELL_MIN, "b": 0, "c": SMALL_CELL_MIN + 1}, keys, minimum=SMALL_CELL_MIN
    )
    assert shown["b"] is None and shown["a"] is None and shown["c"] == SMALL_CELL_MIN + 1
