"""Grade 7 item generators."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from tandem.content.generators.base import (
    NAMES,
    Draft,
    chain,
    choose_nonzero,
    dec,
    frac,
    is_terminating,
    linear,
    mixed,
    money,
    num,
    numeric,
    paren,
    register,
    signed,
    single_choice,
    solution_unit,
)


def _show(x: Fraction, style: str) -> str:
    """Display a rational as an integer, decimal or fraction."""
    if style == "frac" and x.denominator != 1:
        return frac(x)
    return dec(x) if is_terminating(x) else frac(x)


def _wrap(text: str) -> str:
    """Parenthesise negatives and fractions inside a product or quotient."""
    return f"({text})" if text.startswith("-") or "/" in text else text


# ------------------------------------------------------------------ 7.NS.A.1


def _signed_misconceptions(
    x: Fraction, op: str, y: Fraction, value: Fraction, style: str, xs: str, ys: str
) -> list[tuple[Fraction, str]]:
    """Typical wrong answers to x op y with signed numbers (both generators below), with a tip
    for each: subtracting a negative, adding sizes across signs, and the right size with the
    wrong sign. ``xs`` and ``ys``: the numbers as the stem shows them."""
    misconceptions: list[tuple[Fraction, str]] = []
    if op == "−" and y < 0:
        misconceptions.append(
            (
                x + y,
                f"It looks like you subtracted {_show(abs(y), style)}. Taking away a negative "
                f"number is the same as adding its opposite: {xs} − {paren(ys)} = {xs} + "
                f"{_show(-y, style)}.",
            )
        )
    if op == "+" and (x < 0) != (y < 0):
        bigger = x if abs(x) >= abs(y) else y
        misconceptions.append(
            (
                (abs(x) + abs(y)) * (1 if bigger > 0 else -1),
                "It looks like you added the sizes. When the signs are different, subtract the "
                "sizes (the absolute values) and keep the sign of the one further from zero.",
            )
        )
    misconceptions.append(
        (
            -value,
            "The size is right, but check the sign. Picture the number line: which way from "
            "zero does the answer land?",
        )
    )
    return misconceptions


@register(
    "7.NS.A.1.b/add-subtract-rationals",
    title="Add and subtract rational numbers",
    codes=("7.NS.A.1.b", "7.NS.A.1.c"),
)
def add_subtract_rationals(rng: random.Random, d: int) -> Draft:
    if d == 1:
        x, y, style = (
            Fraction(choose_nonzero(rng, -20, 20)),
            Fraction(choose_nonzero(rng, -20, 20)),
            "dec",
        )
    elif d == 2:
        x, y, style = (
            Fraction(choose_nonzero(rng, -99, 99), 10),
            Fraction(choose_nonzero(rng, -99, 99), 10),
            "dec",
        )
    else:
        x = Fraction(choose_nonzero(rng, -11, 11), rng.choice([2, 3, 4, 6]))
        y = Fraction(choose_nonzero(rng, -11, 11), rng.choice([2, 3, 4, 5, 8]))
        style = "frac"
    if x > 0 and y > 0:
        y = -y
    op = rng.choice(["+", "−"])
    value = x + y if op == "+" else x - y
    xs, ys = _show(x, style), _show(y, style)
    stem = f"What is {xs} {op} {paren(ys)}?"
    if op == "+":
        hints = [
            f"Start at {xs} on the number line and move {_show(abs(y), style)} to the "
            f"{'right' if y > 0 else 'left'}.",
            "With different signs, subtract the absolute values and keep the sign of the number "
            "with the larger absolute value.",
        ]
        solution = f"{xs} + {paren(ys)} = {_show(value, style)}."
    else:
        hints = [
            "Subtracting a number is the same as adding its opposite.",
            f"Rewrite as {xs} + {paren(_show(-y, style))}.",
        ]
        solution = (
            chain(f"{xs} − {paren(ys)}", f"{xs} + {paren(_show(-y, style))}", _show(value, style))
            + "."
        )
    params: dict[str, object] = {"x": frac(x), "op": op, "y": frac(y)}
    misconceptions = _signed_misconceptions(x, op, y, value, style, xs, ys)
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=style == "dec",
        misconceptions=misconceptions,
    )


# ------------------------------------------------------------------ 7.NS.A.2


@register(
    "7.NS.A.2.a/multiply-divide-rationals",
    title="Multiply and divide rational numbers",
    codes=("7.NS.A.2.a", "7.NS.A.2.b"),
)
def multiply_divide_rationals(rng: random.Random, d: int) -> Draft:
    op = rng.choice(["×", "÷"])
    if d == 1:
        a, b = Fraction(signed(rng, 2, 12)), Fraction(signed(rng, 2, 12))
        style = "dec"
    elif d == 2:
        a, b = Fraction(signed(rng, 1, 99), 10), Fraction(signed(rng, 2, 9))
        style = "dec"
    else:
        den_a, den_b = rng.randint(2, 9), rng.randint(2, 9)
        a = Fraction(signed(rng, 1, 9) * den_a + rng.randint(1, den_a - 1), den_a) / rng.randint(
            1, 3
        )
        b = Fraction(
            rng.choice([k for k in range(1, 10) if k % den_b]) * rng.choice((1, -1)), den_b
        )
        style = "frac"
    if a > 0 and b > 0:
        (a, b) = (-a, b) if rng.random() < 0.5 else (-a, -b)
    if op == "÷":
        x, y = a * b, b  # make the quotient come out as a
        value = a
    else:
        x, y = a, b
        value = a * b
    xs, ys = _show(x, style), _show(y, style)
    xs, ys = _wrap(xs), _wrap(ys)
    stem = f"What is {xs} {op} {ys}?"
    same = (x < 0) == (y < 0)
    sign_rule = (
        "same signs, so the result is positive"
        if same
        else "different signs, so the result is negative"
    )
    hints = [
        "First decide the sign: same signs give a positive result, different signs give a "
        "negative result.",
        "Then multiply or divide the absolute values."
        + (
            " Dividing by a fraction means multiplying by its reciprocal."
            if style == "frac"
            else ""
        ),
    ]
    solution = f"The numbers have {sign_rule}.\n{xs} {op} {ys} = {_show(value, style)}."
    params: dict[str, object] = {"x": frac(x), "op": op, "y": frac(y)}
    misconceptions = _signed_misconceptions(x, op, y, value, style, xs, ys)
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=style == "dec",
        misconceptions=misconceptions,
    )


# ------------------------------------------------------------------ 7.NS.A.2.d


def decimal_digits(value: Fraction) -> tuple[int, str, str]:
    """(whole part, non-repeating decimal digits, repeating block) of a positive rational."""
    whole, r = divmod(value.numerator, value.denominator)
    digits: list[str] = []
    seen: dict[int, int] = {}
    while r and r not in seen:
        seen[r] = len(digits)
        r *= 10
        digits.append(str(r // value.denominator))
        r %= value.denominator
    if not r:
        return whole, "".join(digits), ""
    start = seen[r]
    return whole, "".join(digits[:start]), "".join(digits[start:])


def decimal_display(value: Fraction) -> str:
    """0.375, or 0.416666… with the repeating block written out until at least 6 places."""
    whole, fixed, block = decimal_digits(value)
    if not block:
        return f"{whole}.{fixed}" if fixed else str(whole)
    shown = fixed + block
    while len(shown) < max(6, len(fixed) + 2 * len(block)):
        shown += block
    return f"{whole}.{shown}…"


@register(
    "7.NS.A.2.d/fraction-to-decimal",
    title="Convert a fraction to a decimal (terminating or repeating)",
)
def fraction_to_decimal(rng: random.Random, d: int) -> Draft:
    den = rng.choice({1: [4, 5, 8, 20, 25], 2: [3, 6, 9, 11, 12], 3: [7, 12, 15, 16, 22, 40]}[d])
    n = rng.choice([k for k in range(1, den) if math.gcd(k, den) == 1])
    value = Fraction(n, den)
    correct = decimal_display(value)
    whole, fixed, block = decimal_digits(value)
    distractors = [
        decimal_display(1 / value),  # divided the wrong way round
        f"0.{n}{den}",  # wrote the digits next to each other
        f"{n}.{den}",
        decimal_display(value / 10),
        f"{whole}.{(fixed + block)[:2]}" if block else decimal_display(value * 10),
        f"{whole}.{(fixed + block + block)[:3]}",
    ]
    stem = f"Which decimal is equal to {n}/{den}?"
    hints = [
        f"{n}/{den} means {n} ÷ {den}.",
        f"Use long division: {n}.000… ÷ {den}. Watch whether the remainders start repeating.",
    ]
    kind = "terminates" if not block else f"repeats the block “{block}” forever"
    solution = f"Long division {n} ÷ {den} gives {correct}: the decimal {kind}."
    params: dict[str, object] = {"n": n, "d": den}
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 7.RP.A.1


@register("7.RP.A.1/unit-rate-fractions", title="Unit rates with ratios of fractions")
def unit_rate_fractions(rng: random.Random, d: int) -> Draft:
    name = rng.choice(NAMES)
    a = Fraction(rng.randint(1, 3 * d), rng.choice([2, 3, 4]))
    b_den = rng.choice([2, 3, 4, 5, 6])
    b = Fraction(rng.randint(1, b_den - 1) if d > 1 else 1, b_den)
    form = rng.choice(["walk", "paint", "fill"])
    value = a / b
    if form == "walk":
        stem = (
            f"{name} walks {mixed(a)} {'mile' if a <= 1 else 'miles'} in {frac(b)} hour. At this "
            f"rate, how many miles does {name} walk per hour?"
        )
        unit = "miles per hour"
    elif form == "paint":
        stem = (
            f"{name} paints {mixed(a)} square meters of fence in {frac(b)} hour. At this rate, "
            f"how many square meters does {name} paint per hour?"
        )
        unit = "square meters per hour"
    else:
        stem = (
            f"A hose pours {mixed(a)} gallons of water in {frac(b)} minute. At this rate, how "
            "many gallons does it pour per minute?"
        )
        unit = "gallons per minute"
    stem += "\nWrite your answer as a whole number, fraction or mixed number."
    hints = [
        "A unit rate is the amount for 1 unit of time.",
        f"Divide: {mixed(a)} ÷ {frac(b)}.",
    ]
    solution = (
        chain(f"{mixed(a)} ÷ {frac(b)}", f"{frac(a)} × {b.denominator}/{b.numerator}", mixed(value))
        + f" {unit}."
    )
    params: dict[str, object] = {"a": frac(a), "b": frac(b), "form": form}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 7.RP.A.2.b


@register(
    "7.RP.A.2.b/constant-of-proportionality", title="Identify the constant of proportionality"
)
def constant_of_proportionality(rng: random.Random, d: int) -> Draft:
    if d == 1:
        k = Fraction(rng.randint(2, 12))
        step = 1
    elif d == 2:
        k = Fraction(rng.choice([5, 15, 25, 35, 45, 75, 125, 225, 32, 48]), rng.choice([10, 100]))
        step = 1
    else:
        k = Fraction(rng.randint(1, 9), rng.choice([2, 3, 4, 5]))
        if k.denominator == 1:
            k += Fraction(1, 2)
        step = k.denominator
    xs = sorted(rng.sample(range(1, 9), 4))
    xs = [x * step for x in xs]
    ys = [k * x for x in xs]
    context = rng.choice(
        [
            ("pounds of apples, x", "cost in dollars, y"),
            ("hours worked, x", "pay in dollars, y"),
            ("cups of flour, x", "cups of sugar, y"),
            ("minutes, x", "liters of water, y"),
        ]
    )
    table = (
        f"{context[0]}: "
        + " | ".join(num(x) for x in xs)
        + f"\n{context[1]}: "
        + " | ".join(_show(y, "frac" if d == 3 else "dec") for y in ys)
    )
    stem = (
        f"The table shows a proportional relationship.\n{table}\nWhat is the constant of "
        "proportionality k in y = kx?"
    )
    hints = [
        "In a proportional relationship, y ÷ x is the same for every pair.",
        f"Compute y ÷ x for one pair, such as {_show(ys[0], 'frac' if d == 3 else 'dec')} ÷ "
        f"{num(xs[0])}.",
    ]
    solution = (
        f"k = y ÷ x = {_show(ys[0], 'frac' if d == 3 else 'dec')} ÷ {num(xs[0])} = "
        f"{_show(k, 'frac' if d == 3 else 'dec')}. "
        f"Check another pair: {_show(ys[-1], 'frac' if d == 3 else 'dec')} ÷ {num(xs[-1])} = "
        f"{_show(k, 'frac' if d == 3 else 'dec')}."
    )
    params: dict[str, object] = {"x": xs, "y": [frac(y) for y in ys]}
    return numeric(stem, k, hints=hints, solution=solution, params=params, as_decimal=d == 2)


# ------------------------------------------------------------------ 7.RP.A.3


@register(
    "7.RP.A.3/percent-problems",
    title="Multistep percent problems: tax, tips, discounts, interest, percent change",
)
def percent_problems(rng: random.Random, d: int) -> Draft:
    form = rng.choice(
        {
            1: ["tax", "tip", "discount"],
            2: ["markup", "discount", "interest", "commission"],
            3: ["change", "interest", "discount-tax"],
        }[d]
    )
    name = rng.choice(NAMES)
    price = Fraction(rng.randint(8, 120))
    rate = rng.choice([5, 6, 8, 10, 15, 20, 25, 30])
    params: dict[str, object] = {"form": form, "price": dec(price), "rate": rate}
    if form == "tax":
        value = price * (100 + rate) / 100
        stem = (
            f"A jacket costs {money(price)}. The sales tax is {rate}%. What is the total cost in "
            "dollars, including tax?"
        )
        solution = (
            f"Tax: {rate}% of {money(price)} = {money(price * rate / 100)}. Total: "
            f"{money(price)} + {money(price * rate / 100)} = {money(value)}."
        )
    elif form == "tip":
        value = price * rate / 100
        stem = (
            f"{name}'s restaurant bill is {money(price)}. {name} leaves a {rate}% tip. How many "
            "dollars is the tip?"
        )
        solution = f"Tip = {rate}/100 × {money(price)} = {money(value)}."
    elif form == "discount":
        value = price * (100 - rate) / 100
        stem = (
            f"A pair of shoes costs {money(price)}. They are on sale for {rate}% off. What is "
            "the sale price in dollars?"
        )
        solution = (
            f"Discount: {rate}% of {money(price)} = {money(price * rate / 100)}. Sale price: "
            f"{money(price)} − {money(price * rate / 100)} = {money(value)}."
        )
    elif form == "markup":
        value = price * (100 + rate) / 100
        stem = (
            f"A store buys a lamp for {money(price)} and marks the price up by {rate}%. What is "
            "the selling price in dollars?"
        )
        solution = (
            f"Markup: {rate}% of {money(price)} = {money(price * rate / 100)}. Price: "
            f"{money(price)} + {money(price * rate / 100)} = {money(value)}."
        )
    elif form == "commission":
        price = Fraction(rng.randint(2, 40) * 100)
        params["price"] = dec(price)
        value = price * rate / 100
        stem = (
            f"A salesperson earns a {rate}% commission on sales. How many dollars of commission "
            f"does she earn on {money(price)} of sales?"
        )
        solution = f"Commission = {rate}/100 × {money(price)} = {money(value)}."
    elif form == "interest":
        principal = Fraction(rng.randint(2, 50) * 100)
        years = rng.randint(2, 6)
        rate = rng.randint(2, 8)
        params.update({"price": dec(principal), "rate": rate, "years": years})
        value = principal * rate * years / 100
        stem = (
            f"{name} deposits {money(principal)} in an account that pays {rate}% simple interest "
            f"per year. How many dollars of interest does {name} earn in {years} years?"
        )
        solution = (
            f"Interest = principal × rate × time = {money(principal)} × {rate}/100 × {years} = "
            f"{money(value)}."
        )
    elif form == "change":
        old = Fraction(rng.choice([20, 25, 40, 50, 80, 120, 150, 200, 250]))
        pct = rng.choice(
            [
                p
                for p in (4, 5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75)
                if (old * p / 100).denominator == 1
            ]
        )
        up = rng.random() < 0.5
        new = old * (100 + pct) / 100 if up else old * (100 - pct) / 100
        params.update({"old": dec(old), "new": dec(new)})
        value = Fraction(pct)
        word = "increase" if up else "decrease"
        stem = (
            f"The number of members in a club changed from {num(old)} to {num(new)}. What was "
            f"the percent {word}?\nType just the number, without the % sign."
        )
        solution = (
            f"Change: {num(abs(new - old))}. Percent {word} = {num(abs(new - old))} ÷ {num(old)} "
            f"× 100 = {pct}%."
        )
    else:  # discount then tax
        price = Fraction(40 * rng.randint(1, 8))
        rate = rng.choice([10, 20, 25, 30])
        tax = rng.choice([5, 10])
        params.update({"price": dec(price), "rate": rate, "tax": tax})
        sale = price * (100 - rate) / 100
        value = sale * (100 + tax) / 100
        stem = (
            f"A bike costs {money(price)}. It is on sale for {rate}% off, and then a {tax}% "
            "sales tax is added to the sale price. What is the final cost in dollars?"
        )
        solution = (
            f"Sale price: {money(price)} × {(100 - rate)}/100 = {money(sale)}. With tax: "
            f"{money(sale)} × {100 + tax}/100 = {money(value)}."
        )
    hints = [
        "Find the percent of the amount first: p% of an amount is p/100 × the amount.",
        "Then decide whether to add it (tax, tip, markup) or subtract it (discount), or compare "
        "the change with the original amount.",
    ]
    return numeric(stem, value, hints=hints, solution=solution, params=params, as_decimal=True)


# ------------------------------------------------------------------ 7.EE.A.1


@register("7.EE.A.1/simplify-linear", title="Expand and simplify linear expressions")
def simplify_linear(rng: random.Random, d: int) -> Draft:
    v = rng.choice("xyn")
    form = rng.choice(
        {
            1: ["a(bx+c)+dx", "(ax+b)+(cx+d)"],
            2: ["(ax+b)-(cx+d)", "a(x+b)-c(x+d)"],
            3: ["a(x+b)-c(x+d)", "frac(bx+c)+dx"],
        }[d]
    )
    coef: int | Fraction
    const: int | Fraction
    wrong: list[tuple[int | Fraction, int | Fraction]]
    r = rng.randint
    if form == "a(bx+c)+dx":
        a, b, c, dd = r(2, 6), r(1, 5), choose_nonzero(rng, -9, 9), choose_nonzero(rng, -7, 7)
        coef, const = a * b + dd, a * c
        text = f"{a}({linear(b, c, v)}) {'+' if dd > 0 else '−'} {linear(abs(dd), 0, v)}"
        wrong = [
            (a * b + dd, c),
            (b + dd, a * c),
            (a * b + dd + a * c, 0),
            (a * b - dd, a * c),
            (coef, -const),
        ]
        steps = f"{linear(a * b, a * c, v)} {'+' if dd > 0 else '−'} {linear(abs(dd), 0, v)}"
    elif form == "(ax+b)+(cx+d)":
        a, b, c, dd = (
            r(1, 9),
            choose_nonzero(rng, -9, 9),
            choose_nonzero(rng, -9, 9),
            choose_nonzero(rng, -9, 9),
        )
        coef, const = a + c, b + dd
        text = f"({linear(a, b, v)}) + ({linear(c, dd, v)})"
        wrong = [
            (a + c + b + dd, 0),
            (a - c, b + dd),
            (a + c, b - dd),
            (a * c, b + dd),
            (coef, -const),
        ]
        steps = f"{linear(a, 0, v)} {'+' if c > 0 else '−'} {linear(abs(c), 0, v)} + ({b}) + ({dd})"
    elif form == "(ax+b)-(cx+d)":
        a, b, c, dd = r(2, 9), choose_nonzero(rng, -9, 9), r(1, 9), choose_nonzero(rng, -9, 9)
        coef, const = a - c, b - dd
        text = f"({linear(a, b, v)}) − ({linear(c, dd, v)})"
        wrong = [
            (a - c, b + dd),
            (a + c, b - dd),
            (a + c, b + dd),
            (coef, -const),
            (coef + 1, const),
        ]
        steps = f"{linear(a, b, v)} − {linear(c, 0, v)} {'−' if dd > 0 else '+'} {abs(dd)}"
    elif form == "a(x+b)-c(x+d)":
        a, b, c, dd = r(2, 9), choose_nonzero(rng, -9, 9), r(2, 9), choose_nonzero(rng, -9, 9)
        coef, const = a - c, a * b - c * dd
        text = f"{a}({linear(1, b, v)}) − {c}({linear(1, dd, v)})"
        wrong = [
            (a - c, a * b + c * dd),
            (a - c, a * b - dd),
            (a + c, a * b + c * dd),
            (a - c, b - dd),
            (coef, -const),
        ]
        steps = (
            f"{linear(a, a * b, v)} − {linear(c, 0, v)} {'−' if c * dd > 0 else '+'} {abs(c * dd)}"
        )
    else:
        half = Fraction(1, rng.choice([2, 3, 4]))
        m = half.denominator
        b, c, dd = m * r(1, 4), m * choose_nonzero(rng, -5, 5), choose_nonzero(rng, -5, 5)
        coef, const = half * b + dd, half * c
        text = f"({frac(half)})({linear(b, c, v)}) {'+' if dd > 0 else '−'} {linear(abs(dd), 0, v)}"
        wrong = [
            (half * b + dd, c),
            (b + dd, half * c),
            (half * b - dd, half * c),
            (coef, -const),
            (half * b + dd, c * m),
        ]
        steps = f"{linear(half * b, half * c, v)} {'+' if dd > 0 else '−'} {linear(abs(dd), 0, v)}"
    correct = linear(coef, const, v)
    distractors = [
        linear(p, q, v)
        for p, q in wrong
        if (Fraction(p), Fraction(q)) != (Fraction(coef), Fraction(const))
    ]
    stem = f"Which expression is equivalent to {text}?"
    hints = [
        "Use the distributive property to remove the parentheses. A minus sign in front of "
        "parentheses changes the sign of every term inside.",
        f"Then combine the {v}-terms and combine the constant terms.",
    ]
    solution = f"{text}\n= {steps}\n= {correct}"
    params: dict[str, object] = {"form": form, "expression": text, "variable": v}
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 7.EE.B.4.a


@register("7.EE.B.4.a/two-step-equations", title="Solve px + q = r and p(x + q) = r")
def two_step_equations(rng: random.Random, d: int) -> Draft:
    v = rng.choice("xnpw")
    form = rng.choice(["px+q=r", "p(x+q)=r", "word"])
    if d == 1:
        p, sol, q = (
            Fraction(rng.randint(2, 9)),
            Fraction(rng.randint(1, 12)),
            Fraction(rng.randint(1, 20)),
        )
    elif d == 2:
        p, sol, q = (
            Fraction(choose_nonzero(rng, -9, 9)),
            Fraction(choose_nonzero(rng, -12, 12)),
            Fraction(choose_nonzero(rng, -20, 20)),
        )
        if abs(p) == 1:
            p = Fraction(-3)
    else:
        p = (
            Fraction(choose_nonzero(rng, -7, 7), rng.choice([2, 3, 4]))
            if rng.random() < 0.6
            else Fraction(rng.randint(11, 49), 10)
        )
        sol = Fraction(rng.randint(-12, 12)) * (p.denominator if p.denominator < 10 else 1)
        q = Fraction(choose_nonzero(rng, -20, 20))
    if form == "word":
        p = Fraction(rng.randint(2, 9)) + (Fraction(rng.choice([0, 1, 2, 3]), 4) if d > 1 else 0)
        q = Fraction(rng.randint(3, 25))
        sol = Fraction(rng.randint(2, 12))
    r = p * sol + q if form != "p(x+q)=r" else p * (sol + q)
    pf = frac(p) if p.denominator < 10 else dec(p)
    coef = pf if p.denominator == 1 or "." in pf else f"({pf})"
    if form == "px+q=r":
        equation = f"{coef}{v} {'+' if q > 0 else '−'} {frac(abs(q))} = {_show(r, 'frac')}"
        stem = f"Solve for {v}:\n{equation}"
        solution = (
            f"{equation}\n{coef}{v} = {_show(r, 'frac')} {'−' if q > 0 else '+'} {frac(abs(q))} "
            f"= {_show(r - q, 'frac')}\n"
            f"{v} = {_show(r - q, 'frac')} ÷ {paren(pf)} = {_show(sol, 'frac')}"
        )
        hints = ["Undo the addition or subtraction first.", f"Then divide both sides by {pf}."]
    elif form == "p(x+q)=r":
        equation = f"{coef}({v} {'+' if q > 0 else '−'} {frac(abs(q))}) = {_show(r, 'frac')}"
        stem = f"Solve for {v}:\n{equation}"
        solution = (
            f"{equation}\n{v} {'+' if q > 0 else '−'} {frac(abs(q))} = {_show(r, 'frac')} ÷ "
            f"{paren(pf)} = {_show(sol + q, 'frac')}\n"
            f"{v} = {_show(sol + q, 'frac')} {'−' if q > 0 else '+'} {frac(abs(q))} = "
            f"{_show(sol, 'frac')}"
        )
        hints = [
            f"Divide both sides by {pf} first (or distribute).",
            f"Then undo the {'addition' if q > 0 else 'subtraction'}.",
        ]
    else:
        name = rng.choice(NAMES)
        r = p * sol + q
        stem = (
            f"A climbing gym charges a {money(q)} entry fee plus {money(p)} per hour. {name} "
            f"paid {money(r)} in all. "
            f"How many hours did {name} climb?"
        )
        solution = (
            f"Equation: {money(p)} × h + {money(q)} = {money(r)}.\n{money(p)} × h = "
            f"{money(r - q)}.\nh = {money(r - q)} ÷ {money(p)} = {num(sol)}."
        )
        hints = [
            "Write an equation: (price per hour) × hours + fee = total.",
            "Subtract the fee, then divide by the price per hour.",
        ]
    params: dict[str, object] = {"form": form, "p": frac(p), "q": frac(q), "r": frac(r)}
    return numeric(stem, sol, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 7.EE.B.4.b

_FLIP = {"<": ">", ">": "<", "≤": "≥", "≥": "≤"}
_LOOSE = {"<": "≤", ">": "≥", "≤": "<", "≥": ">"}


@register("7.EE.B.4.b/inequalities", title="Solve inequalities of the form px + q > r")
def inequalities(rng: random.Random, d: int) -> Draft:
    word = d >= 2 and rng.random() < 0.3
    if word:
        v = "m"
        p = Fraction(rng.choice([2, 3, 4, 5]))
        q = Fraction(rng.randint(3, 10))
        bound_int = rng.randint(4, 20)
        r = p * bound_int + q
        sym = "≤"
        name = rng.choice(NAMES)
        stem = (
            f"A taxi charges {money(q)} plus {money(p)} per mile. {name} has {money(r)}. "
            f"Which inequality describes the numbers of miles m that {name} can afford?"
        )
    else:
        v = rng.choice("xyk")
        p = Fraction(rng.randint(2, 9)) if d == 1 else Fraction(choose_nonzero(rng, -9, 9))
        if abs(p) == 1:
            p = Fraction(-4)
        q = Fraction(choose_nonzero(rng, -15, 15))
        bound_int = rng.randint(-10, 10)
        r = p * bound_int + q
        if d == 3:
            r += rng.choice([1, -1]) if abs(p) > 1 else 0
        sym = rng.choice(["<", ">", "≤", "≥"])
        stem = (
            f"Solve the inequality:\n{frac(p)}{v} {'+' if q > 0 else '−'} {frac(abs(q))} {sym} "
            f"{frac(r)}"
        )
    bound = (r - q) / p
    sol_sym = _FLIP[sym] if p < 0 else sym
    correct = f"{v} {sol_sym} {frac(bound)}"
    wrong_bound = (r + q) / p
    distractors = [
        f"{v} {_FLIP[sol_sym]} {frac(bound)}",  # flipped when it should not be, or forgot to flip
        f"{v} {sol_sym} {frac(wrong_bound)}"
        if wrong_bound != bound
        else f"{v} {sol_sym} {frac(bound + 1)}",
        f"{v} {_LOOSE[sol_sym]} {frac(bound)}",
        f"{v} {sol_sym} {frac(-bound)}" if bound != 0 else f"{v} {sol_sym} {frac(bound - 1)}",
    ]
    hints = [
        "Solve it like an equation: undo the addition or subtraction, then the multiplication.",
        "When you multiply or divide both sides by a negative number, reverse the inequality sign.",
    ]
    undo = f"Subtract {frac(q)} from" if q > 0 else f"Add {frac(-q)} to"
    solution = (
        f"{undo} both sides: {frac(p)}{v} {sym} {frac(r - q)}.\n"
        f"Divide by {frac(p)}"
        + (" (negative, so reverse the sign)" if p < 0 else "")
        + f": {correct}."
    )
    params: dict[str, object] = {
        "p": frac(p),
        "q": frac(q),
        "r": frac(r),
        "sym": sym,
        "variable": v,
    }
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 7.G.B.4

PI_APPROX = Fraction(314, 100)


def _pi_tolerance(value: Fraction) -> str:
    """Accept the exact 3.14 answer and answers computed with a calculator's π."""
    tol = max(Fraction(1, 100), Fraction(math.ceil(abs(value) * Fraction(1, 1000) * 100), 100))
    return dec(tol)


@register("7.G.B.4/circles", title="Area and circumference of a circle")
def circles(rng: random.Random, d: int) -> Draft:
    ask = rng.choice(
        {
            1: ["circumference"],
            2: ["circumference", "area"],
            3: ["area", "radius-from-circumference"],
        }[d]
    )
    r = Fraction(rng.randint(1, 10 if d < 3 else 20))
    given = rng.choice(["radius", "diameter"])
    measure = f"a radius of {num(r)} cm" if given == "radius" else f"a diameter of {num(2 * r)} cm"
    if ask == "circumference":
        value = 2 * PI_APPROX * r
        stem = f"A circle has {measure}. What is its circumference in centimeters? Use 3.14 for π."
        hints = ["C = π × d = 2 × π × r.", f"The diameter is {num(2 * r)} cm."]
        solution = f"C = 3.14 × {num(2 * r)} = {num(value)} cm."
    elif ask == "area":
        value = PI_APPROX * r * r
        stem = f"A circle has {measure}. What is its area in square centimeters? Use 3.14 for π."
        hints = ["A = π × r².", f"The radius is {num(r)} cm, so r² = {num(r * r)}."]
        solution = f"A = 3.14 × {num(r)}² = 3.14 × {num(r * r)} = {num(value)} cm²."
    else:
        circ = 2 * PI_APPROX * r
        value = r
        stem = (
            f"A circular track has a circumference of {num(circ)} m. What is its radius in "
            "meters? Use 3.14 for π."
        )
        hints = [
            "C = 2 × π × r, so r = C ÷ (2 × π).",
            f"2 × 3.14 = 6.28. Divide {num(circ)} by 6.28.",
        ]
        solution = f"r = {num(circ)} ÷ (2 × 3.14) = {num(circ)} ÷ 6.28 = {num(r)} m."
        given = "circumference"
    params: dict[str, object] = {"ask": ask, "radius": dec(r), "given": given}
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=True,
        tolerance=_pi_tolerance(value),
        unit=solution_unit(solution),
    )


# ------------------------------------------------------------------ 7.G.B.5


@register(
    "7.G.B.5/angle-relationships",
    title="Supplementary, complementary, vertical and adjacent angles",
)
def angle_relationships(rng: random.Random, d: int) -> Draft:
    rel = rng.choice(["supplementary", "complementary", "vertical"])
    total = {"supplementary": 180, "complementary": 90, "vertical": 180}[rel]
    fact = {
        "supplementary": "Supplementary angles add to 180°.",
        "complementary": "Complementary angles add to 90°.",
        "vertical": "Vertical angles are equal.",
    }[rel]
    angle = rng.randint(10, total - 10)
    if d == 1:
        value = angle if rel == "vertical" else total - angle
        if rel == "vertical":
            stem = (
                f"Two lines intersect. One of the angles formed measures {angle}°. "
                f"What is the measure of the angle vertical to it, in degrees?"
            )
            solution = f"Vertical angles are equal, so the angle measures {angle}°."
        else:
            stem = (
                f"Two angles are {rel}. One measures {angle}°. What is the measure of the other "
                "angle, in degrees?"
            )
            solution = f"{fact} {total}° − {angle}° = {value}°."
        params: dict[str, object] = {"rel": rel, "known": angle}
        hints = [
            "Picture the two angles: do they make a straight line, a right angle, "
            "or are they opposite each other?",
            fact,
        ]
        return numeric(stem, value, hints=hints, solution=solution, params=params)
    x = rng.randint(5, 30)
    m = rng.randint(2, 5) if d == 2 else rng.randint(3, 7)
    if rel == "vertical":
        n = rng.randint(1, m - 1) if d == 2 else rng.randint(2, m - 1)
        c1, c2 = angle - m * x, angle - n * x
        left, right = linear(m, c1), linear(n, c2)
        stem = (
            f"Two lines intersect to form vertical angles measuring ({left})° and ({right})°. "
            "What is the value of x?"
        )
        solution = f"{fact}\n{left} = {right}\n{linear(m - n, 0)} = {c2 - c1}\nx = {x}"
        params = {"rel": rel, "left": [m, c1], "right": [n, c2]}
    elif d == 2:
        c = angle - m * x
        other = total - angle
        stem = (
            f"Two angles are {rel}. One measures ({linear(m, c)})° and the other measures "
            f"{other}°. "
            f"What is the value of x?"
        )
        solution = (
            f"{fact}\n{linear(m, c)} + {other} = {total}\n{m}x = {total - other - c}\nx = {x}"
        )
        params = {"rel": rel, "left": [m, c], "right": [0, other]}
    else:
        n = rng.randint(1, 4)
        c1, c2 = angle - m * x, total - angle - n * x
        stem = (
            f"Two angles are {rel}. They measure ({linear(m, c1)})° and ({linear(n, c2)})°. "
            f"What is the value of x?"
        )
        solution = (
            f"{fact}\n({linear(m, c1)}) + ({linear(n, c2)}) = {total}\n{linear(m + n, c1 + c2)} "
            f"= {total}\nx = {x}"
        )
        params = {"rel": rel, "left": [m, c1], "right": [n, c2]}
    hints = [fact, "Write an equation using that fact, then solve for x."]
    return numeric(stem, x, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 7.G.A.1


@register("7.G.A.1/scale-drawings", title="Scale drawings: actual lengths and areas")
def scale_drawings(rng: random.Random, d: int) -> Draft:
    k = rng.choice([2, 3, 4, 5, 10, 20, 25, 50])
    thing = rng.choice(["a park", "a house", "a classroom", "a soccer field", "a garden"])
    ask = {1: "actual", 2: rng.choice(["actual", "drawing"]), 3: "area"}[d]
    if ask == "actual":
        length = Fraction(rng.randint(2, 30), 1 if d == 1 else 4)
        value = length * k
        stem = (
            f"On a scale drawing of {thing}, 1 cm represents {k} m. A wall is {num(length)} cm "
            "long in the drawing. How long is the actual wall, in meters?"
        )
        solution = f"{num(length)} × {k} = {num(value)} m."
        hints = [
            f"Each centimeter in the drawing stands for {k} m.",
            f"Multiply {num(length)} by {k}.",
        ]
    elif ask == "drawing":
        value = Fraction(rng.randint(2, 30), 2)
        actual = value * k
        stem = (
            f"On a scale drawing of {thing}, 1 cm represents {k} m. A path is actually "
            f"{num(actual)} m long. How long is it in the drawing, in centimeters?"
        )
        solution = f"{num(actual)} ÷ {k} = {num(value)} cm."
        hints = [
            f"Each centimeter in the drawing stands for {k} m.",
            f"Divide {num(actual)} by {k}.",
        ]
        length = value
    else:
        a, b = rng.randint(2, 12), rng.randint(2, 12)
        length = Fraction(a * b)
        value = Fraction(a * k * b * k)
        stem = (
            f"On a scale drawing of {thing}, 1 cm represents {k} m. A rectangular room is {a} cm "
            f"by {b} cm in the drawing. What is the actual area of the room in square meters?"
        )
        solution = (
            f"Actual sides: {a} × {k} = {a * k} m and {b} × {k} = {b * k} m. Area: {a * k} × "
            f"{b * k} = {num(value)} m²."
        )
        hints = [
            "Find the actual length and width first.",
            "Area does not scale by the scale factor, but by its square.",
        ]
    params: dict[str, object] = {"ask": ask, "k": k, "length": dec(length)}
    if ask == "area":
        params["sides"] = [a, b]
    unit = solution_unit(solution)
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, as_decimal=True, unit=unit
    )


# ------------------------------------------------------------------ 7.SP.C.7.a

_COLOURS = ["red", "blue", "green", "yellow", "purple"]
_EVENTS = [
    "an even number",
    "an odd number",
    "a number greater than {k}",
    "a number less than {k}",
    "a multiple of 3",
    "a prime number",
]


@register("7.SP.C.7.a/uniform-probability", title="Probabilities from a uniform probability model")
def uniform_probability(rng: random.Random, d: int) -> Draft:
    form = rng.choice(["bag", "spinner"] if d < 3 else ["bag-or", "spinner"])
    if form.startswith("bag"):
        colours = rng.sample(_COLOURS, rng.randint(2, 2 + d))
        counts = {c: rng.randint(1, 4 * d + 2) for c in colours}
        total = sum(counts.values())
        target = [rng.choice(colours)] if form == "bag" else rng.sample(colours, 2)
        favourable = sum(counts[c] for c in target)
        desc = ", ".join(f"{n} {c}" for c, n in counts.items())
        event = " or ".join(target)
        stem = (
            f"A bag holds {desc} marbles. One marble is picked at random. What is the "
            f"probability that it is {event}?\nWrite your answer as a fraction."
        )
        params: dict[str, object] = {"form": "bag", "counts": counts, "target": target}
    else:
        n = rng.choice({1: [4, 6, 8], 2: [6, 8, 10, 12], 3: [9, 10, 12, 15, 20]}[d])
        k = rng.randint(2, n - 2)
        event = rng.choice(_EVENTS).format(k=k)
        outcomes = range(1, n + 1)
        tests: dict[str, Callable[[int], bool]] = {
            "an even number": lambda x: x % 2 == 0,
            "an odd number": lambda x: x % 2 == 1,
            f"a number greater than {k}": lambda x: x > k,
            f"a number less than {k}": lambda x: x < k,
            "a multiple of 3": lambda x: x % 3 == 0,
            "a prime number": lambda x: x > 1 and all(x % j for j in range(2, x)),
        }
        favourable = sum(1 for x in outcomes if tests[event](x))
        total = n
        stem = (
            f"A spinner has {n} equal sections numbered 1 to {n}. What is the probability that "
            f"one spin lands on {event}?\nWrite your answer as a fraction."
        )
        params = {"form": "spinner", "n": n, "event": event, "k": k}
    value = Fraction(favourable, total)
    hints = [
        "Each outcome is equally likely.",
        "Probability = (number of favorable outcomes) ÷ (total number of outcomes).",
    ]
    solution = (
        f"There are {total} equally likely outcomes and {favourable} of them are {event}. P = "
        f"{chain(f'{favourable}/{total}', frac(value))}."
    )
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 7.SP.C.8.a


@register(
    "7.SP.C.8.a/compound-probability",
    title="Probabilities of compound events from sample spaces",
    codes=("7.SP.C.8.a", "7.SP.C.8.b"),
)
def compound_probability(rng: random.Random, d: int) -> Draft:
    form = rng.choice(
        {
            1: ["coins", "coin-die"],
            2: ["dice-sum", "coin-die", "spinners"],
            3: ["dice-sum", "dice-at-least", "three-coins"],
        }[d]
    )
    space: list[tuple[Any, ...]]
    if form == "coins":
        event = rng.choice(["two heads", "two tails", "one head and one tail"])
        space = list(itertools.product("HT", repeat=2))
        count = {"two heads": 1, "two tails": 1, "one head and one tail": 2}[event]
        stem = f"Two fair coins are tossed. What is the probability of getting {event}?"
        params: dict[str, object] = {"form": form, "event": event}
    elif form == "three-coins":
        heads = rng.randint(0, 3)
        space = list(itertools.product("HT", repeat=3))
        count = sum(1 for s in space if s.count("H") == heads)
        stem = (
            f"Three fair coins are tossed. What is the probability of getting exactly {heads} "
            "heads?"
        )
        params = {"form": form, "heads": heads}
    elif form == "coin-die":
        face = rng.choice(["heads", "tails"])
        cond = rng.choice(
            ["an even number", "a number greater than 4", "a 6", "a number less than 3"]
        )
        space = list(itertools.product("HT", range(1, 7)))
        die_count = {
            "an even number": 3,
            "a number greater than 4": 2,
            "a 6": 1,
            "a number less than 3": 2,
        }[cond]
        count = die_count
        stem = (
            "A fair coin is tossed and a number cube (1–6) is rolled. What is the probability "
            f"of {face} and {cond}?"
        )
        params = {"form": form, "face": face, "cond": cond}
    elif form == "spinners":
        a, b = rng.randint(2, 5), rng.randint(2, 5)
        target = rng.randint(3, a + b - 1)
        space = list(itertools.product(range(1, a + 1), range(1, b + 1)))
        count = sum(1 for x, y in space if x + y == target)
        stem = (
            f"Spinner A has {a} equal sections numbered 1 to {a}. Spinner B has {b} equal "
            f"sections numbered 1 to {b}. Both are spun. What is the probability that the sum is "
            f"{target}?"
        )
        params = {"form": form, "a": a, "b": b, "target": target}
    elif form == "dice-sum":
        target = rng.randint(2, 12)
        space = list(itertools.product(range(1, 7), repeat=2))
        count = sum(1 for x, y in space if x + y == target)
        stem = (
            "Two fair number cubes (1–6) are rolled. What is the probability that the sum is "
            f"{target}?"
        )
        params = {"form": form, "target": target}
    else:
        target = rng.randint(7, 11)
        space = list(itertools.product(range(1, 7), repeat=2))
        count = sum(1 for x, y in space if x + y >= target)
        stem = (
            "Two fair number cubes (1–6) are rolled. What is the probability that the sum is "
            f"{target} or more?"
        )
        params = {"form": form, "target": target}
    stem += "\nWrite your answer as a fraction."
    value = Fraction(count, len(space))
    hints = [
        "List the sample space with an organized list, a table or a tree diagram.",
        f"There are {len(space)} equally likely outcomes. Count the ones in the event.",
    ]
    solution = (
        f"The sample space has {len(space)} equally likely outcomes; {count} of them are in the "
        f"event. P = {chain(f'{count}/{len(space)}', frac(value))}."
    )
    return numeric(stem, value, hints=hints, solution=solution, params=params)
