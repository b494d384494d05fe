"""The concern rule: which answers raise a student for a conversation, and why, in words.

Pure: plain values in, plain values out (no database, no clock). A student is raised by a
worrying answer (school felt really bad; no one to ask for help) or by a sharp drop: the
week's answer at least ``DROP_POINTS`` steps below the average of their own answers in the
``DROP_WEEKS`` weeks before (however many of those weeks they answered, at least one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tandem.wellbeing.constants import (
    DROP_POINTS,
    DROP_WEEKS,
    Feeling,
    HelpAnswer,
)

K = TypeVar("K")


@dataclass(frozen=True)
class Answer:
    week: dt.date  # the Monday
    feeling: int
    has_someone: str


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def feeling_words(value: float) -> str:
    """The answer nearest ``value``, in the student's words (lower case)."""
    nearest = min(Feeling, key=lambda f: (abs(f.value - value), f.value))
    return str(nearest.label).lower()


def concern_reasons(latest: Answer, earlier: Sequence[Answer]) -> list[str]:
    """Why ``latest`` is worrying, in words; empty when it is not.

    ``earlier``: the student's other answers (any order); only those in the ``DROP_WEEKS``
    weeks before ``latest`` count towards the drop.
    """
    reasons = []
    if latest.feeling == Feeling.REALLY_BAD:
        reasons.append("Said school felt really bad this week")
    if latest.has_someone == HelpAnswer.NO:
        reasons.append("Said they have no one at school to ask for help")
    start = latest.week - dt.timedelta(weeks=DROP_WEEKS)
    before = [a.feeling for a in earlier if start <= a.week < latest.week]
    if before:
        average = sum(before) / len(before)
        if average - latest.feeling >= DROP_POINTS:
            reasons.append(
                f"School feels much worse: {feeling_words(latest.feeling)} this week, "
                f"about {feeling_words(average)} in the weeks before"
            )
    return reasons


def suppress_small(
    counts: Mapping[K, int], keys: Sequence[K], *, minimum: int
) -> dict[K, int | None]:
    """``counts`` over ``keys`` with every count below ``minimum`` withheld (None).

    Zero is withheld too (it says something about the others). Where exactly one count is
    withheld, the smallest shown one is withheld as well, so that no withheld count can be
    worked out from the total.
    """
    shown: dict[K, int | None] = {
        key: (counts.get(key, 0) if counts.get(key, 0) >= minimum else None) for key in keys
    }
    if sum(value is None for value in shown.values()) == 1:
        rest = [key for key in keys if shown[key] is not None]
        if rest:
            shown[min(rest, key=lambda key: (shown[key], keys.index(key)))] = None
    return shown
