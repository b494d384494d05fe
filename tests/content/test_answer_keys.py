"""Every generator's answer key, recomputed independently from ``spec.params`` / the stem.

The checkers below never call generator helpers: they redo the mathematics with
``fractions.Fraction``, ``math`` and the small ``exprs`` evaluator.  A numeric checker
returns the expected value, a choice checker returns, for every choice, whether it is
correct (so distractors are verified too), and a short-text checker returns a response
that must be accepted and one that must be rejected.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from tandem.content.answers import check_answer, normalise_text, parse_number
from tandem.content.generators import (
    GENERATORS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
    ItemSpec,
    generate,
)

from .exprs import evaluate, evaluate_float, linear_coefficients

F = Fraction
Result = Fraction | list[bool] | tuple[str, str]
CHECKERS: dict[str, Callable[[ItemSpec], Result]] = {}


def checker(key: str) -> Callable[[Callable[[ItemSpec], Result]], Callable[[ItemSpec], Result]]:
    def deco(fn: Callable[[ItemSpec], Result]) -> Callable[[ItemSpec], Result]:
        CHECKERS[key] = fn
        return fn

    return deco


def P(spec: ItemSpec) -> dict[str, Any]:
    return dict(spec.params)


def round_half_up(value: Fraction | float, step: str) -> Fraction:
    q = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(value)
    )
    return F(q.quantize(Decimal(step), rounding=ROUND_HALF_UP))


def compare_statement(text: str) -> bool:
    left, sym, right = text.split(" ")
    a, b = F(left), F(right)
    return {"<": a < b, ">": a > b, "=": a == b}[sym]


def is_prime(n: int) -> bool:
    return n > 1 and all(n % k for k in range(2, math.isqrt(n) + 1))


# ----------------------------------------------------------------------------- grade 3


@checker("3.OA.C.7/facts")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["op"] == "×":
        assert f"{p['a']} × {p['b']}" in s.stem
        assert p["a"] * p["b"] <= 100
        return F(p["a"] * p["b"])
    assert f"{p['dividend']} ÷ {p['divisor']}" in s.stem
    assert p["dividend"] % p["divisor"] == 0
    return F(p["dividend"], p["divisor"])


@checker("3.OA.A.4/unknown-number")
def _(s: ItemSpec) -> Result:
    p = P(s)
    assert p["a"] * p["b"] == p["p"] <= 100
    equation = s.stem.splitlines()[-1]
    value = {
        "a*?=p": F(p["p"], p["a"]),
        "?*b=p": F(p["p"], p["b"]),
        "p/?=b": F(p["p"], p["b"]),
        "?/a=b": F(p["a"] * p["b"]),
        "p=a*?": F(p["p"], p["a"]),
    }[p["form"]]
    left, right = equation.replace("?", str(value)).split(" = ")
    assert evaluate(left) == evaluate(right)
    return value


@checker("3.OA.D.8/two-step")
def _(s: ItemSpec) -> Result:
    p = P(s)
    t = p["template"]
    if t == "buy-packs":
        v = p["start"] + p["packs"] * p["per"]
    elif t == "spend":
        v = p["start"] - p["qty"] * p["price"]
    elif t == "share-then-eat":
        assert p["total"] % p["bags"] == 0
        v = p["total"] // p["bags"] - p["eaten"]
    else:
        v = p["rows"] * p["per"] - p["empty"]
    assert v > 0
    return F(v)


@checker("3.NBT.A.1/round")
def _(s: ItemSpec) -> Result:
    p = P(s)
    target = round_half_up(F(p["n"], p["place"]), "1") * p["place"]
    return [F(c) == target for c in s.choices]


@checker("3.NBT.A.2/add-subtract")
def _(s: ItemSpec) -> Result:
    p = P(s)
    v = p["a"] + p["b"] if p["op"] == "+" else p["a"] - p["b"]
    assert 0 <= v <= 1000 and max(p["a"], p["b"]) <= 1000
    return F(v)


@checker("3.NF.A.3.b/equivalent")
def _(s: ItemSpec) -> Result:
    p = P(s)
    n1, d1, n2, d2 = p["n1"], p["d1"], p["n2"], p["d2"]
    assert {d1, d2} <= {2, 3, 4, 6, 8}
    assert F(n1, d1) == F(n2, d2)
    unknown = p["unknown"]
    # solve n1/d1 = n2/d2 for the unknown from the other three numbers
    solved = {
        "n1": F(n2 * d1, d2),
        "d1": F(n1 * d2, n2),
        "n2": F(n1 * d2, d1),
        "d2": F(n2 * d1, n1),
    }[unknown]
    assert solved.denominator == 1
    return solved


@checker("3.NF.A.3.d/compare")
def _(s: ItemSpec) -> Result:
    p = P(s)
    assert p["n1"] == p["n2"] or p["d1"] == p["d2"]
    assert (p["n1"], p["d1"]) != (p["n2"], p["d2"])
    for c in s.choices:
        assert c.startswith(f"{p['n1']}/{p['d1']} ") and c.endswith(f" {p['n2']}/{p['d2']}")
    return [compare_statement(c) for c in s.choices]


@checker("3.MD.C.7.b/rectangle-area")
def _(s: ItemSpec) -> Result:
    p = P(s)
    assert p["length"] * p["width"] <= 100
    return F(p["length"] * p["width"])


@checker("3.MD.D.8/perimeter")
def _(s: ItemSpec) -> Result:
    p = P(s)
    sides = p["sides"]
    assert sum(sides) == p["perimeter"]
    if p["unknown"] is None:
        return F(sum(sides))
    others = sides[: p["unknown"]] + sides[p["unknown"] + 1 :]
    return F(p["perimeter"] - sum(others))


@checker("3.MD.C.7.d/rectilinear-area")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "add":
        return F(sum(a * b for a, b in p["rects"]))
    (bl, bw), (cl, cw) = p["big"], p["cut"]
    assert cl < bl and cw < bw
    return F(bl * bw - cl * cw)


# ----------------------------------------------------------------------------- grade 4


@checker("4.OA.A.2/multiplicative-comparison")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "times":
        return F(p["small"] * p["factor"])
    if p["form"] == "divide":
        return F(p["big"], p["factor"])
    return F(p["big"], p["small"])


@checker("4.OA.B.4/factors-multiples-primes")
def _(s: ItemSpec) -> Result:
    p = P(s)
    values = [int(c) for c in s.choices]
    if p["variant"] == "factors":
        return [p["n"] % v == 0 for v in values]
    if p["variant"] == "multiples":
        return [v % p["n"] == 0 for v in values]
    return [is_prime(v) for v in values]


_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_WORDS.update(
    {
        w: 10 * i
        for i, w in enumerate(
            ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        )
        if i >= 2
    }
)


def words_to_int(text: str) -> int:
    total = current = 0
    for word in re.split(r"[\s,-]+", text.strip()):
        if word == "and" or not word:
            continue
        if word == "hundred":
            current *= 100
        elif word == "thousand":
            total += current * 1000
            current = 0
        else:
            current += _WORDS[word]
    return total + current


@checker("4.NBT.A.2/number-names")
def _(s: ItemSpec) -> Result:
    n = P(s)["n"]
    assert f"{n:,}" in s.stem
    for accepted in s.answer:
        assert words_to_int(accepted) == n, accepted
    assert len(set(s.answer)) >= 2  # spelling variants (hyphens, "and", commas)
    canonical = s.answer[0]
    return (canonical.upper() + ".", words_to_int_wrong(canonical))


def words_to_int_wrong(text: str) -> str:
    return text.replace("thousand", "hundred", 1) if "thousand" in text else text + " one"


@checker("4.NBT.A.3/round")
def _(s: ItemSpec) -> Result:
    p = P(s)
    return round_half_up(F(p["n"], p["place"]), "1") * p["place"]


@checker("4.NBT.B.6/divide-remainder")
def _(s: ItemSpec) -> Result:
    p = P(s)
    q, r = divmod(p["dividend"], p["divisor"])
    assert 0 < r < p["divisor"]
    assert {f"{q} r {r}", f"{q} remainder {r}"} <= {normalise_text(a) for a in s.answer}
    return (f"{q}r{r}", f"{q} R {r + 1}")


@checker("4.NF.A.2/compare")
def _(s: ItemSpec) -> Result:
    p = P(s)
    assert p["a"] != p["c"] and p["b"] != p["d"]
    return [compare_statement(c) for c in s.choices]


@checker("4.NF.B.3.c/mixed-numbers")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x = p["w1"] + F(p["n1"], p["den"])
    y = p["w2"] + F(p["n2"], p["den"])
    v = x + y if p["op"] == "+" else x - y
    assert v > 0
    return v


@checker("4.NF.B.4.b/fraction-times-whole")
def _(s: ItemSpec) -> Result:
    p = P(s)
    return p["n"] * F(p["a"], p["b"])


@checker("4.NF.C.7/compare-decimals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    for c in s.choices:
        assert c.startswith(p["x"] + " ") and c.endswith(" " + p["y"])
    return [compare_statement(c) for c in s.choices]


@checker("4.MD.A.3/area-perimeter")
def _(s: ItemSpec) -> Result:
    p = P(s)
    form = p["form"]
    if form == "area":
        return F(p["length"] * p["width"])
    if form == "perimeter":
        return F(2 * (p["length"] + p["width"]))
    if form == "width-from-area":
        return F(p["area"], p["length"])
    return F(p["perimeter"] - 2 * p["length"], 2)


@checker("4.MD.C.7/angle-addition")
def _(s: ItemSpec) -> Result:
    p = P(s)
    v = sum(p["parts"]) if p["form"] == "sum" else p["whole"] - sum(p["parts"])
    assert v > 0
    return F(v)


# ----------------------------------------------------------------------------- grade 5


@checker("5.OA.A.1/grouping-symbols")
def _(s: ItemSpec) -> Result:
    expr = P(s)["expression"]
    assert expr in s.stem
    v = evaluate(expr)
    assert v.denominator == 1 and v >= 0
    return v


@checker("5.NBT.A.2/powers-of-ten")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x = F(p["x"])
    return x * 10 ** p["k"] if p["op"] == "×" else x / 10 ** p["k"]


@checker("5.NBT.A.3.b/order-decimals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    values = [F(v) for v in p["values"]]
    assert sorted(F(c) for c in s.choices) == sorted(values)
    target = max(values) if p["ask"] == "greatest" else min(values)
    return [F(c) == target for c in s.choices]


@checker("5.NBT.B.7/decimal-operations")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x, y = F(p["x"]), F(p["y"])
    v = {"+": x + y, "−": x - y, "×": x * y, "÷": x / y}[p["op"]]
    assert (x * 100).denominator == 1 and (y * 100).denominator == 1  # to hundredths
    return v


@checker("5.NF.A.1/unlike-denominators")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x, y = F(p["x"]), F(p["y"])
    assert x.denominator != y.denominator
    v = x + y if p["op"] == "+" else x - y
    assert v > 0
    return v


@checker("5.NF.B.4.a/multiply-fractions")
def _(s: ItemSpec) -> Result:
    p = P(s)
    return F(p["x"]) * F(p["y"])


@checker("5.NF.B.7.c/unit-fraction-division")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "share":
        return F(1, p["b"]) / p["n"]
    return p["n"] / F(1, p["b"])


@checker("5.MD.C.5.b/prism-volume")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "lwh":
        return F(p["l"] * p["w"] * p["h"])
    if p["form"] == "Bh":
        return F(p["B"] * p["h"])
    return F(p["V"], p["l"] * p["w"])


_UNIT_SIZE = {
    "mm": ("length", F(1, 1000)),
    "cm": ("length", F(1, 100)),
    "m": ("length", F(1)),
    "km": ("length", F(1000)),
    "g": ("mass", F(1)),
    "kg": ("mass", F(1000)),
    "mL": ("volume", F(1)),
    "L": ("volume", F(1000)),
    "in": ("us-length", F(1)),
    "ft": ("us-length", F(12)),
    "yd": ("us-length", F(36)),
    "oz": ("weight", F(1)),
    "lb": ("weight", F(16)),
    "qt": ("capacity", F(1)),
    "gal": ("capacity", F(4)),
    "s": ("time", F(1)),
    "min": ("time", F(60)),
    "hr": ("time", F(3600)),
    "day": ("time", F(86400)),
}


@checker("5.MD.A.1/convert-units")
def _(s: ItemSpec) -> Result:
    p = P(s)
    (dim_from, size_from), (dim_to, size_to) = _UNIT_SIZE[p["from"]], _UNIT_SIZE[p["to"]]
    assert dim_from == dim_to
    return F(p["x"]) * size_from / size_to


_ALWAYS = {
    "square": {"square", "rectangle", "rhombus", "parallelogram", "quadrilateral"},
    "rectangle": {"rectangle", "parallelogram", "quadrilateral"},
    "rhombus": {"rhombus", "parallelogram", "quadrilateral"},
    "parallelogram": {"parallelogram", "quadrilateral"},
    "trapezoid": {"trapezoid", "quadrilateral"},
    "kite": {"kite", "quadrilateral"},
    "quadrilateral": {"quadrilateral"},
    "triangle": {"triangle"},
    "pentagon": {"pentagon"},
    "hexagon": {"hexagon"},
}
_HAS_PROPERTY = {
    "4 sides": {"square", "rectangle", "rhombus", "parallelogram"},
    "both pairs of opposite sides parallel": {"square", "rectangle", "rhombus", "parallelogram"},
    "opposite sides of equal length": {"square", "rectangle", "rhombus", "parallelogram"},
    "4 right angles": {"square", "rectangle"},
    "4 sides of equal length": {"square", "rhombus"},
    "exactly 3 angles": set(),
    "exactly one pair of parallel sides": set(),
    "no parallel sides": set(),
    "5 vertices": set(),
}


@checker("5.G.B.4/classify-quadrilaterals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["variant"] == "names":
        return [c in _ALWAYS[p["shape"]] for c in s.choices]
    if p["variant"] == "members":
        return [p["category"] in _ALWAYS[c] for c in s.choices]
    return [p["shape"] in _HAS_PROPERTY[c] for c in s.choices]


# ----------------------------------------------------------------------------- grade 6


@checker("6.RP.A.1/ratio-language")
def _(s: ItemSpec) -> Result:
    p = P(s)
    amount = {"A": p["p"], "B": p["q"], "T": p["p"] + p["q"]}
    first, second = p["ask"]
    target = F(amount[first], amount[second])
    truths = []
    for c in s.choices:
        x, y = (int(t) for t in c.split(":"))
        truths.append(F(x, y) == target)
    assert f"{amount[first]}:{amount[second]}" in s.choices
    return truths


@checker("6.RP.A.3.b/unit-rate")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "lawns":
        return F(p["lawns"], p["hours"]) * p["new_hours"]
    if p["form"] == "price":
        v = F(p["cost"]) / p["q"] * p["new_q"]
        assert (v * 100).denominator == 1
        return v
    return F(p["distance"], p["hours"]) * p["new_hours"]


@checker("6.RP.A.3.c/percent")
def _(s: ItemSpec) -> Result:
    p = P(s)
    part = F(p["pct"] * p["whole"], 100)
    assert part == F(p["part"])
    if p["form"] == "part":
        return part
    if p["form"] == "whole":
        assert part.denominator == 1
        return part * 100 / p["pct"]
    return part / p["whole"] * 100


@checker("6.NS.A.1/divide-fractions")
def _(s: ItemSpec) -> Result:
    p = P(s)
    return F(p["x"]) / F(p["y"])


@checker("6.NS.B.4/gcf-lcm")
def _(s: ItemSpec) -> Result:
    p = P(s)
    a, b = p["a"], p["b"]
    if p["which"] == "gcf":
        assert a <= 100 and b <= 100
        return F(math.gcd(a, b))
    assert a <= 12 and b <= 12
    return F(math.lcm(a, b))


@checker("6.NS.C.7.a/order-rationals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    c = F(p["c"])
    values = [parse_number(choice) for choice in s.choices]
    assert c not in values
    return [(v > c) if p["direction"] == "greater" else (v < c) for v in values]


@checker("6.EE.A.2.c/evaluate")
def _(s: ItemSpec) -> Result:
    p = P(s)
    value = evaluate(p["expr"], p["values"])
    # the expression shown in the stem must give the same value
    if s.stem.startswith("Use the formula"):
        shown = s.stem.split(" = ", 1)[1].split(" (", 1)[0]
    else:
        shown = s.stem.removeprefix("Evaluate ").split(" when ", 1)[0]
    assert evaluate(shown, p["values"]) == value, shown
    return value


@checker("6.EE.A.4/equivalent-expressions")
def _(s: ItemSpec) -> Result:
    p = P(s)
    v = p["variable"]
    assert set(p["forms"]) == set(s.choices)
    truths = []
    for choice in s.choices:
        py = p["forms"][choice]
        for t in range(-3, 6):  # the display text and its Python form agree
            assert evaluate(choice, {v: t}) == evaluate(py, {v: t})
        truths.append(
            all(evaluate(py, {v: t}) == evaluate(p["base"], {v: t}) for t in range(-3, 6))
        )
    base_shown = s.stem.removeprefix("Select all the expressions that are equivalent to ")[:-1]
    assert all(evaluate(base_shown, {v: t}) == evaluate(p["base"], {v: t}) for t in range(4))
    return truths


@checker("6.EE.B.7/one-step-equations")
def _(s: ItemSpec) -> Result:
    p = P(s)
    v = F(p["q"]) - F(p["p"]) if p["form"] == "add" else F(p["q"]) / F(p["p"])
    assert v >= 0
    return v


@checker("6.G.A.1/polygon-area")
def _(s: ItemSpec) -> Result:
    p = P(s)
    shape = p["shape"]
    if shape == "right triangle":
        return F(p["leg1"] * p["leg2"], 2)
    if shape == "parallelogram":
        return F(p["base"] * p["height"])
    if shape == "triangle":
        return F(p["base"] * p["height"], 2)
    if shape == "trapezoid":
        return F((p["base1"] + p["base2"]) * p["height"], 2)
    return F(p["width"] * p["wall"]) + F(p["width"] * p["roof"], 2)


def _median(xs: list[int]) -> Fraction:
    return F(statistics.median([F(x) for x in xs]))


@checker("6.SP.B.5.c/center-spread")
def _(s: ItemSpec) -> Result:
    p = P(s)
    data = p["data"]
    assert ", ".join(map(str, data)) in s.stem
    n = len(data)
    if p["measure"] == "mean":
        return F(sum(data), n)
    if p["measure"] == "median":
        return _median(data)
    if p["measure"] == "iqr":
        ordered = sorted(data)
        lower = ordered[: n // 2]
        upper = ordered[(n + 1) // 2 :]
        return _median(upper) - _median(lower)
    mean = F(sum(data), n)
    return sum((abs(x - mean) for x in data), F(0)) / n


# ----------------------------------------------------------------------------- grade 7


@checker("7.NS.A.1.b/add-subtract-rationals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x, y = F(p["x"]), F(p["y"])
    assert x < 0 or y < 0
    return x + y if p["op"] == "+" else x - y


@checker("7.NS.A.2.a/multiply-divide-rationals")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x, y = F(p["x"]), F(p["y"])
    assert y != 0 and (x < 0 or y < 0)
    return x * y if p["op"] == "×" else x / y


def _decimal_matches(choice: str, value: Fraction) -> bool:
    if choice.endswith("…"):
        digits = choice[:-1]
        places = len(digits.split(".")[1])
        scaled = value * 10**places
        terminating = all(p in (2, 5) for p in _prime_factors(value.denominator))
        return not terminating and F(digits) == F(math.floor(scaled), 10**places)
    return F(choice) == value


def _prime_factors(n: int) -> set[int]:
    out, k = set(), 2
    while n > 1:
        while n % k == 0:
            out.add(k)
            n //= k
        k += 1
    return out


@checker("7.NS.A.2.d/fraction-to-decimal")
def _(s: ItemSpec) -> Result:
    p = P(s)
    value = F(p["n"], p["d"])
    return [_decimal_matches(c, value) for c in s.choices]


@checker("7.RP.A.1/unit-rate-fractions")
def _(s: ItemSpec) -> Result:
    p = P(s)
    return F(p["a"]) / F(p["b"])


@checker("7.RP.A.2.b/constant-of-proportionality")
def _(s: ItemSpec) -> Result:
    p = P(s)
    ratios = {F(y) / x for x, y in zip(p["x"], p["y"], strict=True)}
    assert len(ratios) == 1
    return ratios.pop()


@checker("7.RP.A.3/percent-problems")
def _(s: ItemSpec) -> Result:
    p = P(s)
    form = p["form"]
    price, rate = F(p["price"]), F(p["rate"], 100)
    if form in ("tax", "markup"):
        v = price * (1 + rate)
    elif form in ("tip", "commission"):
        v = price * rate
    elif form == "discount":
        v = price * (1 - rate)
    elif form == "interest":
        v = price * rate * p["years"]
    elif form == "change":
        old, new = F(p["old"]), F(p["new"])
        v = abs(new - old) / old * 100
    else:
        v = price * (1 - rate) * (1 + F(p["tax"], 100))
    assert (v * 100).denominator == 1  # whole cents / whole percent
    return v


@checker("7.EE.A.1/simplify-linear")
def _(s: ItemSpec) -> Result:
    p = P(s)
    v = p["variable"]
    assert p["expression"] in s.stem
    target = linear_coefficients(p["expression"], v)
    return [linear_coefficients(c, v) == target for c in s.choices]


@checker("7.EE.B.4.a/two-step-equations")
def _(s: ItemSpec) -> Result:
    p = P(s)
    pp, q, r = F(p["p"]), F(p["q"]), F(p["r"])
    if p["form"] == "p(x+q)=r":
        return r / pp - q
    return (r - q) / pp


_HOLDS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "≤": lambda a, b: a <= b,
    "≥": lambda a, b: a >= b,
}


@checker("7.EE.B.4.b/inequalities")
def _(s: ItemSpec) -> Result:
    p = P(s)
    pp, q, r, sym = F(p["p"]), F(p["q"]), F(p["r"]), p["sym"]
    truths = []
    for c in s.choices:
        var, csym, bound_text = c.split(" ")
        assert var == p["variable"]
        bound = F(bound_text)
        points = {bound + F(k, 4) for k in range(-40, 41)} | {F(-1000), F(1000), (r - q) / pp}
        truths.append(all(_HOLDS[sym](pp * t + q, r) == _HOLDS[csym](t, bound) for t in points))
    return truths


@checker("7.G.B.4/circles")
def _(s: ItemSpec) -> Result:
    p = P(s)
    r, pi = F(p["radius"]), F("3.14")
    v = {"circumference": 2 * pi * r, "area": pi * r * r, "radius-from-circumference": r}[p["ask"]]
    # an answer computed with the calculator's pi is accepted too
    with_pi = {"circumference": 2 * math.pi * r, "area": math.pi * r * r}.get(p["ask"])
    if with_pi is not None:
        ok = check_answer(
            kind=s.kind, answer=s.answer, tolerance=s.tolerance, response=f"{float(with_pi):.4f}"
        )
        assert ok.correct
    return v


@checker("7.G.B.5/angle-relationships")
def _(s: ItemSpec) -> Result:
    p = P(s)
    rel = p["rel"]
    total = {"supplementary": 180, "complementary": 90, "vertical": None}[rel]
    if "known" in p:
        return F(p["known"]) if total is None else F(total - p["known"])
    (m, c1), (n, c2) = p["left"], p["right"]
    x = F(c2 - c1, m - n) if total is None else F(total - c1 - c2, m + n)
    assert m * x + c1 > 0 and n * x + c2 > 0
    return x


@checker("7.G.A.1/scale-drawings")
def _(s: ItemSpec) -> Result:
    p = P(s)
    k = p["k"]
    assert f"1 cm represents {k} m" in s.stem
    if p["ask"] == "actual":
        return F(p["length"]) * k
    if p["ask"] == "drawing":
        m = re.search(r"actually ([\d,.]+) m", s.stem)
        assert m is not None
        return F(m.group(1).replace(",", "")) / k
    a, b = p["sides"]
    return F(a * k * b * k)


_SPINNER_EVENTS: dict[str, Callable[[int, int], bool]] = {
    "an even number": lambda x, k: x % 2 == 0,
    "an odd number": lambda x, k: x % 2 == 1,
    "a number greater than": lambda x, k: x > k,
    "a number less than": lambda x, k: x < k,
    "a multiple of 3": lambda x, k: x % 3 == 0,
    "a prime number": lambda x, k: is_prime(x),
}


@checker("7.SP.C.7.a/uniform-probability")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] == "bag":
        counts = p["counts"]
        return F(sum(counts[t] for t in p["target"]), sum(counts.values()))
    event = p["event"].removesuffix(f" {p['k']}")
    hits = sum(1 for x in range(1, p["n"] + 1) if _SPINNER_EVENTS[event](x, p["k"]))
    return F(hits, p["n"])


@checker("7.SP.C.8.a/compound-probability")
def _(s: ItemSpec) -> Result:
    p = P(s)
    form = p["form"]
    die = range(1, 7)
    if form == "coins":
        space = list(itertools.product("HT", repeat=2))
        wanted = {"two heads": 2, "two tails": 0, "one head and one tail": 1}[p["event"]]
        hits = [o for o in space if o.count("H") == wanted]
    elif form == "three-coins":
        space = list(itertools.product("HT", repeat=3))
        hits = [o for o in space if o.count("H") == p["heads"]]
    elif form == "coin-die":
        space = list(itertools.product("HT", die))
        cond = {
            "an even number": lambda x: x % 2 == 0,
            "a number greater than 4": lambda x: x > 4,
            "a 6": lambda x: x == 6,
            "a number less than 3": lambda x: x < 3,
        }[p["cond"]]
        hits = [(c, x) for c, x in space if c == p["face"][0].upper() and cond(x)]
    elif form == "spinners":
        space = list(itertools.product(range(1, p["a"] + 1), range(1, p["b"] + 1)))
        hits = [o for o in space if sum(o) == p["target"]]
    elif form == "dice-sum":
        space = list(itertools.product(die, die))
        hits = [o for o in space if sum(o) == p["target"]]
    else:
        space = list(itertools.product(die, die))
        hits = [o for o in space if sum(o) >= p["target"]]
    return F(len(hits), len(space))


# ----------------------------------------------------------------------------- grade 8


@checker("8.EE.A.1/exponent-properties")
def _(s: ItemSpec) -> Result:
    text = P(s)["text"]
    assert text in s.stem
    return evaluate(text)


_SCI = re.compile(
    r"^(?P<c>\d+(?:\.\d+)?)\s*(?:[×x*·]\s*10\s*(?:\^\(?(?P<e1>-?\d+)\)?|(?P<e2>[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
    r"|e(?P<e3>-?\d+))$"
)


def parse_sci(text: str) -> tuple[Fraction, int]:
    t = text.replace("−", "-").strip()
    if t.startswith("10"):
        t = "1 × " + t
    m = _SCI.match(t)
    assert m is not None, text
    exp_text = m["e1"] or m["e3"] or m["e2"].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    return F(m["c"]), int(exp_text)


@checker("8.EE.A.4/scientific-notation")
def _(s: ItemSpec) -> Result:
    p = P(s)
    if p["form"] in ("large", "small"):
        value = F(p["value"])
    else:
        a, b = F(p["a"]) * F(10) ** p["m"], F(p["b"]) * F(10) ** p["n"]
        value = a * b if p["op"] == "×" else a / b
    for accepted in s.answer:
        coef, exp = parse_sci(accepted)
        assert 1 <= coef < 10 and coef * F(10) ** exp == value, accepted
    coef, exp = parse_sci(s.answer[0])
    plain = str(coef.numerator) if coef.denominator == 1 else str(float(coef))
    return (f"{plain} x 10^{exp}", f"{plain} x 10^{exp + 1}")


@checker("8.EE.C.7.a/number-of-solutions")
def _(s: ItemSpec) -> Result:
    equation = s.stem.splitlines()[-1]
    left, right = equation.split(" = ")
    (a, b), (c, d) = linear_coefficients(left, "x"), linear_coefficients(right, "x")
    if a != c:
        verdict = "exactly one solution"
    elif b == d:
        verdict = "infinitely many solutions"
    else:
        verdict = "no solution"
    return [ch == verdict for ch in s.choices]


@checker("8.EE.C.7.b/linear-equations")
def _(s: ItemSpec) -> Result:
    equation = s.stem.splitlines()[-1]
    var = s.stem.splitlines()[0].removeprefix("Solve for ").rstrip(":")
    left, right = equation.split(" = ")
    (a, b), (c, d) = linear_coefficients(left, var), linear_coefficients(right, var)
    assert a != c
    return (d - b) / (a - c)


@checker("8.EE.C.8.b/systems")
def _(s: ItemSpec) -> Result:
    equations = s.stem.splitlines()[1:]
    assert len(equations) == 2
    truths = []
    for c in s.choices:
        x, y = (int(t) for t in c.strip("()").split(", "))
        ok = True
        for eq in equations:
            left, right = eq.split(" = ")
            ok &= evaluate(left, {"x": x, "y": y}) == evaluate(right, {"x": x, "y": y})
        truths.append(ok)
    return truths


@checker("8.F.A.1/identify-functions")
def _(s: ItemSpec) -> Result:
    truths = []
    for c in s.choices:
        pairs = [(int(a), int(b)) for a, b in re.findall(r"\((-?\d+), (-?\d+)\)", c)]
        outputs: dict[int, set[int]] = {}
        for a, b in pairs:
            outputs.setdefault(a, set()).add(b)
        truths.append(all(len(v) == 1 for v in outputs.values()))
    return truths


@checker("8.F.A.3/linear-or-not")
def _(s: ItemSpec) -> Result:
    forms = P(s)["forms"]
    truths = []
    for c in s.choices:
        ys = [evaluate_float(forms[c], float(x)) for x in range(1, 7)]
        diffs = [b - a for a, b in itertools.pairwise(ys)]
        truths.append(max(diffs) - min(diffs) < 1e-9)
        # the Python form agrees with the displayed equation where it is plain arithmetic
        if "ˣ" not in c and "√" not in c and c.startswith("y = "):
            shown = c.removeprefix("y = ")
            assert abs(float(evaluate(shown, {"x": 3})) - evaluate_float(forms[c], 3.0)) < 1e-9
    return truths


@checker("8.F.B.4/rate-and-initial-value")
def _(s: ItemSpec) -> Result:
    p = P(s)
    x1, y1, x2, y2 = F(p["x1"]), F(p["y1"]), F(p["x2"]), F(p["y2"])
    slope = (y2 - y1) / (x2 - x1)
    return slope if p["ask"] == "rate" else y1 - slope * x1


@checker("8.G.A.5/angle-facts")
def _(s: ItemSpec) -> Result:
    p = P(s)
    form = p["form"]
    if form == "triangle":
        v = F(180 - p["a"] - p["b"])
    elif form == "exterior":
        v = F(p["a"] + p["b"]) if p["ask"] == "exterior" else F(p["exterior"] - p["a"])
    elif form == "parallel":
        v = F(180 - p["a"]) if p["pair"] == "same-side interior" else F(p["a"])
    else:
        v = F(180 - p["c"], 1 + p["p"] + p["q"])
        assert v.denominator == 1 and p["q"] * v + p["c"] > 0
    assert 0 < v < 180
    return v


def _exact_root(n: int) -> Fraction:
    r = math.isqrt(n)
    assert r * r == n
    return F(r)


@checker("8.G.B.7/pythagorean-theorem")
def _(s: ItemSpec) -> Result:
    p = P(s)
    form = p["form"]
    if form == "hypotenuse":
        return _exact_root(p["a"] ** 2 + p["b"] ** 2)
    if form in ("leg", "ladder"):
        return _exact_root(p["c"] ** 2 - p["a"] ** 2)
    if form == "box":
        return _exact_root(p["l"] ** 2 + p["w"] ** 2 + p["h"] ** 2)
    assert s.tolerance == "0.05"
    return round_half_up(math.sqrt(p["a"] ** 2 + p["b"] ** 2), "0.1")


@checker("8.G.B.8/distance-between-points")
def _(s: ItemSpec) -> Result:
    p = P(s)
    (x1, y1), (x2, y2) = p["p1"], p["p2"]
    assert f"({x1}, {y1})" in s.stem and f"({x2}, {y2})" in s.stem
    sq = (x2 - x1) ** 2 + (y2 - y1) ** 2
    if p["rounded"]:
        return round_half_up(math.sqrt(sq), "0.1")
    return _exact_root(sq)


@checker("8.G.C.9/volume-cylinder-cone-sphere")
def _(s: ItemSpec) -> Result:
    p = P(s)
    r = F(p["r"])
    if p["solid"] == "cylinder":
        return r * r * p["h"]
    if p["solid"] == "cone":
        return r * r * p["h"] / 3
    if p["solid"] == "sphere":
        return F(4, 3) * r**3
    return F(p["V_over_pi"]) / (r * r)


@checker("8.NS.A.2/estimate-square-roots")
def _(s: ItemSpec) -> Result:
    n = P(s)["n"]
    assert math.isqrt(n) ** 2 != n
    if P(s)["form"] == "between":
        truths = []
        for c in s.choices:
            lo, hi = (int(t) for t in c.split(" and "))
            truths.append(hi == lo + 1 and lo * lo < n < hi * hi)
        return truths
    root = math.sqrt(n)
    distances = [abs(float(c) - root) for c in s.choices]
    best = min(distances)
    assert sorted(distances)[1] - best > 0.01  # the closest choice is clearly closest
    return [dist == best for dist in distances]


# ----------------------------------------------------------------------------- the tests


KEYS = sorted(GENERATORS)
SEEDS = range(40)


def test_every_generator_has_an_independent_checker() -> None:
    assert set(CHECKERS) == set(KEYS)


def _fraction_text(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _check(spec: ItemSpec, response: str | list[str]) -> bool:
    return check_answer(
        kind=spec.kind, answer=spec.answer, tolerance=spec.tolerance, response=response
    ).correct


@pytest.mark.parametrize("key", KEYS)
def test_answer_key_matches_independent_computation(key: str) -> None:
    check = CHECKERS[key]
    for seed in SEEDS:
        for difficulty in (1, 2, 3):
            spec = generate(key, seed, difficulty)
            expected = check(spec)
            context = (key, seed, difficulty, spec.stem)
            if spec.kind == NUMERIC:
                assert isinstance(expected, Fraction), context
                assert F(spec.answer[0]) == expected, (context, spec.answer, expected)
                assert _check(spec, _fraction_text(expected)), context
                wrong = expected + 1 + 2 * F(spec.tolerance or "0")
                assert not _check(spec, _fraction_text(wrong)), context
            elif spec.kind in (SINGLE_CHOICE, MULTIPLE_CHOICE):
                assert isinstance(expected, list) and len(expected) == len(spec.choices), context
                truth = [str(i) for i, ok in enumerate(expected) if ok]
                assert tuple(truth) == spec.answer, (context, spec.choices, spec.answer)
                if spec.kind == SINGLE_CHOICE:
                    assert len(truth) == 1, context
                    wrong_index = next(str(i) for i, ok in enumerate(expected) if not ok)
                    assert not _check(spec, wrong_index)
                else:
                    assert _check(spec, list(reversed(truth)))
                    assert not _check(spec, truth[1:] or [str(expected.index(False))])
            else:
                assert spec.kind == SHORT_TEXT
                assert isinstance(expected, tuple), context
                good, bad = expected
                assert _check(spec, good), (context, good, spec.answer)
                assert not _check(spec, bad), (context, bad)
