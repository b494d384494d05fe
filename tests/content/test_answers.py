"""parse_number, normalise_text and check_answer."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.content.answers import (
    AnswerFormatError,
    CheckResult,
    check_answer,
    format_fraction,
    normalise_text,
    parse_number,
)
from tandem.content.generators import MULTIPLE_CHOICE, NUMERIC, SHORT_TEXT, SINGLE_CHOICE

F = Fraction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", F(3)),
        (" 0.5 ", F(1, 2)),
        ("1/2", F(1, 2)),
        ("½", F(1, 2)),
        ("¾", F(3, 4)),
        ("⅞", F(7, 8)),
        ("⅓", F(1, 3)),
        ("1 1/2", F(3, 2)),
        ("1½", F(3, 2)),
        ("2 ¼", F(9, 4)),
        ("-3/4", F(-3, 4)),
        ("−3/4", F(-3, 4)),  # unicode minus
        ("–2", F(-2)),  # en dash
        ("-1½", F(-3, 2)),
        ("-1 1/2", F(-3, 2)),
        ("1,000", F(1000)),
        ("12,345.5", F(24691, 2)),
        (".5", F(1, 2)),
        ("-.25", F(-1, 4)),
        ("3.", F(3)),
        ("+7", F(7)),
        ("3 / 4", F(3, 4)),
        ("6/8", F(3, 4)),
        ("0", F(0)),
        ("-0", F(0)),
        ("007", F(7)),
        ("$4.50", F(9, 2)),
        ("１２", F(12)),  # full-width digits (NFKC)
        ("3⁄4", F(3, 4)),  # fraction slash
        ("10/4", F(5, 2)),
        ("1 5/4", F(9, 4)),
    ],
)
def test_parse_number_accepts(text: str, expected: Fraction) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1//2",
        "1/0",
        "1 1/0",
        "3/",
        "/4",
        "1.2.3",
        "--3",
        "1/2/3",
        "x=3",
        "1,5",
        "12,34",
        "3 4",
        "1e3",
        "4%",
        "½½",
        "$",
        "1 -1/2",
    ],
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_number(text)
    assert str(info.value)  # a message for the student


def test_parse_number_messages_are_helpful() -> None:
    with pytest.raises(AnswerFormatError, match=re.escape("3/4, 0.75 or 1 1/2")):
        parse_number("abc")
    with pytest.raises(AnswerFormatError, match="denominator"):
        parse_number("1/0")
    with pytest.raises(AnswerFormatError, match="%"):
        parse_number("25%")
    with pytest.raises(AnswerFormatError, match="point"):
        parse_number("1,5")
    assert isinstance(AnswerFormatError("x"), ValueError)


def _render(value: Fraction, style: str) -> str:
    if style == "fraction":
        return f"{value.numerator}/{value.denominator}"
    if style == "mixed":
        sign = "-" if value < 0 else ""
        whole, rest = divmod(abs(value.numerator), value.denominator)
        if rest == 0:
            return f"{sign}{whole}"
        return (
            f"{sign}{whole} {rest}/{value.denominator}"
            if whole
            else f"{sign}{rest}/{value.denominator}"
        )
    # decimal: scale to a power of ten denominator
    scaled = value * 10**6
    assert scaled.denominator == 1
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(7, "0")
    return f"{sign}{digits[:-6]}.{digits[-6:]}"


fractions_st = st.fractions(max_denominator=10**6)
decimals_st = st.builds(lambda n: Fraction(n, 10**6), st.integers(-(10**12), 10**12))


@given(fractions_st, st.sampled_from(["fraction", "mixed"]))
def test_fraction_roundtrip(value: Fraction, style: str) -> None:
    assert parse_number(_render(value, style)) == value


@given(decimals_st)
def test_decimal_roundtrip(value: Fraction) -> None:
    assert parse_number(_render(value, "decimal")) == value


@given(fractions_st)
def test_format_fraction_roundtrip(value: Fraction) -> None:
    assert parse_number(format_fraction(value)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hello   World  ", "hello world"),
        ("Forty-Two.", "forty-two"),
        ("yes!!", "yes"),
        ("ＡＢＣ", "abc"),
        ("Straße", "strasse"),
        ("a\tb\nc", "a b c"),
        ("12 R 3 .", "12 r 3"),
        ("", ""),
        ("1½", "1 1/2"),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


@pytest.mark.parametrize(
    ("answer", "tolerance", "response", "correct", "normalised"),
    [
        (("3/4",), "0", "0.75", True, "3/4"),
        (("3/4",), "0", "6/8", True, "3/4"),
        (("3/4",), "0", "¾", True, "3/4"),
        (("3/4",), "0", "0.7", False, "7/10"),
        (("-2",), "0", "−2", True, "-2"),
        (("7/4",), "0", "1 3/4", True, "7/4"),
        (("7/4",), "0", "1¾", True, "7/4"),
        (("0.25",), "0", "1/4", True, "1/4"),
        (("1000",), "", "1,000", True, "1000"),
        (("37.68",), "0.04", "37.699", True, "37699/1000"),
        (("37.68",), "0.04", "37.8", False, "189/5"),
        (("4.2",), "0.05", "4.24", True, "106/25"),
        (("4.2",), "0.05", "4.26", False, "213/50"),
    ],
)
def test_check_numeric(
    answer: tuple[str, ...], tolerance: str, response: str, correct: bool, normalised: str
) -> None:
    result = check_answer(kind=NUMERIC, answer=answer, tolerance=tolerance, response=response)
    assert result == CheckResult(correct=correct, normalised=normalised)


def test_check_numeric_accepts_single_item_sequence() -> None:
    assert check_answer(kind=NUMERIC, answer=("5",), tolerance="0", response=["5"]).correct


@pytest.mark.parametrize("response", ["", "abc", "1/0", "50%", ["1", "2"]])
def test_check_numeric_format_errors(response: str | list[str]) -> None:
    with pytest.raises(AnswerFormatError):
        check_answer(kind=NUMERIC, answer=("5",), tolerance="0", response=response)


@pytest.mark.parametrize(
    ("response", "correct", "normalised"),
    [
        ("2", True, "2"),
        (" 2 ", True, "2"),
        (["2"], True, "2"),
        ("1", False, "1"),
        ("02", True, "2"),
    ],
)
def test_check_single_choice(response: str | list[str], correct: bool, normalised: str) -> None:
    result = check_answer(kind=SINGLE_CHOICE, answer=("2",), tolerance="", response=response)
    assert result == CheckResult(correct=correct, normalised=normalised)


@pytest.mark.parametrize("response", ["", "b", "-1", "1.5", ["1", "2"]])
def test_check_single_choice_format_errors(response: str | list[str]) -> None:
    with pytest.raises(AnswerFormatError):
        check_answer(kind=SINGLE_CHOICE, answer=("2",), tolerance="", response=response)


@pytest.mark.parametrize(
    ("response", "correct", "normalised"),
    [
        (["2", "0"], True, "0,2"),
        (["0", "2", "2"], True, "0,2"),
        ("0,2", True, "0,2"),
        ("2 0", True, "0,2"),
        (["0"], False, "0"),
        (["0", "1", "2"], False, "0,1,2"),
        (("3",), False, "3"),
    ],
)
def test_check_multiple_choice(response: str | list[str], correct: bool, normalised: str) -> None:
    result = check_answer(kind=MULTIPLE_CHOICE, answer=("0", "2"), tolerance="", response=response)
    assert result == CheckResult(correct=correct, normalised=normalised)


@pytest.mark.parametrize("response", [[], "", " , ", ["a"], "0,x"])
def test_check_multiple_choice_format_errors(response: str | list[str]) -> None:
    with pytest.raises(AnswerFormatError):
        check_answer(kind=MULTIPLE_CHOICE, answer=("0", "2"), tolerance="", response=response)


@pytest.mark.parametrize(
    ("answer", "response", "correct", "normalised"),
    [
        (("forty-two",), "Forty-Two.", True, "forty-two"),
        (("forty-two", "forty two"), " forty  two ", True, "forty two"),
        (("forty-two",), "fourty two", False, "fourty two"),
        (("12 R 3",), "12 r 3", True, "12 r 3"),
        (("0.5",), "1/2", True, "1/2"),  # both parse as numbers: compared numerically
        (("1/2",), "½", True, "1/2"),
        (("3/2",), "1½", True, "1 1/2"),
        (("1 1/2",), "1½", True, "1 1/2"),
        (("rhombus",), "RHOMBUS!", True, "rhombus"),
        (("rhombus",), "3", False, "3"),
    ],
)
def test_check_short_text(
    answer: tuple[str, ...], response: str, correct: bool, normalised: str
) -> None:
    result = check_answer(kind=SHORT_TEXT, answer=answer, tolerance="", response=response)
    assert result == CheckResult(correct=correct, normalised=normalised)


def test_check_short_text_empty_is_a_format_error() -> None:
    with pytest.raises(AnswerFormatError):
        check_answer(kind=SHORT_TEXT, answer=("x",), tolerance="", response="  ...  ")


def test_unknown_kind_is_not_a_student_error() -> None:
    with pytest.raises(ValueError) as info:
        check_answer(kind="essay", answer=("x",), tolerance="", response="x")
    assert not isinstance(info.value, AnswerFormatError)
