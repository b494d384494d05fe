"""Numeric answers with π and units: what the student may type for an item that declares its
unit (``Item.answer_unit``), and the message that says exactly what was not understood. A
format error never scores the answer (the pages and services then record nothing)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from tandem.content.answers import AnswerFormatError, check_answer, read_number
from tandem.content.generators import GENERATORS, NUMERIC
from tandem.content.generators.base import solution_unit

F = Fraction


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("112π", "π", F(112)),
        ("112pi", "π", F(112)),
        ("112 pi", "π", F(112)),
        ("112 Pi", "π", F(112)),
        ("pi*112", "π", F(112)),
        ("112*π", "π", F(112)),
        ("112 × π", "π", F(112)),
        ("(2/3)π", "π", F(2, 3)),
        ("2/3 pi", "π", F(2, 3)),
        ("π", "π", F(1)),
        ("−π", "π", F(-1)),
        ("112", "π", F(112)),  # the stem asks for the number that multiplies π
        ("112π cm³", "π cm³", F(112)),
        ("112 cm^3", "π cm³", F(112)),
        ("112 cubic cm", "π cm³", F(112)),
        ("5 m", "m", F(5)),
        ("5m", "m", F(5)),
        ("5 meters", "m", F(5)),
        ("5", "m", F(5)),
        ("1 1/2 m", "m", F(3, 2)),
        ("12 ft²", "ft²", F(12)),
        ("12 ft^2", "ft²", F(12)),
        ("12 ft2", "ft²", F(12)),
        ("12 sq ft", "ft²", F(12)),
        ("12 square feet", "ft²", F(12)),
        ("3 inches", "in", F(3)),
        ("3.5 cm", "cm", F(7, 2)),
    ],
)
def test_reads_pi_and_the_items_unit(typed, unit, value):
    assert read_number(typed, unit) == value


@pytest.mark.parametrize(
    ("typed", "unit", "message"),
    [
        ("5 m", "", "Leave off the units: write 5."),
        ("5m", "", "Leave off the units: write 5."),
        ("12 miles per hour", "", "Leave off the units: write 12."),
        ("147°", "", "Leave off the ° sign: write 147."),
        (
            "5 cm",
            "m",
            "This question asks for meters: write the number of meters (you can add m after it).",
        ),
        ("12 ft", "ft²", "This question asks for square feet"),
        ("6.28π", "", "Write the answer as a number, without π"),
        ("3 pi pi", "π", "Write π once"),
        ("3,,5", "", "We read “3,,5”: “,,” cannot be in a number. Write one number such as 3.5"),
        ("1//2", "", "“//” cannot be in a number"),
        ("3 4", "", "We read 2 numbers in “3 4”. Write one number"),
        ("1/2/3", "", "a fraction has one “/”"),
        ("1.2.3", "", "a number has one decimal point"),
        ("five", "", "Write the number with digits: 5, not “five”."),
        ("pie", "π", "We read “pie” in your answer, which is not part of a number."),
        ("abc", "", "3/4, 0.75 or 1 1/2"),
    ],
)
def test_says_what_it_did_not_understand(typed, unit, message):
    with pytest.raises(AnswerFormatError) as info:
        read_number(typed, unit)
    assert message in str(info.value)


def test_check_answer_passes_the_unit_on():
    key = {"kind": NUMERIC, "answer": ("36",), "tolerance": "0"}
    assert check_answer(**key, response="36π cm³", unit="π cm³").correct
    assert not check_answer(**key, response="35 pi", unit="π cm³").correct
    assert check_answer(**key, response="36π cm³", unit="π cm³").normalised == "36"
    with pytest.raises(AnswerFormatError, match="Leave off the units"):
        check_answer(**key, response="36 cm³")  # an item that declares no unit


@pytest.mark.parametrize(
    ("solution", "unit"),
    [
        ("A = 3 × 4 = 12 cm².", "cm²"),
        ("V = πr²h = π × 3² × 4 = 36π cm³.", "π cm³"),
        ("V = (1/3)πr²h = 1372/3π cm³.", "π cm³"),
        ("P = 2 × 3 + 2 × 4 = 14 m.", "m"),
        ("c = √25 ≈ 14.3 m", "m"),
        ("3 × 4 = 12.", ""),
        ("It is 12 times as many.", ""),
    ],
)
def test_solution_unit(solution, unit):
    assert solution_unit(solution) == unit


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_every_numeric_item_takes_its_answer_with_its_unit(key):
    """The worked solution's answer, typed with the item's unit, is right; with a unit the item
    does not use, it is a format message (never a wrong answer)."""
    for seed in range(6):
        for difficulty in (1, 2, 3):
            item = GENERATORS[key].generate(seed, difficulty)
            if item.kind != NUMERIC:
                continue
            if solution_unit(item.solution):  # the solution's answer has a unit: it is declared
                assert item.unit == solution_unit(item.solution), (key, item.solution)
            answer = {"kind": NUMERIC, "answer": item.answer, "tolerance": item.tolerance}
            plain = check_answer(**answer, response=item.answer[0], unit=item.unit)
            assert plain.correct, (key, seed, difficulty)
            if not item.unit:
                continue
            typed = f"{item.answer[0]} {item.unit.replace('π', 'pi')}"
            assert check_answer(**answer, response=typed, unit=item.unit).correct, typed
            other = "km" if "km" not in item.unit else "mm"
            with pytest.raises(AnswerFormatError, match=re.escape("asks for")):
                check_answer(**answer, response=f"{item.answer[0]} {other}", unit=item.unit)
