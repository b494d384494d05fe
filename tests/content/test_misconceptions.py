"""Typical wrong answers the generators predict, and what is said back about an answer (no
database needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

import pytest

from tandem.content.answers import check_answer
from tandem.content.feedback import (
    choice_marks,
    generated_misconceptions,
    misconception_hint,
    response_in_words,
)
from tandem.content.generators import GENERATORS, NUMERIC, ItemSpec, generate

SEEDS = range(40)


def _specs(key: str) -> list[ItemSpec]:
    return [generate(key, seed, d) for seed in SEEDS for d in (1, 2, 3)]


def _hint_for(spec: ItemSpec, response: str) -> str:
    """What a student who typed ``response`` is told, as the practice page works it out."""
    result = check_answer(
        kind=spec.kind, answer=spec.answer, tolerance=spec.tolerance, response=response
    )
    assert not result.correct, f"{response!r} is right for {spec.stem!r}"
    return misconception_hint(
        kind=spec.kind,
        tolerance=spec.tolerance,
        misconceptions=spec.misconceptions,
        normalised=result.normalised,
    )


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_every_predicted_wrong_answer_is_wrong_and_gets_its_hint(key: str) -> None:
    for spec in _specs(key):
        for wrong, hint in spec.misconceptions:
            assert hint.strip() and len(hint) < 300, hint
            assert _hint_for(spec, wrong) == hint


# Generators that predict typical wrong answers, with how often (at least) an item has one.
PREDICTING = {
    "3.MD.C.7.b/rectangle-area": 1.0,
    "3.MD.D.8/perimeter": 0.6,  # not for polygons whose sides are all given
    "4.MD.A.3/area-perimeter": 1.0,
    "4.NF.B.3.c/mixed-numbers": 1.0,
    "4.NF.B.4.b/fraction-times-whole": 1.0,
    "5.NF.A.1/unlike-denominators": 1.0,
    "5.OA.A.1/grouping-symbols": 0.9,
    "5.NBT.A.2/powers-of-ten": 1.0,
    "5.NBT.B.7/decimal-operations": 0.3,
    "6.NS.A.1/divide-fractions": 0.9,
    "6.EE.A.2.c/evaluate": 0.4,
    "7.NS.A.1.b/add-subtract-rationals": 1.0,
}


@pytest.mark.parametrize("key", sorted(PREDICTING))
def test_generators_predict_typical_wrong_answers(key: str) -> None:
    specs = _specs(key)
    share = sum(1 for spec in specs if spec.misconceptions) / len(specs)
    assert share >= PREDICTING[key], share


def _first(key: str, wanted: Callable[[ItemSpec], bool]) -> ItemSpec:
    return next(spec for spec in _specs(key) if wanted(spec))


def test_adding_the_denominators_is_recognized() -> None:
    spec = _first(
        "5.NF.A.1/unlike-denominators",
        lambda s: s.params["op"] == "+" and Fraction(str(s.params["x"])) < 1,
    )
    x, y = Fraction(str(spec.params["x"])), Fraction(str(spec.params["y"]))
    wrong = f"{x.numerator + y.numerator}/{x.denominator + y.denominator}"
    assert _hint_for(spec, wrong).startswith("It looks like you added the bottoms too.")
    # A wrong answer nobody predicted gets no tip rather than a wrong one.
    assert _hint_for(spec, "999") == ""


def test_subtracting_mixed_numbers_the_wrong_way_round_is_recognized() -> None:
    spec = _first("4.NF.B.3.c/mixed-numbers", lambda s: s.params["op"] == "−")
    p = spec.params
    w, n, den = int(p["w1"]) - int(p["w2"]), int(p["n2"]) - int(p["n1"]), int(p["den"])
    assert "wrong way round" in _hint_for(spec, f"{w} {n}/{den}")


def test_multiplying_the_denominator_by_the_whole_number_is_recognized() -> None:
    spec = _first("4.NF.B.4.b/fraction-times-whole", lambda s: True)
    a, b = spec.params["a"], spec.params["b"]
    assert "multiplied the bottom" in _hint_for(spec, f"{a}/{b}")


def _expr(spec: ItemSpec) -> str:
    return str(spec.params["expr"])


def _values(spec: ItemSpec) -> dict[str, int]:
    values = spec.params["values"]
    assert isinstance(values, dict)
    return values


def test_left_to_right_and_exponent_slips_are_recognized() -> None:
    spec = _first("6.EE.A.2.c/evaluate", lambda s: " + x / " in _expr(s))
    b, a = _expr(spec).split(" + x / ")
    in_a_row = Fraction(int(b) + _values(spec)["x"], int(a))
    assert "worked from left to right" in _hint_for(spec, str(in_a_row))
    spec = _first("6.EE.A.2.c/evaluate", lambda s: _expr(s).startswith("x**2 + "))
    b = _expr(spec).removeprefix("x**2 + ")
    doubled = _values(spec)["x"] * 2 + int(b)
    assert "x² means x × x" in _hint_for(spec, str(doubled))


def test_skipping_the_brackets_is_recognized() -> None:
    spec = _first(
        "5.OA.A.1/grouping-symbols",
        lambda s: re.fullmatch(r"Evaluate: \((\d+) \+ (\d+)\) × (\d+)", s.stem) is not None,
    )
    match = re.fullmatch(r"Evaluate: \((\d+) \+ (\d+)\) × (\d+)", spec.stem)
    assert match is not None
    a, b, c = map(int, match.groups())
    assert "brackets were skipped" in _hint_for(spec, str(a + b * c))


def test_decimal_point_slips_are_recognized() -> None:
    spec = _first(
        "5.NBT.B.7/decimal-operations",
        lambda s: (
            s.params["op"] == "+"
            and len(str(s.params["x"]).partition(".")[2])
            != len(str(s.params["y"]).partition(".")[2])
        ),
    )
    x, y = str(spec.params["x"]), str(spec.params["y"])
    places = max(len(x.partition(".")[2]), len(y.partition(".")[2]))
    digits = int(x.replace(".", "")) + int(y.replace(".", ""))
    assert "Line up the decimal points" in _hint_for(spec, str(Fraction(digits, 10**places)))
    spec = _first("5.NBT.A.2/powers-of-ten", lambda s: s.params["op"] == "×")
    x, k = Fraction(str(spec.params["x"])), int(str(spec.params["k"]))
    assert "wrong way" in _hint_for(spec, str(x / 10**k))


def test_negative_number_slips_are_recognized() -> None:
    spec = _first(
        "7.NS.A.1.b/add-subtract-rationals",
        lambda s: s.params["op"] == "−" and Fraction(str(s.params["y"])) < 0,
    )
    x, y = Fraction(str(spec.params["x"])), Fraction(str(spec.params["y"]))
    assert "Taking away a negative number" in _hint_for(spec, str(x + y))
    assert "check the sign" in _hint_for(spec, str(-(x - y)))


def test_area_and_perimeter_mix_ups_are_recognized() -> None:
    spec = _first("3.MD.C.7.b/rectangle-area", lambda s: True)
    length, width = int(str(spec.params["length"])), int(str(spec.params["width"]))
    assert "perimeter" in _hint_for(spec, str(2 * (length + width)))
    spec = _first("4.MD.A.3/area-perimeter", lambda s: s.params["form"] == "perimeter")
    length, width = int(str(spec.params["length"])), int(str(spec.params["width"]))
    assert "you found the area" in _hint_for(spec, str(length * width))
    spec = _first("3.MD.D.8/perimeter", lambda s: "rectangle" in s.stem)
    sides = spec.params["sides"]
    assert isinstance(sides, list)
    assert "area" in _hint_for(spec, str(sides[0] * sides[1]))


def test_dividing_fractions_without_the_reciprocal_is_recognized() -> None:
    spec = _first("6.NS.A.1/divide-fractions", lambda s: True)
    x, y = Fraction(str(spec.params["x"])), Fraction(str(spec.params["y"]))
    assert "reciprocal" in _hint_for(spec, str(x * y))


def test_misconceptions_are_made_again_from_the_generator_and_seed() -> None:
    spec = generate("5.NF.A.1/unlike-denominators", 3, 1)
    assert generated_misconceptions(spec.generator, spec.seed, 1, spec.stem) == spec.misconceptions
    # A stored item whose stem is not what the generator makes now gets none.
    assert generated_misconceptions(spec.generator, spec.seed, 1, "Another stem") == ()
    assert generated_misconceptions("no/such-generator", 3, 1, spec.stem) == ()


def test_a_matching_numeric_answer_in_another_form_gets_the_hint() -> None:
    pairs = (("3/4", "Tip."),)
    for typed in ("3/4", "0.75", "6/8"):
        assert (
            misconception_hint(kind=NUMERIC, tolerance="0", misconceptions=pairs, normalised=typed)
            == "Tip."
        )
    assert (
        misconception_hint(kind=NUMERIC, tolerance="0", misconceptions=pairs, normalised="1") == ""
    )


# ---------- per-choice marks ----------


def test_every_choice_is_marked_with_a_symbol_and_words() -> None:
    choices = ["2", "3", "4", "5"]
    marks = choice_marks(choices=choices, answer=["0", "2"], normalised="0,1", reveal=True)
    assert [(m.state, m.symbol) for m in marks] == [
        ("right", "✓"),
        ("wrong", "✗"),
        ("missed", "!"),
        ("left", "–"),
    ]
    assert [m.text for m in marks] == choices
    assert all(m.words for m in marks)
    assert marks[2].words.startswith("Missed")


def test_marks_before_a_second_try_do_not_give_away_the_missed_choices() -> None:
    marks = choice_marks(choices=["a", "b", "c"], answer=["0", "2"], normalised="1", reveal=False)
    assert [m.state for m in marks] == ["left", "wrong", "left"]


def test_response_in_words_names_the_chosen_options() -> None:
    assert response_in_words(kind="multiple_choice", choices=["x", "y", "z"], normalised="0,2") == (
        "x; z"
    )
    assert response_in_words(kind="numeric", choices=[], normalised="3/4") == "3/4"


def test_longer_is_larger_is_recognized_on_a_choice() -> None:
    spec = _first("4.NF.C.7/compare-decimals", lambda s: bool(s.misconceptions))
    x, y = str(spec.params["x"]), str(spec.params["y"])
    digits_x, digits_y = int(x.partition(".")[2]), int(y.partition(".")[2])
    naive = ">" if digits_x > digits_y else "<" if digits_x < digits_y else "="
    chosen = str(spec.choices.index(f"{x} {naive} {y}"))
    assert "Longer does not mean larger" in _hint_for(spec, chosen)


def test_a_bigger_bottom_number_is_recognized_on_a_choice() -> None:
    spec = _first(
        "3.NF.A.3.d/compare", lambda s: s.params["n1"] == s.params["n2"] and bool(s.misconceptions)
    )
    ((wrong, _),) = spec.misconceptions
    assert "bigger bottom number" in _hint_for(spec, wrong)
    right = spec.choices[int(spec.answer[0])]
    assert ">" in spec.choices[int(wrong)] or "<" in spec.choices[int(wrong)]
    assert spec.choices[int(wrong)] != right
