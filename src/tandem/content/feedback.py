"""What to say back about an answer: the response in words, a mark on every choice of a
multiple-select item, and the hint for a typical wrong answer a generator predicted.

Pure Python (no Django), like :mod:`tandem.content.answers`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from tandem.content.answers import AnswerFormatError, normalise_text, parse_number
from tandem.content.generators import (
    CHOICE_KINDS,
    GENERATORS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SINGLE_CHOICE,
)

__all__ = [
    "ChoiceMark",
    "choice_marks",
    "generated_misconceptions",
    "misconception_hint",
    "response_in_words",
]


def _indices(normalised: str) -> list[int]:
    out = []
    for part in normalised.split(","):
        part = part.strip()
        if part.isascii() and part.isdigit():
            out.append(int(part))
    return out


def response_in_words(*, kind: str, choices: Sequence[str], normalised: str) -> str:
    """A stored (normalised) response as the student would recognize it: the text of the
    chosen options for a choice item, else the response itself."""
    if kind not in CHOICE_KINDS:
        return normalised
    texts = []
    for part in normalised.split(","):
        try:
            texts.append(str(choices[int(part)]))
        except (ValueError, IndexError):
            texts.append(part)
    return "; ".join(texts)


@dataclass(frozen=True)
class ChoiceMark:
    """One option of a multiple-select item after an answer: what the student did with it.

    ``state`` is "right" (chosen and right), "wrong" (chosen but wrong), "missed" (right but
    not chosen) or "left" (not chosen, not right; or not chosen while the right ones are not
    shown yet). ``symbol`` and ``words`` say it without colour."""

    text: str
    state: str
    symbol: str
    words: str


_MARKS = {
    "right": ("✓", "You chose this, and it is right."),
    "wrong": ("✗", "You chose this, but it is not right."),
    "missed": ("!", "Missed: this one is right too."),
    "left": ("–", "Not chosen."),
}


def choice_marks(
    *, choices: Sequence[str], answer: Sequence[str], normalised: str, reveal: bool
) -> list[ChoiceMark]:
    """Mark every option of a multiple-select item against the student's response.

    ``reveal`` False (a second try is still to come) marks only what was chosen, so the
    right options not chosen are not given away; they read as "left" like the wrong ones.
    """
    chosen = set(_indices(normalised))
    right = {int(a) for a in answer}
    marks = []
    for i, text in enumerate(choices):
        if i in chosen:
            state = "right" if i in right else "wrong"
        elif i in right and reveal:
            state = "missed"
        else:
            state = "left"
        symbol, words = _MARKS[state]
        marks.append(ChoiceMark(text=str(text), state=state, symbol=symbol, words=words))
    return marks


def misconception_hint(
    *,
    kind: str,
    tolerance: str,
    misconceptions: Sequence[Sequence[str]],
    normalised: str,
) -> str:
    """The hint for a wrong response that matches a typical wrong answer, or "".

    ``normalised`` is the response as :func:`~tandem.content.answers.check_answer` stored it;
    ``misconceptions`` are an item's (wrong answer, hint) pairs. The caller asks only about
    wrong responses.
    """
    if not misconceptions or not normalised:
        return ""
    if kind == NUMERIC:
        try:
            value = parse_number(normalised)
        except AnswerFormatError:
            return ""
        tol = Fraction(tolerance.strip() or "0")
        for wrong, hint in misconceptions:
            if abs(value - Fraction(wrong)) <= tol:
                return hint
        return ""
    if kind == SINGLE_CHOICE:
        return next((hint for wrong, hint in misconceptions if wrong == normalised), "")
    if kind == MULTIPLE_CHOICE:
        chosen = sorted(_indices(normalised))
        return next(
            (hint for wrong, hint in misconceptions if sorted(_indices(wrong)) == chosen), ""
        )
    text = normalise_text(normalised)
    return next((hint for wrong, hint in misconceptions if normalise_text(wrong) == text), "")


@functools.lru_cache(maxsize=4096)
def generated_misconceptions(
    generator: str, seed: int | None, difficulty: int, stem: str
) -> tuple[tuple[str, str], ...]:
    """The typical wrong answers of a generated item, made again from its generator and seed.

    Generators are deterministic in (key, seed, difficulty), so nothing needs storing with the
    item; an item whose stem no longer matches what its generator makes now (the generator
    changed since it was stored) has none rather than another item's.
    """
    gen = GENERATORS.get(generator)
    if gen is None or seed is None:
        return ()
    spec = gen.generate(seed, difficulty)
    return spec.misconceptions if spec.stem == stem else ()
