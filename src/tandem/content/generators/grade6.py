"""Grade 6 item generators."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from tandem.content.generators.base import (
    NAMES,
    Draft,
    dec,
    frac,
    mixed,
    money,
    multiple_choice,
    num,
    numeric,
    register,
    single_choice,
    solution_unit,
    sup,
)

# ------------------------------------------------------------------ 6.RP.A.1

_RATIO_CONTEXTS = [
    ("boys", "girls", "students", "a class"),
    ("red marbles", "blue marbles", "marbles", "a bag"),
    ("cats", "dogs", "pets", "an animal shelter"),
    ("apples", "oranges", "pieces of fruit", "a basket"),
    ("wins", "losses", "games", "a team's season"),
    ("tulips", "roses", "flowers", "a garden"),
    ("fiction books", "nonfiction books", "books", "a shelf"),
]


@register("6.RP.A.1/ratio-language", title="Use ratio language to describe a relationship")
def ratio_language(rng: random.Random, d: int) -> Draft:
    a_name, b_name, whole_name, place = rng.choice(_RATIO_CONTEXTS)
    hi = {1: 10, 2: 15, 3: 30}[d]
    p, q = rng.sample(range(2, hi + 1), 2)
    amounts = {"A": p, "B": q, "T": p + q}
    names = {"A": a_name, "B": b_name, "T": f"all {whole_name}"}
    asks = {1: [("A", "B"), ("B", "A")], 2: [("A", "B"), ("B", "A"), ("A", "T"), ("B", "T")]}
    ask = rng.choice(asks.get(d, [("A", "T"), ("B", "T"), ("T", "A"), ("T", "B"), ("B", "A")]))
    first, second = ask
    correct = f"{amounts[first]}:{amounts[second]}"
    target = Fraction(amounts[first], amounts[second])
    candidates = [(x, y) for x in "ABT" for y in "ABT" if x != y]
    rng.shuffle(candidates)
    distractors = [
        f"{amounts[x]}:{amounts[y]}"
        for x, y in [(second, first), *candidates]
        if Fraction(amounts[x], amounts[y]) != target
    ]
    stem = (
        f"In {place} there are {p} {a_name} and {q} {b_name}. What is the ratio of "
        f"{names[first]} to {names[second]}?"
    )
    hints = [
        "The order in a ratio matters: the first quantity named comes first.",
        f"Find how many {names[first]} there are and how many {names[second]} there are.",
    ]
    counted = {"A": f"{p} {a_name}", "B": f"{q} {b_name}", "T": f"{p + q} {whole_name} in all"}
    solution = f"There are {counted[first]} and {counted[second]}, so the ratio is {correct}."
    if "T" in ask:
        solution = f"Total {whole_name}: {p} + {q} = {p + q}. " + solution
    params: dict[str, object] = {"p": p, "q": q, "ask": list(ask)}
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 6.RP.A.3.b


@register(
    "6.RP.A.3.b/unit-rate", title="Unit rate problems, including unit pricing and constant speed"
)
def unit_rate(rng: random.Random, d: int) -> Draft:
    form = rng.choice(["lawns", "price", "speed"] if d > 1 else ["price", "speed"])
    if form == "lawns":
        hours, lawns = rng.choice([(7, 4), (3, 2), (5, 3), (4, 3), (2, 3), (6, 5), (5, 2), (3, 4)])
        k = rng.randint(2, 3 + d)
        value = Fraction(lawns * k)
        stem = (
            f"It took {hours} hours to mow {lawns} lawns. At that rate, how many lawns could be "
            f"mowed in {hours * k} hours?"
        )
        hints = [
            f"How many groups of {hours} hours are in {hours * k} hours?",
            f"Each {hours} hours, {lawns} lawns are mowed.",
        ]
        solution = (
            f"{hours * k} ÷ {hours} = {k} groups of {hours} hours. {k} × {lawns} = {lawns * k} "
            "lawns."
        )
        params: dict[str, object] = {
            "form": form,
            "hours": hours,
            "lawns": lawns,
            "new_hours": hours * k,
        }
    elif form == "price":
        item = rng.choice(["notebooks", "pens", "apples", "tickets", "muffins", "bus passes"])
        cents = rng.randint(4, 40) * 25 if d < 3 else rng.randint(50, 500)
        unit = Fraction(cents, 100)
        q = rng.randint(2, 8)
        new_q = rng.randint(2, 12)
        while new_q == q:
            new_q = rng.randint(2, 12)
        ask_unit = d == 1 or rng.random() < 0.3
        value = unit if ask_unit else unit * new_q
        question = (
            f"What is the price of one {item[:-1] if item != 'bus passes' else 'bus pass'}, in "
            "dollars?"
            if ask_unit
            else f"At the same price, how many dollars do {new_q} {item} cost?"
        )
        stem = f"{q} {item} cost {money(unit * q)}. {question}"
        hints = [
            "A unit rate tells the cost of one item.",
            f"Find the unit price: the cost of 1 item is {money(unit * q)} ÷ {q}.",
        ]
        if not ask_unit:
            hints.append(f"Multiply the unit price by {new_q}.")
        solution = f"Unit price: {money(unit * q)} ÷ {q} = {money(unit)}."
        if not ask_unit:
            solution += f" {new_q} × {money(unit)} = {money(value)}."
        params = {
            "form": form,
            "q": q,
            "cost": dec(unit * q),
            "new_q": new_q if not ask_unit else 1,
        }
    else:
        speed = rng.randint(3, 15) * 5
        t = rng.randint(2, 4 + d)
        new_t = rng.randint(2, 9)
        ask_speed = rng.random() < 0.5
        value = Fraction(speed) if ask_speed else Fraction(speed * new_t)
        question = (
            "What is its speed in miles per hour?"
            if ask_speed
            else f"At the same speed, how many miles does it travel in {new_t} hours?"
        )
        stem = f"A train travels {speed * t} miles in {t} hours at a constant speed. {question}"
        hints = [
            "Constant speed means the same distance every hour.",
            f"The speed is the distance for 1 hour: {speed * t} ÷ {t}.",
        ]
        if not ask_speed:
            hints.append(f"Multiply the speed by {new_t} hours.")
        solution = f"Speed: {speed * t} ÷ {t} = {speed} miles per hour."
        if not ask_speed:
            solution += f" Distance: {speed} × {new_t} = {speed * new_t} miles."
        params = {
            "form": form,
            "distance": speed * t,
            "hours": t,
            "new_hours": new_t if not ask_speed else 1,
        }
    return numeric(stem, value, hints=hints, solution=solution, params=params, as_decimal=True)


# ------------------------------------------------------------------ 6.RP.A.3.c


@register(
    "6.RP.A.3.c/percent", title="Percent of a quantity; find the whole from a part and a percent"
)
def percent(rng: random.Random, d: int) -> Draft:
    form = rng.choice({1: ["part"], 2: ["part", "whole"], 3: ["whole", "percent"]}[d])
    pcts = {
        1: [10, 25, 50, 20],
        2: [5, 10, 15, 20, 25, 30, 40, 60, 75, 80],
        3: [4, 12, 15, 35, 45, 65, 75, 120, 150],
    }[d]
    pct = rng.choice([p for p in pcts if p <= 100 or form == "percent"])
    whole = rng.randint(2, 20) * (100 // math.gcd(pct, 100))
    part = Fraction(pct * whole, 100)
    thing = rng.choice(["students", "seats", "pages", "tickets", "trees"])
    if form == "part":
        value = part
        stem = f"What is {pct}% of {num(whole)}?"
        hints = [
            f"{pct}% means {pct} per 100, or {pct}/100.",
            f"Multiply: {pct}/100 × {num(whole)}.",
        ]
        solution = f"{pct}% of {num(whole)} = {pct}/100 × {num(whole)} = {num(part)}."
    elif form == "whole":
        value = Fraction(whole)
        stem = (
            f"{num(part)} {thing} are {pct}% of all the {thing}. How many {thing} are there in all?"
        )
        hints = [
            f"{pct}% of the whole is {num(part)}. Find 1% first.",
            f"1% is {num(part)} ÷ {pct}; the whole is 100%.",
        ]
        solution = (
            f"1% = {num(part)} ÷ {pct} = {num(part / pct)}. 100% = {num(part / pct)} × 100 = "
            f"{num(whole)}."
        )
    else:
        value = Fraction(pct)
        stem = (
            f"What percent of {num(whole)} is {num(part)}?\nType just the number, without the % "
            "sign."
        )
        hints = [
            "Percent means “out of 100”.",
            f"Write {num(part)}/{num(whole)} as an equivalent fraction out of 100.",
        ]
        solution = (
            f"{num(part)}/{num(whole)} = {pct}/100, so {num(part)} is {pct}% of {num(whole)}."
        )
    params: dict[str, object] = {"form": form, "pct": pct, "whole": whole, "part": dec(part)}
    return numeric(stem, value, hints=hints, solution=solution, params=params, as_decimal=True)


# ------------------------------------------------------------------ 6.NS.A.1


@register("6.NS.A.1/divide-fractions", title="Divide fractions by fractions")
def divide_fractions(rng: random.Random, d: int) -> Draft:
    b, e = rng.randint(2, 9), rng.randint(2, 9)
    x = Fraction(rng.randint(1, 2 * b), b)
    y = Fraction(1, e) if d == 1 else Fraction(rng.randint(1, e - 1), e)
    value = x / y
    if d == 3:
        name = rng.choice(NAMES)
        form = rng.choice(["servings", "length"])
        if form == "servings":
            stem = (
                f"{name} has {mixed(x)} cups of yogurt. How many {frac(y)}-cup servings is "
                "that?\nWrite your answer as a fraction or mixed number."
            )
        else:
            stem = (
                f"A rectangular garden bed has an area of {mixed(x)} square meters and a width "
                f"of {frac(y)} m. How long is it, in meters?"
            )
    else:
        stem = (
            f"What is {frac(x)} ÷ {frac(y)}?\nWrite your answer as a fraction, mixed number or "
            "whole number."
        )
    hints = [
        f"Ask: how many {frac(y)}s are in {frac(x)}?",
        f"Dividing by {frac(y)} is the same as multiplying by its reciprocal, "
        f"{y.denominator}/{y.numerator}.",
    ]
    solution = (
        f"{frac(x)} ÷ {frac(y)} = {frac(x)} × {y.denominator}/{y.numerator} = "
        f"{x.numerator * y.denominator}/{x.denominator * y.numerator} = {mixed(value)}.\n"
        f"Check: {mixed(value)} × {frac(y)} = {frac(x)}."
    )
    params: dict[str, object] = {"x": frac(x), "y": frac(y)}
    misconceptions = [
        (
            x * y,
            f"It looks like you multiplied by {frac(y)}. To divide by {frac(y)}, multiply by "
            f"its reciprocal, {y.denominator}/{y.numerator} (flip the second fraction).",
        ),
        (
            y / x,
            f"It looks like you flipped the first fraction. Keep {frac(x)} as it is and flip "
            f"only the one you divide by: {frac(y)} becomes {y.denominator}/{y.numerator}.",
        ),
    ]
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, misconceptions=misconceptions
    )


# ------------------------------------------------------------------ 6.NS.B.4


@register("6.NS.B.4/gcf-lcm", title="Greatest common factor and least common multiple")
def gcf_lcm(rng: random.Random, d: int) -> Draft:
    which = rng.choice(["gcf", "lcm"])
    if which == "gcf":
        g = rng.randint(2, {1: 6, 2: 12, 3: 15}[d])
        while True:
            m, n = rng.sample(range(1, 100 // g + 1), 2)
            if math.gcd(m, n) == 1 and (d == 1 or max(m, n) > 2):
                break
        a, b = g * m, g * n
        value = g
        if d == 3:
            stem = (
                f"A teacher has {a} pencils and {b} erasers. She wants to make identical kits "
                "with no "
                f"supplies left over. What is the greatest number of kits she can make?"
            )
        else:
            stem = f"What is the greatest common factor of {a} and {b}?"
        hints = [
            f"List the factors of {min(a, b)} and check which also divide {max(a, b)}.",
            "Choose the largest factor they share.",
        ]
        solution = (
            f"{a} = {g} × {m} and {b} = {g} × {n}, and {m} and {n} share no factor other than 1, "
            f"so the GCF is {g}."
        )
    else:
        a, b = rng.sample(range(2, 13), 2)
        value = a * b // math.gcd(a, b)
        if d == 3:
            stem = (
                f"Hot dogs come in packs of {a} and buns come in packs of {b}. What is the "
                "smallest number of "
                f"hot dogs you can buy so that you have exactly the same number of buns?"
            )
        else:
            stem = f"What is the least common multiple of {a} and {b}?"
        hints = [
            f"List multiples of {max(a, b)}: {max(a, b)}, {2 * max(a, b)}, {3 * max(a, b)}, …",
            f"Find the first one that is also a multiple of {min(a, b)}.",
        ]
        solution = (
            f"Multiples of {max(a, b)}: "
            + ", ".join(str(max(a, b) * k) for k in range(1, value // max(a, b) + 1))
            + f". The first that is also a multiple of {min(a, b)} is {value}."
        )
    params: dict[str, object] = {"which": which, "a": a, "b": b}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 6.NS.C.7.a


@register("6.NS.C.7.a/order-rationals", title="Order rational numbers on the number line")
def order_rationals(rng: random.Random, d: int) -> Draft:
    step = {1: Fraction(1), 2: Fraction(1, 2), 3: Fraction(1, 4)}[d]
    c = Fraction(-rng.randint(1, 9)) - (step * rng.randint(0, 3) if d > 1 else 0)
    pool = {c + step * k for k in range(-12, 13) if k} | {-c, Fraction(0), c - 5, c + 5}
    pool.discard(c)
    direction = rng.choice(["greater", "less"])
    above = sorted(v for v in pool if v > c)
    below = sorted(v for v in pool if v < c)
    n_true = rng.randint(2, 4)
    yes, no = (above, below) if direction == "greater" else (below, above)
    values = rng.sample(yes, n_true) + rng.sample(no, 6 - n_true)
    show = mixed if d == 3 else dec
    phrase = rng.choice(
        ["greater than", "to the right of"]
        if direction == "greater"
        else ["less than", "to the left of"]
    )
    where = " on a number line" if phrase.startswith("to the") else ""
    stem = f"Select all the numbers that are {phrase} {show(c)}{where}."
    hints = [
        "On a number line, numbers increase from left to right.",
        "A negative number with a larger absolute value is farther left. For example, -7 < -3.",
    ]
    options = [(show(v), (v > c) if direction == "greater" else (v < c)) for v in values]
    ordered = ", ".join(show(v) for v in sorted([*values, c]))
    solution = (
        f"From least to greatest: {ordered}.\nThe numbers {phrase} {show(c)} are: "
        + ", ".join(t for t, ok in options if ok)
        + "."
    )
    params: dict[str, object] = {"c": frac(c), "direction": direction}
    return multiple_choice(rng, stem, options, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 6.EE.A.2.c

# (display, python expression, variables)
_EVAL_TEMPLATES = {
    1: [
        ("{a}x + {b}", "{a}*x + {b}", "x"),
        ("{a}x − {b}", "{a}*x - {b}", "x"),
        ("{b} + x ÷ {a}", "{b} + x / {a}", "x"),
        ("{a}(x + {b})", "{a}*(x + {b})", "x"),
    ],
    2: [
        ("x² + {b}", "x**2 + {b}", "x"),
        ("{a}x + y", "{a}*x + y", "xy"),
        ("{a}(x + y) − {b}", "{a}*(x + y) - {b}", "xy"),
        ("x² − {a}y", "x**2 - {a}*y", "xy"),
    ],
    3: [
        ("V = s³ (volume of a cube). Find V", "s**3", "s"),
        ("A = 6s² (surface area of a cube). Find A", "6*s**2", "s"),
        ("P = 2l + 2w (perimeter of a rectangle). Find P", "2*l + 2*w", "lw"),
        ("{a}x² − {b}y + xy", "{a}*x**2 - {b}*y + x*y", "xy"),
        ("(x + {b})² ÷ y", "(x + {b})**2 / y", "xy"),
    ],
}


@register("6.EE.A.2.c/evaluate", title="Evaluate expressions at specific values of their variables")
def evaluate_expression(rng: random.Random, d: int) -> Draft:
    display_t, py_t, variables = rng.choice(_EVAL_TEMPLATES[d])
    a, b = rng.randint(2, 9), rng.randint(1, 12)
    values = {v: rng.randint(1, 9 if d < 3 else 12) for v in variables}
    if "x / {a}" in py_t:
        values["x"] = a * rng.randint(1, 9)
    if "/ y" in py_t:
        root = values["x"] + b
        divisors = [k for k in range(1, 13) if root * root % k == 0]
        values["y"] = rng.choice(divisors)
    display = display_t.format(a=a, b=b)
    expr = py_t.format(a=a, b=b)
    value = _evaluate(expr, values)
    if display.startswith(("V =", "A =", "P =")):
        formula, _, _ = display.partition(". Find")
        target = display[0]
        given = " and ".join(f"{v} = {values[v]}" for v in variables)
        stem = f"Use the formula {formula}. Find {target} when {given}."
    else:
        given = " and ".join(f"{v} = {values[v]}" for v in variables)
        stem = f"Evaluate {display} when {given}."
    rhs = display.partition(". Find")[0]
    if " = " in rhs:
        rhs = rhs.split(" = ", 1)[1].split(" (", 1)[0]
    substituted = "".join(f"({values[ch]})" if ch in values else ch for ch in rhs)
    hints = [
        "Replace each letter with its value, using parentheses: 3x means 3 × x.",
        "Then follow the order of operations: parentheses, exponents, multiply and divide, add "
        "and subtract.",
    ]
    solution = (
        f"Substitute {', '.join(f'{v} = {values[v]}' for v in variables)}:\n"
        f"{rhs} = {substituted}\nUse the order of operations: {substituted} = {frac(value)}."
    )
    params: dict[str, object] = {"expr": expr, "values": values}
    misconceptions: list[tuple[Fraction, str]] = []
    if "**" in expr:
        misconceptions.append(
            (
                _evaluate(expr.replace("**", "*"), values),
                "It looks like you multiplied by the small raised number. x² means x × x, "
                "and x³ means x × x × x.",
            )
        )
    try:
        in_a_row = _evaluate(expr, values, left_to_right=True)
    except ZeroDivisionError:  # pragma: no cover - the templates divide by nonzero values
        pass
    else:
        misconceptions.append(
            (
                in_a_row,
                "It looks like you worked from left to right. Multiply and divide before you "
                "add and subtract (unless parentheses say otherwise).",
            )
        )
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, misconceptions=misconceptions
    )


def _evaluate(expr: str, values: dict[str, int], *, left_to_right: bool = False) -> Fraction:
    """Evaluate the template expressions above with exact fractions (no eval).

    ``left_to_right``: the typical slip, every operation outside parentheses (and powers) taken
    in the order written, as a student who forgets the order of operations does."""
    tokens = expr.replace("**", "^").replace("(", " ( ").replace(")", " ) ")
    for op in "+-*/^":
        tokens = tokens.replace(op, f" {op} ")
    stream = tokens.split()
    pos = 0

    def peek() -> str | None:
        return stream[pos] if pos < len(stream) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return stream[pos - 1]

    def atom() -> Fraction:
        tok = take()
        if tok == "(":
            v = group()
            take()
            return v
        if tok == "-":
            return -atom()
        return Fraction(values[tok]) if tok in values else Fraction(tok)

    def power() -> Fraction:
        base = atom()
        if peek() == "^":
            take()
            exp = power()
            return base ** int(exp)
        return base

    def mul() -> Fraction:
        v = power()
        while peek() in ("*", "/"):
            v = v * power() if take() == "*" else v / power()
        return v

    def add() -> Fraction:
        v = mul()
        while peek() in ("+", "-"):
            v = v + mul() if take() == "+" else v - mul()
        return v

    def in_order() -> Fraction:
        v = power()
        while peek() in ("+", "-", "*", "/"):
            op = take()
            right = power()
            if op == "+":
                v += right
            elif op == "-":
                v -= right
            else:
                v = v * right if op == "*" else v / right
        return v

    def group() -> Fraction:
        return in_order() if left_to_right else add()

    return group()


# ------------------------------------------------------------------ 6.EE.A.3 / 6.EE.A.4


@register(
    "6.EE.A.4/equivalent-expressions",
    title="Identify equivalent expressions",
    codes=("6.EE.A.3", "6.EE.A.4"),
)
def equivalent_expressions(rng: random.Random, d: int) -> Draft:
    v = rng.choice("xynm")
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    while a == b:
        b = rng.randint(2, 9)
    base_kind = rng.choice(
        {
            1: ["repeat", "distribute"],
            2: ["distribute", "combine"],
            3: ["combine", "distribute-minus"],
        }[d]
    )
    # option text -> (python form, equivalent?)
    if base_kind == "repeat":
        base, base_py = " + ".join([v] * a), f"{a}*{v}"
        forms = [
            (f"{a}{v}", f"{a}*{v}", True),
            (f"{v} × {a}", f"{v}*{a}", True),
            (f"{v}{sup(a)}", f"{v}**{a}", False),
            (f"{v} + {a}", f"{v} + {a}", False),
            (f"{a + 1}{v}", f"{a + 1}*{v}", False),
        ]
    elif base_kind == "distribute":
        base, base_py = f"{a}({v} + {b})", f"{a}*({v} + {b})"
        forms = [
            (f"{a}{v} + {a * b}", f"{a}*{v} + {a * b}", True),
            (f"{a * b} + {a}{v}", f"{a * b} + {a}*{v}", True),
            (f"{a}({b} + {v})", f"{a}*({b} + {v})", True),
            (f"{a}{v} + {b}", f"{a}*{v} + {b}", False),
            (f"{v} + {a * b}", f"{v} + {a * b}", False),
            (f"{a + b}{v}", f"{a + b}*{v}", False),
        ]
    elif base_kind == "combine":
        base, base_py = f"{a}{v} + {b}{v}", f"{a}*{v} + {b}*{v}"
        forms = [
            (f"{a + b}{v}", f"{a + b}*{v}", True),
            (f"{v}({a} + {b})", f"{v}*({a} + {b})", True),
            (f"{b}{v} + {a}{v}", f"{b}*{v} + {a}*{v}", True),
            (f"{a * b}{v}", f"{a * b}*{v}", False),
            (f"{a + b}{v}²", f"{a + b}*{v}**2", False),
            (f"{a}{v} + {b}", f"{a}*{v} + {b}", False),
        ]
    else:
        b = max(b, 3)
        c = rng.randint(1, b - 1)
        base, base_py = f"{a}({v} + {b}) − {c}", f"{a}*({v} + {b}) - {c}"
        forms = [
            (f"{a}{v} + {a * b - c}", f"{a}*{v} + {a * b - c}", True),
            (f"{a}{v} + {a * b} − {c}", f"{a}*{v} + {a * b} - {c}", True),
            (f"{a}{v} + {b - c}", f"{a}*{v} + {b - c}", False),
            (f"{a}{v} + {a * b + c}", f"{a}*{v} + {a * b + c}", False),
            (f"{a}({v} + {b - c})", f"{a}*({v} + {b - c})", False),
        ]
    picked = rng.sample(forms, min(5, len(forms)))
    if not any(ok for _, _, ok in picked):
        picked[0] = next(f for f in forms if f[2])
    if all(ok for _, _, ok in picked):
        picked[0] = next(f for f in forms if not f[2])
    stem = f"Select all the expressions that are equivalent to {base}."
    hints = [
        "Equivalent expressions have the same value for every value of the variable.",
        f"Use the distributive property and combine like terms, or test a value such as {v} = 3 "
        "in each expression.",
    ]
    good = [t for t, _, ok in picked if ok]
    solution = (
        f"{base} can be rewritten as {' or '.join(good)}. "
        f"Each of the other expressions gives a different value from {base} for some value of {v}."
    )
    params: dict[str, object] = {
        "variable": v,
        "base": base_py,
        "forms": {t: py for t, py, _ in picked},
    }
    return multiple_choice(
        rng, stem, [(t, ok) for t, _, ok in picked], hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 6.EE.B.7


@register("6.EE.B.7/one-step-equations", title="Solve x + p = q and px = q")
def one_step_equations(rng: random.Random, d: int) -> Draft:
    v = rng.choice("xnymk")
    form = rng.choice(["add", "mul"])
    if d == 1:
        sol = Fraction(rng.randint(0 if form == "add" else 1, 20))
        p = Fraction(rng.randint(2, 12 if form == "mul" else 30))
        show = num
    elif d == 2:
        sol = Fraction(rng.randint(1, 99), rng.choice([10, 100]))
        p = Fraction(rng.randint(11, 99), 10) if form == "add" else Fraction(rng.randint(2, 9))
        show = num
    else:
        sol = Fraction(rng.choice([k for k in range(1, 12) if k % 2]), rng.choice([2, 4, 8]))
        p = Fraction(rng.choice([1, 2, 4, 5, 7]), rng.choice([3, 6, 9]))
        if form == "add":
            sol, p = (
                Fraction(rng.randint(1, 11), rng.choice([3, 6])),
                Fraction(rng.randint(1, 7), 4),
            )
            if sol.denominator == 1:
                sol += Fraction(1, 3)
        show = frac
    q = sol + p if form == "add" else sol * p
    if form == "add":
        equation = f"{v} + {show(p)} = {show(q)}"
        hints = [
            f"What number plus {show(p)} gives {show(q)}?",
            f"Subtract {show(p)} from both sides.",
        ]
        solution = (
            f"{v} = {show(q)} − {show(p)} = {show(sol)}. Check: {show(sol)} + {show(p)} = "
            f"{show(q)}."
        )
    else:
        coef = show(p) if p.denominator == 1 else f"({show(p)})"
        equation = f"{coef}{v} = {show(q)}"
        hints = [f"{coef}{v} means {show(p)} × {v}.", f"Divide both sides by {show(p)}."]
        solution = (
            f"{v} = {show(q)} ÷ {show(p)} = {show(sol)}. Check: {show(p)} × {show(sol)} = "
            f"{show(q)}."
        )
    stem = f"Solve for {v}:\n{equation}"
    params: dict[str, object] = {"form": form, "p": frac(p), "q": frac(q)}
    return numeric(stem, sol, hints=hints, solution=solution, params=params, as_decimal=d == 2)


# ------------------------------------------------------------------ 6.G.A.1


@register(
    "6.G.A.1/polygon-area", title="Area of triangles, special quadrilaterals and composite shapes"
)
def polygon_area(rng: random.Random, d: int) -> Draft:
    shape = rng.choice(
        {
            1: ["right triangle", "parallelogram"],
            2: ["triangle", "trapezoid"],
            3: ["trapezoid", "house"],
        }[d]
    )
    r = rng.randint
    if shape == "right triangle":
        legs = [r(2, 15), r(2, 15)]
        dims: dict[str, int] = {"leg1": legs[0], "leg2": legs[1]}
        value = Fraction(legs[0] * legs[1], 2)
        stem = (
            f"A right triangle has legs of {legs[0]} cm and {legs[1]} cm. What is its area in "
            "square centimeters?"
        )
        hints = ["A right triangle is half of a rectangle.", "A = 1/2 × leg × leg."]
        solution = f"A = 1/2 × {legs[0]} × {legs[1]} = {num(value)} cm²."
    elif shape == "parallelogram":
        dims = {"base": r(3, 20), "height": r(2, 15)}
        value = Fraction(dims["base"] * dims["height"])
        stem = (
            f"A parallelogram has a base of {dims['base']} m and a height of {dims['height']} m. "
            "What is its area in square meters?"
        )
        hints = [
            "Cut off a triangle from one side and move it to the other: you get a rectangle.",
            "A = base × height.",
        ]
        solution = f"A = {dims['base']} × {dims['height']} = {num(value)} m²."
    elif shape == "triangle":
        dims = {"base": r(3, 24), "height": r(2, 18)}
        value = Fraction(dims["base"] * dims["height"], 2)
        stem = (
            f"A triangle has a base of {dims['base']} in and a height of {dims['height']} in. "
            "What is its area in square inches?"
        )
        hints = ["Two copies of the triangle make a parallelogram.", "A = 1/2 × base × height."]
        solution = f"A = 1/2 × {dims['base']} × {dims['height']} = {num(value)} in²."
    elif shape == "trapezoid":
        b1, b2 = rng.sample(range(3, 21), 2)
        dims = {"base1": b1, "base2": b2, "height": r(2, 12)}
        value = Fraction((b1 + b2) * dims["height"], 2)
        stem = (
            f"A trapezoid has parallel sides of {b1} ft and {b2} ft, and a height of "
            f"{dims['height']} ft. What is its area in square feet?"
        )
        hints = [
            "Split the trapezoid into two triangles, or put two copies together to make a "
            "parallelogram.",
            "A = 1/2 × (base1 + base2) × height.",
        ]
        solution = (
            f"A = 1/2 × ({b1} + {b2}) × {dims['height']} = 1/2 × {b1 + b2} × {dims['height']} = "
            f"{num(value)} ft²."
        )
    else:
        w, h, roof = r(4, 16), r(3, 12), r(2, 8)
        dims = {"width": w, "wall": h, "roof": roof}
        value = Fraction(w * h) + Fraction(w * roof, 2)
        stem = (
            f"A house-shaped figure is a rectangle {w} m wide and {h} m tall with a triangle on "
            "top. "
            f"The triangle's base is the top of the rectangle and its height is {roof} m. What "
            "is the total area in square meters?"
        )
        hints = [
            "Split the figure into a rectangle and a triangle.",
            "Add the rectangle's area (w × h) and the triangle's area (1/2 × b × h).",
        ]
        solution = (
            f"Rectangle: {w} × {h} = {w * h} m². Triangle: 1/2 × {w} × {roof} = "
            f"{num(Fraction(w * roof, 2))} m². Total: {num(value)} m²."
        )
    params: dict[str, object] = {"shape": shape, **dims}
    unit = solution_unit(solution)
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, as_decimal=True, unit=unit
    )


# ------------------------------------------------------------------ 6.SP.B.5.c


def _median(xs: list[int]) -> Fraction:
    s = sorted(xs)
    n = len(s)
    return Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)


@register("6.SP.B.5.c/center-spread", title="Measures of center and variability")
def center_spread(rng: random.Random, d: int) -> Draft:
    measure = rng.choice(
        {1: ["mean", "median"], 2: ["median", "mean", "iqr"], 3: ["iqr", "mad"]}[d]
    )
    n = {
        "mean": rng.randint(4, 7),
        "median": rng.randint(5, 9),
        "iqr": rng.choice([7, 8, 9, 10, 11]),
        "mad": rng.choice([4, 5, 8]),
    }[measure]
    context, _unit = rng.choice(
        [
            ("points scored in basketball games", "points"),
            ("minutes spent reading each day", "minutes"),
            ("heights of plants in cm", "cm"),
            ("test scores", "points"),
            ("daily high temperatures in °F", "°F"),
        ]
    )
    lo, hi = (60, 100) if "score" in context or "°F" in context else (2, 40)
    data = [rng.randint(lo, hi) for _ in range(n)]
    if measure in ("mean", "mad"):
        extra = -sum(data) % n
        data[-1] += extra if data[-1] + extra <= hi + n else extra - n
    rng.shuffle(data)
    s = sorted(data)
    listing = ", ".join(map(str, data))
    if measure == "mean":
        value = Fraction(sum(data), n)
        hints = [
            "The mean shares the total equally among all the values.",
            f"Add all {n} values, then divide the sum by {n}.",
        ]
        solution = (
            f"Sum: {' + '.join(map(str, data))} = {sum(data)}. Mean: {sum(data)} ÷ {n} = "
            f"{num(value)}."
        )
    elif measure == "median":
        value = _median(data)
        hints = [
            "Order the values from least to greatest.",
            "The median is the middle value (or the mean of the two middle values).",
        ]
        solution = f"Ordered: {', '.join(map(str, s))}. Median: {num(value)}."
    elif measure == "iqr":
        half = n // 2
        lower, upper = s[:half], s[n - half :]
        q1, q3 = _median(lower), _median(upper)
        value = q3 - q1
        hints = [
            "Order the data and split it into a lower half and an upper half (leave out the "
            "median if there is an odd number of values).",
            "Q1 is the median of the lower half, Q3 the median of the upper half; IQR = Q3 − Q1.",
        ]
        solution = (
            f"Ordered: {', '.join(map(str, s))}.\nLower half: {', '.join(map(str, lower))} → Q1 "
            f"= {num(q1)}.\n"
            f"Upper half: {', '.join(map(str, upper))} → Q3 = {num(q3)}.\nIQR = {num(q3)} − "
            f"{num(q1)} = {num(value)}."
        )
    else:
        mean = Fraction(sum(data), n)
        devs = [abs(x - mean) for x in data]
        value = sum(devs, Fraction(0)) / n
        hints = [
            f"First find the mean: {sum(data)} ÷ {n}.",
            "Find how far each value is from the mean, then find the mean of those distances.",
        ]
        solution = (
            f"Mean: {sum(data)} ÷ {n} = {num(mean)}.\nDistances from the mean: "
            f"{', '.join(num(x) for x in devs)}.\n"
            f"MAD = {num(sum(devs, Fraction(0)))} ÷ {n} = {num(value)}."
        )
    name = {
        "mean": "mean",
        "median": "median",
        "iqr": "interquartile range (IQR)",
        "mad": "mean absolute deviation (MAD)",
    }[measure]
    stem = f"Here are {n} {context}:\n{listing}\nWhat is the {name}?"
    params: dict[str, object] = {"measure": measure, "data": data}
    return numeric(stem, value, hints=hints, solution=solution, params=params, as_decimal=True)
