"""Grade 5 item generators."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from fractions import Fraction

from tandem.content.generators.base import (
    NAMES,
    Draft,
    chain,
    dec,
    frac,
    is_terminating,
    mixed,
    multiple_choice,
    num,
    numeric,
    plural,
    register,
    single_choice,
    solution_unit,
    sup,
)

# ------------------------------------------------------------------ 5.OA.A.1

_Ints = tuple[int, ...]


def _grouping_template(rng: random.Random, d: int) -> tuple[str, _Ints, Callable[..., int]]:
    """Return (display format, numbers, evaluation) for an expression with grouping symbols."""
    r = rng.randint
    choice = rng.choice(
        {1: ["T1", "T2", "T3"], 2: ["T4", "T5", "T6", "T8"], 3: ["T6", "T7", "T8", "T9"]}[d]
    )
    if choice == "T1":
        return "{} × ({} + {})", (r(2, 9), r(2, 15), r(2, 15)), lambda a, b, c: a * (b + c)
    if choice == "T2":
        return "({} + {}) × {}", (r(2, 15), r(2, 15), r(2, 9)), lambda a, b, c: (a + b) * c
    if choice == "T3":
        c = r(1, 20)
        b = c + r(1, 20)
        a = b - c + r(0, 30)
        return "{} − ({} − {})", (a, b, c), lambda a, b, c: a - (b - c)
    if choice == "T4":
        a, b, c = r(2, 12), r(2, 12), r(2, 9)
        return (
            "({} + {}) × {} − {}",
            (a, b, c, r(1, (a + b) * c - 1)),
            lambda a, b, c, d: (a + b) * c - d,
        )
    if choice == "T5":
        d_ = r(1, 9)
        return (
            "{} × [{} + ({} − {})]",
            (r(2, 9), r(1, 12), d_ + r(1, 12), d_),
            lambda a, b, c, d: a * (b + (c - d)),
        )
    if choice == "T6":
        div = r(2, 9)
        total = div * r(2, 6)
        a = r(1, total - 1)
        return (
            "[({} + {}) × {}] ÷ {}",
            (a, total - a, r(2, 9), div),
            lambda a, b, c, d: (a + b) * c // d,
        )
    if choice == "T7":
        e = r(2, 6)
        d_ = r(1, 9)
        return (
            "{{{} × [{} + ({} − {})]}} ÷ {}",
            (e * r(1, 5), r(1, 12), d_ + r(1, 12), d_, e),
            lambda a, b, c, d, e: a * (b + (c - d)) // e,
        )
    if choice == "T8":
        d_ = r(1, 9)
        return (
            "{} + {} × ({} − {})",
            (r(2, 30), r(2, 9), d_ + r(1, 9), d_),
            lambda a, b, c, d: a + b * (c - d),
        )
    d_ = r(1, 5)
    return (
        "2 × {{{} + [{} × ({} − {})]}}",
        (r(2, 20), r(2, 9), d_ + r(1, 6), d_),
        lambda a, b, c, d: 2 * (a + b * (c - d)),
    )


@register(
    "5.OA.A.1/grouping-symbols", title="Evaluate expressions with parentheses, brackets and braces"
)
def grouping_symbols(rng: random.Random, d: int) -> Draft:
    fmt, nums, fn = _grouping_template(rng, d)
    expression = fmt.format(*nums)
    value = fn(*nums)
    stem = f"Evaluate: {expression}"
    hints = [
        "Work from the innermost grouping symbols outward: ( ) first, then [ ], then { }.",
        "Inside each group, multiply and divide before you add and subtract.",
    ]
    steps = _grouping_steps(expression)
    if Fraction(steps[-1]) != value:  # pragma: no cover - guards the two evaluations agreeing
        raise ValueError(f"step evaluation disagrees for {expression}")
    solution = "Work from the innermost group outward:\n" + "\n= ".join(steps)
    params: dict[str, object] = {"expression": expression}
    # The typical slip: the grouping symbols skipped, the rest done in the usual order.
    skipped = _flat_fraction(re.sub(r"[()\[\]{}]", "", expression))
    misconceptions = [
        (
            skipped,
            "It looks like the brackets were skipped. Work out what is inside ( ) first, then "
            "[ ], then { }, before anything outside them.",
        )
    ]
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, misconceptions=misconceptions
    )


def _flat_fraction(text: str) -> Fraction:
    """A flat expression of whole numbers with × ÷ + − in the usual order, exactly."""
    tokens = text.split()
    terms: list[tuple[str, Fraction]] = [("+", Fraction(tokens[0]))]
    for op, operand in zip(tokens[1::2], tokens[2::2], strict=True):
        if op in "×÷":
            sign, left = terms.pop()
            terms.append((sign, left * int(operand) if op == "×" else left / int(operand)))
        else:
            terms.append((op, Fraction(operand)))
    return sum((v if sign == "+" else -v for sign, v in terms), Fraction(0))


_INNERMOST = re.compile(r"[(\[{]([^()\[\]{}]+)[)\]}]")


def _flat_value(text: str) -> int:
    """Evaluate a flat expression of whole numbers with × ÷ + − (no grouping symbols)."""
    tokens = text.split()
    # multiplication and division first, left to right
    stack: list[str] = [tokens[0]]
    for op, operand in zip(tokens[1::2], tokens[2::2], strict=True):
        if op in "×÷":
            left = int(stack.pop())
            stack.append(str(left * int(operand) if op == "×" else left // int(operand)))
        else:
            stack += [op, operand]
    total = int(stack[0])
    for op, operand in zip(stack[1::2], stack[2::2], strict=True):
        total = total + int(operand) if op == "+" else total - int(operand)
    return total


def _grouping_steps(expression: str) -> list[str]:
    steps = [expression]
    current = expression
    while m := _INNERMOST.search(current):
        current = current[: m.start()] + str(_flat_value(m.group(1))) + current[m.end() :]
        steps.append(current)
    if current.strip().lstrip("-").isdigit():
        return steps
    steps.append(str(_flat_value(current)))
    return steps


# ------------------------------------------------------------------ 5.NBT.A.2


def _decimal(rng: random.Random, lo: int, hi: int, places: int) -> Fraction:
    m = rng.randint(lo, hi)
    if m % 10 == 0:
        m += 1
    return Fraction(m, 10**places)


@register("5.NBT.A.2/powers-of-ten", title="Multiply and divide by powers of 10")
def powers_of_ten(rng: random.Random, d: int) -> Draft:
    k = rng.randint(1, 3)
    if d == 1:
        x, op = Fraction(rng.randint(2, 999)), "×"
    elif d == 2:
        x, op = _decimal(rng, 11, 9999, rng.randint(1, 3)), "×"
    else:
        x, op = (_decimal(rng, 11, 9999, rng.randint(0, 2)), "÷")
    power = f"10{sup(k)}" if k > 1 and rng.random() < 0.5 else num(10**k)
    value = x * 10**k if op == "×" else x / 10**k
    stem = f"What is {num(x)} {op} {power}?"
    direction = "right" if op == "×" else "left"
    hints = [
        f"10{sup(k)} = {num(10**k)}: {plural(k, 'factor')} of 10.",
        f"Each factor of 10 moves every digit one place to the {direction}.",
    ]
    solution = (
        f"{op} {num(10**k)} moves every digit {plural(k, 'place')} to the {direction}: "
        f"{num(x)} {op} {power} = {num(value)}."
    )
    params: dict[str, object] = {"x": dec(x), "op": op, "k": k}
    bigger = op == "×"
    wrong_way = x / 10**k if bigger else x * 10**k
    misconceptions = [
        (
            wrong_way,
            f"It looks like you went the wrong way. {'Multiplying' if bigger else 'Dividing'} "
            f"by {num(10**k)} makes a number {'bigger' if bigger else 'smaller'}, so the answer "
            f"should be {'bigger' if bigger else 'smaller'} than {num(x)}.",
        )
    ]
    count = f"{num(10**k)} has {plural(k, 'zero')}, so the digits move {plural(k, 'place')}."
    for off in (k - 1, k + 1):
        if off >= 0:
            misconceptions.append(
                (x * 10**off if bigger else x / 10**off, f"Count the places again: {count}")
            )
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=True,
        misconceptions=misconceptions,
    )


# ------------------------------------------------------------------ 5.NBT.A.3.b


@register("5.NBT.A.3.b/order-decimals", title="Compare decimals to thousandths")
def order_decimals(rng: random.Random, d: int) -> Draft:
    w = rng.randint(0, 2 * (d - 1))
    t = rng.randint(2, 8)
    a, b, c = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9)
    pool = [
        Fraction(10 * w + t, 10),  # 0.6
        Fraction(1000 * w + 100 * t + 10 * a + b, 1000),  # 0.6ab: longer and larger
        Fraction(1000 * w + 100 * (t - 1) + 90 + c, 1000),  # 0.59c: longer but smaller
        Fraction(1000 * w + 10 * t + a, 1000),  # 0.06a: same digits, wrong place
        Fraction(100 * w + 10 * (t + 1) + 0, 100),  # 0.7: shorter but larger
        Fraction(1000 * w + 100 * t + b, 1000),  # 0.60b
    ]
    values: list[Fraction] = []
    for v in rng.sample(pool, len(pool)):
        if v not in values:
            values.append(v)
    values = values[:4]
    ask = rng.choice(["greatest", "least"])
    target = max(values) if ask == "greatest" else min(values)
    shown = [dec(v) for v in values]
    stem = f"Which number is the {ask}?\n{', '.join(shown)}"
    hints = [
        "Line up the decimal points and compare place by place from the left.",
        "Write every number with three decimal places (add zeros) and compare them as thousandths.",
    ]
    padded = [f"{v:.3f}" for v in (float(x) for x in values)]
    solution = f"As thousandths: {', '.join(padded)}.\nThe {ask} is {dec(target)}."
    params: dict[str, object] = {"values": shown, "ask": ask}
    return single_choice(
        rng,
        stem,
        dec(target),
        [s for s in shown if s != dec(target)],
        hints=hints,
        solution=solution,
        params=params,
    )


# ------------------------------------------------------------------ 5.NBT.B.7


@register(
    "5.NBT.B.7/decimal-operations",
    title="Add, subtract, multiply and divide decimals to hundredths",
)
def decimal_operations(rng: random.Random, d: int) -> Draft:
    if d == 1:
        op = rng.choice(["+", "−"])
        x, y = _decimal(rng, 11, 99, 1), _decimal(rng, 11, 99, 1)
    elif d == 2:
        op = rng.choice(["+", "−", "×"])
        if op == "×":
            x, y = _decimal(rng, 11, 999, 2), Fraction(rng.randint(2, 9))
        else:
            x, y = _decimal(rng, 101, 999, 2), _decimal(rng, 11, 999, rng.randint(1, 2))
    else:
        op = rng.choice(["×", "÷"])
        if op == "×":
            x, y = _decimal(rng, 11, 99, 1), _decimal(rng, 2, 9, 1)
        else:
            y = Fraction(rng.randint(2, 9))
            x = y * _decimal(rng, 11, 99, rng.randint(1, 2))
            if rng.random() < 0.3:
                y = Fraction(1, rng.choice([10, 2]))  # ÷ 0.1 or ÷ 0.5
    if op == "−" and x < y:
        x, y = y, x
    value = {"+": x + y, "−": x - y, "×": x * y, "÷": x / y}[op]
    stem = f"What is {num(x)} {op} {num(y)}?"
    hints = {
        "+": [
            "Line up the decimal points.",
            "Add hundredths, tenths, ones … and regroup as with whole numbers.",
        ],
        "−": [
            "Line up the decimal points; write zeros to fill empty places.",
            "Subtract place by place, regrouping when needed.",
        ],
        "×": [
            "Multiply as if there were no decimal points.",
            "Then count the decimal places in both factors; the product has that many decimal "
            "places.",
        ],
        "÷": [
            "Think: what number times the divisor gives the dividend?",
            "Dividing by 0.1 is the same as multiplying by 10; dividing by 0.5 is the same as "
            "multiplying by 2.",
        ],
    }[op]
    solution = f"{num(x)} {op} {num(y)} = {num(value)}."
    if op == "×":
        places = len(dec(x).partition(".")[2]) + len(dec(y).partition(".")[2])
        sx, sy = dec(x).replace(".", "").lstrip("0"), dec(y).replace(".", "").lstrip("0")
        solution = (
            f"{sx} × {sy} = {int(sx) * int(sy)}. The factors have "
            f"{plural(places, 'decimal place')} "
            f"in all, so {num(x)} × {num(y)} = {num(value)}."
        )
    elif op == "÷":
        solution = f"{num(value)} × {num(y)} = {num(x)}, so {num(x)} ÷ {num(y)} = {num(value)}."
    params: dict[str, object] = {"x": dec(x), "op": op, "y": dec(y)}
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=True,
        misconceptions=_decimal_misconceptions(x, op, y),
    )


def _places(x: Fraction) -> int:
    return len(dec(x).partition(".")[2])


def _decimal_misconceptions(x: Fraction, op: str, y: Fraction) -> list[tuple[Fraction, str]]:
    px, py = _places(x), _places(y)
    if op in ("+", "−") and px != py:
        # The digits lined up on the right, as whole numbers are: 1.25 + 0.3 read as 125 + 3.
        ix, iy = int(x * 10**px), int(y * 10**py)
        right_aligned = Fraction(ix + iy if op == "+" else ix - iy, 10 ** max(px, py))
        return [
            (
                right_aligned,
                "It looks like the digits were lined up on the right, as with whole numbers. "
                "Line up the decimal points instead, so tenths go with tenths and hundredths "
                "with hundredths.",
            )
        ]
    if op == "×" and px and py:
        return [
            (
                x * y * 10 ** min(px, py),
                f"Check where the decimal point goes. {num(x)} has {plural(px, 'decimal place')} "
                f"and {num(y)} has {plural(py, 'decimal place')}, so the answer has "
                f"{px + py}.",
            )
        ]
    if op == "÷" and y < 1:
        return [
            (
                x * y,
                f"It looks like you multiplied by {num(y)}. Dividing by a number less than 1 "
                "makes the answer bigger: ask how many "
                f"{num(y)}s fit in {num(x)}.",
            )
        ]
    return []


# ------------------------------------------------------------------ 5.NF.A.1


@register(
    "5.NF.A.1/unlike-denominators", title="Add and subtract fractions with unlike denominators"
)
def unlike_denominators(rng: random.Random, d: int) -> Draft:
    while True:
        if d == 1:
            b = rng.choice([2, 3, 4, 5])
            e = b * rng.choice([2, 3])
        else:
            b, e = rng.sample([2, 3, 4, 5, 6, 8, 10, 12], 2)
        x, y = Fraction(rng.randint(1, b - 1), b), Fraction(rng.randint(1, e - 1), e)
        if d == 3:
            x += rng.randint(1, 4)
            y += rng.randint(0, 3)
        if x.denominator != y.denominator and x != y:
            break
    op = rng.choice(["+", "−"])
    if op == "−" and x < y:
        x, y = y, x
    value = x + y if op == "+" else x - y
    lcd = x.denominator * y.denominator // _gcd(x.denominator, y.denominator)
    stem = f"What is {mixed(x)} {op} {mixed(y)}?\nWrite your answer as a fraction or mixed number."
    hints = [
        "You can only add or subtract parts of the same size: find a common denominator.",
        f"Use {lcd} as the common denominator.",
    ]
    xs, ys = x * lcd, y * lcd
    solution = (
        f"{chain(mixed(x), f'{frac(xs)}/{lcd}')} and {chain(mixed(y), f'{frac(ys)}/{lcd}')}.\n"
        + chain(
            f"{frac(xs)}/{lcd} {op} {frac(ys)}/{lcd}",
            f"{frac(xs + ys if op == '+' else xs - ys)}/{lcd}",
            mixed(value),
        )
        + "."
    )
    params: dict[str, object] = {"x": frac(x), "op": op, "y": frac(y)}
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        misconceptions=_unlike_denominator_misconceptions(x, op, y, lcd),
    )


def _unlike_denominator_misconceptions(
    x: Fraction, op: str, y: Fraction, lcd: int
) -> list[tuple[Fraction, str]]:
    sign = 1 if op == "+" else -1
    word = "added" if op == "+" else "subtracted"
    found: list[tuple[Fraction, str]] = []
    if x < 1 and y < 1:
        # The student's "bottoms" come out as a difference of sizes, never negative.
        tops = abs(x.numerator + sign * y.numerator)
        bottoms = abs(x.denominator + sign * y.denominator)
        found.append(
            (
                Fraction(tops, bottoms),
                f"It looks like you {word} the bottoms too. The bottom number says how big the "
                "pieces are: first make the pieces the same size (a common denominator), then "
                f"{'add' if op == '+' else 'subtract'} only the tops.",
            )
        )
    found.append(
        (
            Fraction(x.numerator + sign * y.numerator, lcd),
            f"It looks like you changed the bottoms to {lcd} but kept the tops. Whatever you "
            "multiply the bottom by, multiply the top by the same number.",
        )
    )
    return found


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


# ------------------------------------------------------------------ 5.NF.B.4.a


@register(
    "5.NF.B.4.a/multiply-fractions", title="Multiply a fraction or whole number by a fraction"
)
def multiply_fractions(rng: random.Random, d: int) -> Draft:
    b = rng.randint(2, 9)
    x = Fraction(rng.randint(1, b - 1), b)
    if d == 1:
        y = Fraction(rng.randint(2, 12))
    else:
        e = rng.randint(2, 6 + 3 * d)
        y = Fraction(rng.randint(1, e - 1) if d == 2 else rng.randint(1, 2 * e), e)
        if y.denominator == 1:
            y += Fraction(1, e)
    value = x * y
    ys = frac(y)
    stem = (
        f"What is {frac(x)} × {ys}?\nWrite your answer as a fraction, mixed number or whole number."
    )
    hints = [
        f"{frac(x)} × {ys} means {x.numerator} parts of a partition of {ys} into {x.denominator} "
        "equal parts.",
        "Multiply the numerators, multiply the denominators, then simplify.",
    ]
    solution = (
        chain(
            f"{frac(x)} × {ys}",
            f"({x.numerator} × {y.numerator})/({x.denominator} × {y.denominator})",
            f"{x.numerator * y.numerator}/{x.denominator * y.denominator}",
            mixed(value),
        )
        + "."
    )
    params: dict[str, object] = {"x": frac(x), "y": ys}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 5.NF.B.7.c


@register(
    "5.NF.B.7.c/unit-fraction-division",
    title="Word problems dividing unit fractions and whole numbers",
)
def unit_fraction_division(rng: random.Random, d: int) -> Draft:
    form = rng.choice(["share", "servings"])
    b = rng.randint(2, {1: 4, 2: 6, 3: 10}[d])
    n = rng.randint(2, {1: 4, 2: 6, 3: 12}[d])
    name = rng.choice(NAMES)
    if form == "share":
        food, unit = rng.choice(
            [("chocolate", "pound"), ("pizza", "pan"), ("juice", "liter"), ("rope", "meter")]
        )
        value = Fraction(1, b * n)
        stem = (
            f"{name} and friends, {n} people in all, share 1/{b} {unit} of {food} equally. How "
            f"much of a {unit} does each person get?"
        )
        hints = [
            f"Divide 1/{b} into {n} equal parts.",
            f"1/{b} ÷ {n} = ?  Check: ? × {n} should equal 1/{b}.",
        ]
        solution = f"1/{b} ÷ {n} = 1/{b * n}, because 1/{b * n} × {n} = {n}/{b * n} = 1/{b}."
    else:
        food = rng.choice(["raisins", "rice", "flour", "oats", "yogurt"])
        value = Fraction(b * n)
        stem = f"{name} has {n} cups of {food}. How many 1/{b}-cup servings is that?"
        hints = [
            f"How many 1/{b}s are in one cup?",
            f"There are {b} servings in each cup, and there are {n} cups.",
        ]
        solution = f"{n} ÷ 1/{b} = {n} × {b} = {b * n}, because {b * n} × 1/{b} = {n}."
    params: dict[str, object] = {"form": form, "n": n, "b": b}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 5.MD.C.5.b


@register("5.MD.C.5.b/prism-volume", title="Volume of right rectangular prisms")
def prism_volume(rng: random.Random, d: int) -> Draft:
    hi = {1: 6, 2: 12, 3: 15}[d]
    l_, w, h = rng.randint(2, hi), rng.randint(2, hi), rng.randint(2, hi)
    thing = rng.choice(["box", "fish tank", "storage bin", "planter", "toy chest"])
    form = rng.choice({1: ["lwh"], 2: ["lwh", "Bh"], 3: ["Bh", "missing"]}[d])
    volume = l_ * w * h
    if form == "lwh":
        value = volume
        stem = (
            f"A {thing} shaped like a rectangular prism is {l_} cm long, {w} cm wide and {h} cm "
            "high. What is its volume in cubic centimeters?"
        )
        hints = [
            "Volume = length × width × height.",
            f"One layer holds {l_} × {w} unit cubes. How many layers are there?",
        ]
        solution = f"V = {l_} × {w} × {h} = {l_ * w} × {h} = {volume} cm³."
        params: dict[str, object] = {"form": form, "l": l_, "w": w, "h": h}
    elif form == "Bh":
        value = volume
        stem = (
            f"The base of a rectangular prism has an area of {l_ * w} square cm. The prism is "
            f"{h} cm high. What is its volume in cubic centimeters?"
        )
        hints = [
            "Each layer of unit cubes covers the base; the height tells how many layers.",
            f"Volume = area of base × height: V = {l_ * w} × {h}.",
        ]
        solution = f"V = B × h = {l_ * w} × {h} = {volume} cm³."
        params = {"form": form, "B": l_ * w, "h": h}
    else:
        value = h
        stem = (
            f"A {thing} shaped like a rectangular prism has a volume of {volume} cubic cm. It is "
            f"{l_} cm long and {w} cm wide. How high is it, in centimeters?"
        )
        hints = [
            "V = length × width × height.",
            f"Find the area of the base, {l_} × {w}, then divide the volume by it.",
        ]
        solution = f"Base: {l_} × {w} = {l_ * w} cm². Height: {volume} ÷ {l_ * w} = {h} cm."
        params = {"form": form, "V": volume, "l": l_, "w": w}
    unit = solution_unit(solution)
    return numeric(stem, value, hints=hints, solution=solution, params=params, unit=unit)


# ------------------------------------------------------------------ 5.MD.A.1

_CONVERSIONS = [
    ("km", "m", 1000),
    ("m", "cm", 100),
    ("cm", "mm", 10),
    ("kg", "g", 1000),
    ("L", "mL", 1000),
    ("ft", "in", 12),
    ("yd", "ft", 3),
    ("lb", "oz", 16),
    ("gal", "qt", 4),
    ("hr", "min", 60),
    ("min", "s", 60),
    ("day", "hr", 24),
]
_UNIT_NAMES = {
    "km": "kilometers",
    "m": "meters",
    "cm": "centimeters",
    "mm": "millimeters",
    "kg": "kilograms",
    "g": "grams",
    "L": "liters",
    "mL": "milliliters",
    "ft": "feet",
    "in": "inches",
    "yd": "yards",
    "lb": "pounds",
    "oz": "ounces",
    "gal": "gallons",
    "qt": "quarts",
    "hr": "hours",
    "min": "minutes",
    "s": "seconds",
    "day": "days",
}


@register("5.MD.A.1/convert-units", title="Convert among units within one measurement system")
def convert_units(rng: random.Random, d: int) -> Draft:
    big, small, factor = rng.choice(_CONVERSIONS)
    if d == 1:  # big -> small, whole numbers
        x = Fraction(rng.randint(2, 15))
        frm, to, value = big, small, x * factor
    elif d == 2:  # small -> big, whole result
        x = Fraction(factor * rng.randint(2, 12))
        frm, to, value = small, big, x / factor
    else:  # fractional/decimal amounts in either direction
        if factor == 3 or rng.random() < 0.5:  # k/3 only terminates for whole k
            x = Fraction(rng.randint(1, 39), 4 if factor % 4 == 0 else 2 if factor % 2 == 0 else 10)
            if x == 1:
                x = Fraction(3, 2)
            frm, to, value = big, small, x * factor
        else:
            wholes = [
                k
                for k in range(2, 4 * factor)
                if k % factor and is_terminating(Fraction(k, factor))
            ]
            x = Fraction(rng.choice(wholes))
            frm, to, value = small, big, x / factor
    stem = f"Convert {num(x)} {_UNIT_NAMES[frm]} to {_UNIT_NAMES[to]}.\n{num(x)} {frm} = ? {to}"
    if frm == big:
        hints = [
            f"1 {big} = {num(factor)} {small}. Are you going to a smaller unit or a larger one?",
            f"Multiply by {num(factor)}.",
        ]
        solution = (
            f"1 {big} = {num(factor)} {small}, so {num(x)} {big} = {num(x)} × {num(factor)} = "
            f"{num(value)} {small}."
        )
    else:
        hints = [
            f"1 {big} = {num(factor)} {small}. Will there be more or fewer {_UNIT_NAMES[big]}?",
            f"Divide by {num(factor)}.",
        ]
        solution = (
            f"1 {big} = {num(factor)} {small}, so {num(x)} {small} = {num(x)} ÷ {num(factor)} = "
            f"{num(value)} {big}."
        )
    params: dict[str, object] = {"x": dec(x), "from": frm, "to": to}
    unit = solution_unit(solution)
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, as_decimal=True, unit=unit
    )


# ------------------------------------------------------------------ 5.G.B.3 / 5.G.B.4

_PARENTS = {
    "square": ("rectangle", "rhombus"),
    "rectangle": ("parallelogram",),
    "rhombus": ("parallelogram",),
    "parallelogram": ("quadrilateral",),
    "trapezoid": ("quadrilateral",),
    "kite": ("quadrilateral",),
    "quadrilateral": (),
}
_QUAD_NAMES = ["quadrilateral", "parallelogram", "rectangle", "rhombus", "square"]
_NON_QUADS = ["triangle", "pentagon", "hexagon"]
_PROPERTIES = {
    "4 sides": "quadrilateral",
    "both pairs of opposite sides parallel": "parallelogram",
    "opposite sides of equal length": "parallelogram",
    "4 right angles": "rectangle",
    "4 sides of equal length": "rhombus",
}
_NON_PROPERTIES = [
    "exactly 3 angles",
    "exactly one pair of parallel sides",
    "no parallel sides",
    "5 vertices",
]


def _ancestors(shape: str) -> set[str]:
    out = {shape}
    for parent in _PARENTS.get(shape, ()):
        out |= _ancestors(parent)
    return out


@register(
    "5.G.B.4/classify-quadrilaterals",
    title="Classify two-dimensional figures in a hierarchy",
    codes=("5.G.B.3", "5.G.B.4"),
)
def classify_quadrilaterals(rng: random.Random, d: int) -> Draft:
    variant = rng.choice(
        {1: ["properties"], 2: ["names", "properties"], 3: ["names", "members"]}[d]
    )
    hints = [
        "Every square is a rectangle and a rhombus; every rectangle and every rhombus is a "
        "parallelogram.",
        "A figure has every property of every category it belongs to.",
    ]
    if variant == "names":
        shape = rng.choice(["square", "rectangle", "rhombus", "parallelogram"])
        anc = _ancestors(shape)
        options = [(n, n in anc) for n in _QUAD_NAMES] + [(rng.choice(_NON_QUADS), False)]
        stem = f"Select all the names that always describe a {shape}."
        solution = f"A {shape} is always: {', '.join(n for n in _QUAD_NAMES if n in anc)}."
        params: dict[str, object] = {"variant": variant, "shape": shape}
    elif variant == "members":
        category = rng.choice(["quadrilateral", "parallelogram", "rectangle", "rhombus"])
        subjects = ["square", "rectangle", "rhombus", "parallelogram", "trapezoid", "kite"]
        picked = [s for s in subjects if s != category]
        rng.shuffle(picked)
        picked = picked[:4]
        if not any(category in _ancestors(s) for s in picked):
            picked[0] = "square"
        options = [(s, category in _ancestors(s)) for s in picked] + [
            (rng.choice(_NON_QUADS), False)
        ]
        stem = f"Select all the shapes that are always {category}s."
        solution = "Always " + category + "s: " + ", ".join(s for s, ok in options if ok) + "."
        params = {"variant": variant, "category": category}
    else:
        shape = rng.choice(["square", "rectangle", "rhombus", "parallelogram"])
        anc = _ancestors(shape)
        props = list(_PROPERTIES.items())
        options = [(p, cat in anc) for p, cat in props]
        if all(ok for _, ok in options):
            options = options[:-1]
        options += [(p, False) for p in rng.sample(_NON_PROPERTIES, 1)]
        stem = f"Select all the properties that every {shape} has."
        solution = (
            f"A {shape} is a {', a '.join(n for n in _QUAD_NAMES if n in anc)}, so it has: "
            + "; ".join(p for p, ok in options if ok)
            + "."
        )
        params = {"variant": variant, "shape": shape}
    return multiple_choice(rng, stem, options, hints=hints, solution=solution, params=params)
