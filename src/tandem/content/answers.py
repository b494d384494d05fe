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
    NUMBER_WORDS,
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
    "read_number",
]

NUMBER_HELP = "Write a number such as 3/4, 0.75 or 1 1/2."
ONE_NUMBER = "Write one number such as 3.5, 3/4 or 1 1/2."

_NUMBER_WORDS = {word: str(i) for i, word in enumerate(NUMBER_WORDS)}


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
        raise AnswerFormatError(_not_understood(text.strip(), cleaned))
    return -value if negative else value


def _not_understood(typed: str, cleaned: str) -> str:
    """Say which part of a typed answer is not a number, then how to write one."""
    if "°" in cleaned:
        return f"Leave off the ° sign: write {cleaned.replace('°', '').strip()}."
    if doubled := re.search(r"[.,/]{2,}", cleaned):
        return f"We read “{typed}”: “{doubled.group()}” cannot be in a number. {ONE_NUMBER}"
    if len(numbers := re.findall(r"\d+(?:[.,/]\d+)*", cleaned)) > 1 and " " in cleaned.strip():
        return f"We read {len(numbers)} numbers in “{typed}”. {ONE_NUMBER}"
    if cleaned.count("/") > 1:
        return f"We read “{typed}”: a fraction has one “/”. {ONE_NUMBER}"
    if cleaned.count(".") > 1:
        return f"We read “{typed}”: a number has one decimal point. {ONE_NUMBER}"
    if letters := re.findall(r"[^\W\d_]+", cleaned):
        word = " ".join(letters)
        if word.casefold() in _NUMBER_WORDS:
            return f"Write the number with digits: {_NUMBER_WORDS[word.casefold()]}, not “{word}”."
        return f"We read “{word}” in your answer, which is not part of a number. {NUMBER_HELP}"
    if typed:
        return f"We could not read “{typed}” as a number. {NUMBER_HELP}"
    return NUMBER_HELP


# Units a numeric answer may carry: lengths, and their squares and cubes for area and volume.
_LENGTHS = {
    "mm": ("millimeter", "millimeters", "millimetre", "millimetres"),
    "cm": ("centimeter", "centimeters", "centimetre", "centimetres"),
    "m": ("meter", "meters", "metre", "metres"),
    "km": ("kilometer", "kilometers", "kilometre", "kilometres"),
    "in": ("inch", "inches"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "mi": ("mile", "miles"),
}
_LENGTH_OF_WORD = {w: sym for sym, words in _LENGTHS.items() for w in (sym, *words)}
_POWER_WORDS = {"square": "²", "sq": "²", "cubic": "³", "cu": "³"}
_UNIT_NAMES = {"": "", "²": "square ", "³": "cubic "}
# Words after a number ("m", "cm^2", "square feet", "miles per hour"): a unit, maybe unknown.
_WORDS_RE = re.compile(r"[^\W\d_]+\.?(?: [^\W\d_]+\.?)*[²³]?")
# π in a typed answer: "π", "pi", "Pi", with the multiplication sign written next to it.
_TIMES = r"\s*(?:[*×·]|\bx\b)?\s*"
_PI_RE = re.compile(rf"{_TIMES}(?:π|(?<![^\W\d_])pi(?![^\W\d_])){_TIMES}", re.IGNORECASE)


def _unit_key(text: str) -> str | None:
    """A unit as typed ("cm²", "cm^2", "cm2", "sq cm", "square centimeters") in the form the
    item declares ("cm²"); None when it is not a unit we know."""
    words = re.sub(r"[.]", "", text.casefold()).replace("^", "").split()
    if not words:
        return None
    power = ""
    if words[0] in _POWER_WORDS:
        power = _POWER_WORDS[words.pop(0)]
    if len(words) != 1:
        return None
    word = words[0]
    if word[-1:] in ("2", "3", "²", "³"):
        if power:
            return None
        power = {"2": "²", "3": "³"}.get(word[-1], word[-1])
        word = word[:-1]
    symbol = _LENGTH_OF_WORD.get(word)
    return None if symbol is None else symbol + power


def _same_unit(typed: str, wanted: str) -> bool:
    typed_key, wanted_key = _unit_key(typed), _unit_key(wanted)
    if typed_key is not None and wanted_key is not None:
        return typed_key == wanted_key
    return " ".join(typed.casefold().split()).rstrip("s") == wanted.casefold().rstrip("s")


def _unit_name(unit: str) -> str:
    """How a declared unit reads in a sentence: "cm³" -> "cubic centimeters"."""
    key = _unit_key(unit)
    if key is None:
        return unit
    power = key[-1] if key[-1] in "²³" else ""
    return _UNIT_NAMES[power] + _LENGTHS[key.rstrip("²³")][1]


def read_number(text: str, unit: str = "") -> Fraction:
    """Read a numeric answer for an item whose answer is in ``unit`` (see ``Item.answer_unit``).

    ``unit`` is what may follow the number in a full answer: "" (a plain number), a unit such
    as "cm" or "m²", "π" (the answer is a multiple of π and the key is the number in front of
    it) or both, "π cm³". A student may write that unit or leave it off: "12π cm³", "12pi",
    "12 pi", "pi*12", "12 cm³" and "12" all read as 12. A unit the item does not ask for, or π
    where the answer has none, raises :class:`AnswerFormatError` saying what to write instead.
    """
    if not isinstance(text, str):
        raise AnswerFormatError(NUMBER_HELP)
    wants_pi = "π" in unit
    wanted_unit = unit.replace("π", "").strip()
    body = unicodedata.normalize("NFC", text.translate(_MINUS_SIGNS)).strip()

    pis = list(_PI_RE.finditer(body))
    if pis and not wants_pi:
        raise AnswerFormatError(
            "Write the answer as a number, without π (use the value of π the question gives)."
        )
    if len(pis) > 1:
        raise AnswerFormatError("Write π once, after the number, such as 12π or 12 pi.")
    if pis:
        body = (body[: pis[0].start()] + " " + body[pis[0].end() :]).strip()
        if re.fullmatch(r"\(.*\)", body):
            body = body[1:-1].strip()  # "(2/3)π"
        if not body or body in "+-":
            body += "1"  # "π" is 1π, "-π" is -1π
        elif body.endswith(("/", "-")):
            raise AnswerFormatError(
                f"We read “{text.strip()}”: write the number, then π, such as 3/4π or 3/4 pi."
            )

    # The unit, if any, is what follows the number: everything from its first letter on.
    start = next((i for i, char in enumerate(body) if char.isalpha()), len(body))
    number, typed_unit = body[:start].strip(), body[start:].strip()
    if typed_unit and (_WORDS_RE.fullmatch(typed_unit) or _unit_key(typed_unit) is not None):
        try:
            parse_number(number)
        except AnswerFormatError:
            pass  # not "a number and a unit": parse_number below says what it cannot read
        else:
            if not wanted_unit:
                raise AnswerFormatError(f"Leave off the units: write {number}.")
            if not _same_unit(typed_unit, wanted_unit):
                name = _unit_name(wanted_unit)
                raise AnswerFormatError(
                    f"This question asks for {name}: write the number of {name} "
                    f"(you can add {wanted_unit} after it)."
                )
            body = number
    return parse_number(body)


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
    unit: str = "",
) -> CheckResult:
    """Compare a student's ``response`` with an item's answer key.

    ``unit``: what a numeric answer may carry after the number (see :func:`read_number`).

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
        value = read_number(_single_response(response), unit)
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
