"""Parsing and checking of student answers.

Pure Python (no Django): the web layer calls :func:`check_answer` with an item's
answer key and the student's response.  A response that is not in a usable format
(``"abc"`` for a number, nothing selected, ...) raises :class:`AnswerFormatError`, whose
message is meant to be shown to the student so they can try again without the attempt
counting against them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from tandem.content.generators.kinds import (
    EXTENDED_TEXT,
    KINDS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
)

__all__ = [
    "AnswerFormatError",
    "CheckResult",
    "check_answer",
    "format_fraction",
    "normalise_text",
    "parse_number",
]

NUMBER_HELP = "Write a number such as 3/4, 0.75 or 1 1/2."


class AnswerFormatError(ValueError):
    """The response cannot be read; the message is shown to the student."""


# Dashes and minus signs students (or their keyboards) produce instead of "-".
_MINUS_SIGNS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d\u2010\u2011"), "-")
# Fraction slashes and division slashes count as "/".
_SLASHES = dict.fromkeys(map(ord, "\u2044\u2215\uff0f"), "/")

# An unsigned amount: digits with optional thousands separators and decimal part, or ".5".
_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+"
_INT = r"\d{1,3}(?:,\d{3})+|\d+"
_DECIMAL_RE = re.compile(rf"(?P<amount>{_AMOUNT})")
_FRACTION_RE = re.compile(rf"(?P<num>{_INT})/(?P<den>{_INT})")
_MIXED_RE = re.compile(rf"(?P<whole>{_INT}) (?P<num>{_INT})/(?P<den>{_INT})")
_SIGN_RE = re.compile(r"(?P<sign>[+-]?) ?(?P<currency>[$€£]?) ?(?P<body>.*)")


def _expand_vulgar_fractions(text: str) -> str:
    """Replace characters such as "½" by " 1/2" so that "1½" reads as "1 1/2"."""
    out: list[str] = []
    for char in text:
        if unicodedata.name(char, "").startswith("VULGAR FRACTION"):
            decomposed = unicodedata.normalize("NFKC", char).translate(_SLASHES)
            out.append(f" {decomposed} ")
        else:
            out.append(char)
    return "".join(out)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def parse_number(text: str) -> Fraction:
    """Read a number typed by a student as an exact :class:`~fractions.Fraction`.

    Accepted: integers and decimals (``"3"``, ``"-0.5"``, ``".5"``, ``"3."``,
    ``"1,000"``), fractions (``"3/4"``, ``"−3/4"``), mixed numbers (``"1 1/2"``,
    ``"1½"``) and unicode vulgar fractions (``"½"``), with surrounding spaces, a unicode
    minus sign and an optional leading currency sign.  Anything else raises
    :class:`AnswerFormatError` with a message for the student.
    """
    if not isinstance(text, str):
        raise AnswerFormatError(NUMBER_HELP)
    cleaned = _expand_vulgar_fractions(text.translate(_MINUS_SIGNS))
    cleaned = unicodedata.normalize("NFKC", cleaned).translate(_MINUS_SIGNS).translate(_SLASHES)
    cleaned = " ".join(cleaned.split())
    cleaned = re.sub(r" ?/ ?", "/", cleaned)
    if not cleaned:
        raise AnswerFormatError("Type your answer first. " + NUMBER_HELP)
    if cleaned.endswith("%"):
        raise AnswerFormatError("Leave out the % sign and type just the number, such as 25.")

    match = _SIGN_RE.fullmatch(cleaned)
    assert match is not None  # the pattern matches every string
    negative = match["sign"] == "-"
    body = match["body"]

    value: Fraction
    if m := _DECIMAL_RE.fullmatch(body):
        amount = m["amount"].replace(",", "")
        if amount.endswith("."):
            amount = amount[:-1]
        value = Fraction(amount)
    elif m := _FRACTION_RE.fullmatch(body):
        value = _fraction(m["num"], m["den"])
    elif m := _MIXED_RE.fullmatch(body):
        value = _int(m["whole"]) + _fraction(m["num"], m["den"])
    elif re.fullmatch(r"\d+,\d+", body):
        raise AnswerFormatError("Use a point for decimals, such as 1.5 (not 1,5).")
    else:
        raise AnswerFormatError(NUMBER_HELP)
    return -value if negative else value


def _fraction(num: str, den: str) -> Fraction:
    denominator = _int(den)
    if denominator == 0:
        raise AnswerFormatError("A fraction cannot have 0 as its denominator (the bottom number).")
    return Fraction(_int(num), denominator)


def format_fraction(value: Fraction) -> str:
    """Canonical exact form: ``"3/4"``, ``"-7/2"``, ``"5"``."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


_TRAILING_PUNCTUATION = ".,;:!?…。"


def normalise_text(text: str) -> str:
    """NFKC, casefold, trim, collapse inner whitespace, strip trailing punctuation.

    Vulgar fractions are spelled out first so that "1½" becomes "1 1/2" (plain NFKC would
    give "11⁄2").
    """
    out = unicodedata.normalize("NFKC", _expand_vulgar_fractions(text)).translate(_SLASHES)
    out = out.casefold()
    out = " ".join(out.split())
    out = out.rstrip(_TRAILING_PUNCTUATION).rstrip()
    return out


@dataclass(frozen=True)
class CheckResult:
    correct: bool
    normalised: str  # canonical form of the response, as stored


def _single_response(response: str | Sequence[str]) -> str:
    if isinstance(response, str):
        return response
    items = list(response)
    if len(items) != 1 or not isinstance(items[0], str):
        raise AnswerFormatError("Give one answer.")
    return items[0]


def _index(text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        raise AnswerFormatError("Choose one of the options.")
    return int(text)


def _tolerance(tolerance: str) -> Fraction:
    if not tolerance or not tolerance.strip():
        return Fraction(0)
    value = Fraction(tolerance.strip())
    if value < 0:
        raise ValueError(f"negative tolerance {tolerance!r}")
    return value


def check_answer(
    *,
    kind: str,
    answer: Sequence[str],
    tolerance: str,
    response: str | Sequence[str],
) -> CheckResult:
    """Compare a student's ``response`` with an item's answer key.

    Raises :class:`AnswerFormatError` when the response is not in a usable format, and
    :class:`ValueError` when ``kind`` is unknown.
    """
    if kind == EXTENDED_TEXT:
        raise ValueError("a written answer has no key: a teacher scores it")
    if kind not in KINDS:
        raise ValueError(f"unknown item kind {kind!r}")
    if isinstance(answer, str):
        answer = (answer,)

    if kind == NUMERIC:
        value = parse_number(_single_response(response))
        tol = _tolerance(tolerance)
        correct = any(abs(value - parse_number(key)) <= tol for key in answer)
        return CheckResult(correct=correct, normalised=format_fraction(value))

    if kind == SINGLE_CHOICE:
        chosen = _index(_single_response(response))
        correct = any(chosen == _index(key) for key in answer)
        return CheckResult(correct=correct, normalised=str(chosen))

    if kind == MULTIPLE_CHOICE:
        parts = re.split(r"[,\s]+", response) if isinstance(response, str) else list(response)
        picked = {_index(p) for p in parts if p.strip()}
        if not picked:
            raise AnswerFormatError("Select at least one option.")
        expected = {_index(key) for key in answer}
        return CheckResult(
            correct=picked == expected,
            normalised=",".join(str(i) for i in sorted(picked)),
        )

    assert kind == SHORT_TEXT
    text = normalise_text(_single_response(response))
    if not text:
        raise AnswerFormatError("Type your answer first.")
    correct = any(text == normalise_text(key) for key in answer)
    if not correct:
        try:
            value = parse_number(_single_response(response))
        except AnswerFormatError:
            pass
        else:
            tol = _tolerance(tolerance)
            for key in answer:
                try:
                    key_value = parse_number(key)
                except AnswerFormatError:
                    continue
                if abs(value - key_value) <= tol:
                    correct = True
                    break
    return CheckResult(correct=correct, normalised=text)
