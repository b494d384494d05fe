"""Grade 8 item generators."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from tandem.content.generators.base import (
    Draft,
    chain,
    choose_nonzero,
    dec,
    frac,
    linear,
    money,
    multiple_choice,
    num,
    numeric,
    paren,
    register,
    short_text,
    signed,
    single_choice,
    solution_unit,
    sup,
)

# ------------------------------------------------------------------ 8.EE.A.1


@register("8.EE.A.1/exponent-properties", title="Properties of integer exponents")
def exponent_properties(rng: random.Random, d: int) -> Draft:
    base = rng.choice([2, 3, 4, 5, 10] if d > 1 else [2, 3, 5, 10])
    limit = {2: 6, 3: 4, 4: 3, 5: 3, 10: 4}[base]
    k = 0
    while True:
        form = rng.choice(
            {
                1: ["product", "quotient", "zero"],
                2: ["product", "quotient", "power"],
                3: ["product", "quotient", "power", "mixed"],
            }[d]
        )
        lo = 1 if d == 1 else -5
        m, n = rng.randint(lo, 6), rng.randint(lo, 6)
        if form == "product":
            e = m + n
            text = f"{base}{sup(m)} × {base}{sup(n)}"
            rule = (
                f"multiply powers with the same base by adding exponents: {m} + {paren(str(n))} "
                f"= {e}"
            )
        elif form == "quotient":
            e = m - n
            text = f"{base}{sup(m)} ÷ {base}{sup(n)}"
            rule = (
                f"divide powers with the same base by subtracting exponents: {m} − "
                f"{paren(str(n))} = {e}"
            )
        elif form == "power":
            m, n = rng.choice([2, 3, -1, -2, -3]), rng.choice([2, 3, -1, -2])
            e = m * n
            text = f"({base}{sup(m)}){sup(n)}"
            rule = f"raise a power to a power by multiplying exponents: {m} × {paren(str(n))} = {e}"
        elif form == "zero":
            m = rng.randint(2, 9)
            e = 0
            text = f"{m * base}⁰" if rng.random() < 0.5 else f"{base}{sup(m)} ÷ {base}{sup(m)}"
            rule = "any non-zero number to the power 0 is 1"
        else:
            k = rng.randint(-3, 4)
            e = m + n - k
            text = f"{base}{sup(m)} × {base}{sup(n)} ÷ {base}{sup(k)}"
            rule = f"add and subtract the exponents: {m} + {paren(str(n))} − {paren(str(k))} = {e}"
        if form == "zero" or (
            -limit <= e <= limit
            and (d == 1 or e < 0 or form in ("power", "mixed") or m < 0 or n < 0)
        ):
            break
    value = Fraction(base) ** e if form != "zero" else Fraction(1)
    stem = f"Evaluate {text}.\nWrite your answer as a whole number or a fraction."
    hints = [
        "Use the properties of exponents to write the expression as a single power first.",
        "A negative exponent means a reciprocal: a⁻ⁿ = 1/aⁿ.",
    ]
    if form == "zero":
        solution = f"{rule[0].upper()}{rule[1:]}: {text} = 1."
    else:
        steps = (
            [text, f"{base}{sup(e)}"] + ([f"1/{base}{sup(-e)}"] if e < 0 else []) + [frac(value)]
        )
        solution = f"Same base, so {rule}.\n{chain(*steps)}."
    params: dict[str, object] = {"form": form, "base": base, "text": text}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 8.EE.A.4


def _sci_parts(value: Fraction) -> tuple[Fraction, int]:
    exp = 0
    coef = value
    while coef >= 10:
        coef /= 10
        exp += 1
    while coef < 1:
        coef *= 10
        exp -= 1
    return coef, exp


def sci_accepted(coef: Fraction, exp: int) -> list[str]:
    """Spellings of coef × 10^exp that students type."""
    c = dec(coef)
    out = [f"{c} × 10{sup(exp)}"]
    exps = [f"^{exp}", f"^({exp})", sup(exp)]
    if exp < 0:
        exps += [f"^−{-exp}", f"^(−{-exp})"]
    for times in ("×", "x", "*", "·"):
        for e in exps:
            out += [f"{c} {times} 10{e}", f"{c}{times}10{e}"]
    out += [f"{c}e{exp}", f"{c} e{exp}"]
    if coef == 1:
        out += [f"10{e}" for e in exps]
    return list(dict.fromkeys(out))


@register("8.EE.A.4/scientific-notation", title="Scientific notation: convert and operate")
def scientific_notation(rng: random.Random, d: int) -> Draft:
    if d == 1:
        coef = Fraction(rng.randint(11, 99), 10)
        exp = rng.randint(3, 9)
        value = coef * 10**exp
        stem = f"Write {num(value)} in scientific notation."
        hints = [
            "Scientific notation is a number from 1 up to (but not including) 10, times a power "
            "of 10.",
            "Move the decimal point so only one non-zero digit is to its left. How many places "
            "did you move it?",
        ]
        solution = (
            f"{num(value)} = {dec(coef)} × 10{sup(exp)} (the decimal point moves {exp} places "
            "left)."
        )
        params: dict[str, object] = {"form": "large", "value": dec(value)}
    elif d == 2:
        coef = Fraction(rng.randint(11, 99), 10)
        exp = -rng.randint(2, 7)
        value = coef * Fraction(10) ** exp
        stem = f"Write {dec(value)} in scientific notation."
        hints = [
            "Scientific notation is a number from 1 up to (but not including) 10, times a power "
            "of 10.",
            "For a number less than 1, the exponent is negative.",
        ]
        solution = (
            f"{dec(value)} = {dec(coef)} × 10{sup(exp)} (the decimal point moves {-exp} places "
            "right)."
        )
        params = {"form": "small", "value": dec(value)}
    else:
        a = Fraction(rng.randint(11, 99), 10)
        b = Fraction(rng.randint(11, 49), 10)
        m, n = rng.randint(-6, 9), rng.randint(-6, 9)
        op = rng.choice(["×", "÷"])
        if op == "×":
            value = a * b * Fraction(10) ** (m + n)
            raw = f"{dec(a * b)} × 10{sup(m + n)}"
        else:
            a = b * rng.randint(2, 4)
            if a >= 10:
                a /= 10
                m += 1
            value = a / b * Fraction(10) ** (m - n)
            raw = f"{dec(a / b)} × 10{sup(m - n)}"
        coef, exp = _sci_parts(value)
        stem = (
            f"Compute ({dec(a)} × 10{sup(m)}) {op} ({dec(b)} × 10{sup(n)}). Write the answer in "
            "scientific notation."
        )
        hints = [
            "Multiply (or divide) the decimal parts, and add (or subtract) the exponents.",
            "If the decimal part is not between 1 and 10, adjust it and the exponent.",
        ]
        solution = f"{raw} = {dec(coef)} × 10{sup(exp)}."
        params = {"form": "operation", "a": dec(a), "m": m, "b": dec(b), "n": n, "op": op}
    coef, exp = _sci_parts(value)
    stem += "\nType it like 3.2 × 10^5 (you can use x or * for ×)."
    return short_text(stem, sci_accepted(coef, exp), hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 8.EE.C.7.a

_COUNTS = ("exactly one solution", "no solution", "infinitely many solutions")


@register(
    "8.EE.C.7.a/number-of-solutions",
    title="Linear equations with one, no, or infinitely many solutions",
)
def number_of_solutions(rng: random.Random, d: int) -> Draft:
    kind = rng.choice(["one", "none", "many"])
    p = rng.randint(2, 6)
    q = choose_nonzero(rng, -9, 9)
    s = choose_nonzero(rng, -9, 9) if d > 1 else 0
    left_coef, left_const = p, p * q + s
    if kind == "one":
        m = rng.choice([c for c in range(-6, 8) if c not in (0, p)])
        n = rng.randint(-15, 15)
    elif kind == "none":
        m, n = p, left_const + choose_nonzero(rng, -6, 6)
    else:
        m, n = p, left_const
    left = f"{p}({linear(1, q)})" + (f" {'+' if s > 0 else '−'} {abs(s)}" if s else "")
    k = rng.randint(1, 4)
    # at difficulty 3 the right side is written with its x-term split in two
    right = f"{linear(m - k, 0)} + {linear(k, n)}" if d == 3 and m != k else linear(m, n)
    equation = f"{left} = {right}"
    correct = {"one": _COUNTS[0], "none": _COUNTS[1], "many": _COUNTS[2]}[kind]
    stem = f"How many solutions does this equation have?\n{equation}"
    hints = [
        "Simplify both sides into the form ax + b.",
        "Different x-coefficients: one solution. Same x-coefficient: compare the constants "
        "(same → infinitely many, different → none).",
    ]
    verdict = {
        "one": f"The x-coefficients differ ({p} and {m}), so there is exactly one solution.",
        "none": (
            f"Same x-coefficient but different constants ({left_const} and {n}): no value of x "
            "works, so there is no solution."
        ),
        "many": "Both sides are identical, so every value of x works: infinitely many solutions.",
    }[kind]
    solution = (
        f"Left side: {left} = {linear(left_coef, left_const)}.\nRight side: "
        f"{linear(m, n)}.\n{verdict}"
    )
    params: dict[str, object] = {"p": p, "q": q, "s": s, "m": m, "n": n, "equation": equation}
    return single_choice(
        rng,
        stem,
        correct,
        [c for c in _COUNTS if c != correct],
        hints=hints,
        solution=solution,
        params=params,
        n_choices=3,
    )


# ------------------------------------------------------------------ 8.EE.C.7.b


@register(
    "8.EE.C.7.b/linear-equations", title="Solve linear equations with variables on both sides"
)
def linear_equations(rng: random.Random, d: int) -> Draft:
    v = rng.choice("xyn")
    params: dict[str, object]
    if d == 3:
        den1, den2 = rng.sample([2, 3, 4, 5, 6], 2)
        a, c = Fraction(rng.randint(1, 5), den1), Fraction(rng.randint(1, 5), den2)
        if a == c:
            c += 1
        sol = Fraction(math.lcm(den1, den2) * signed(rng, 1, 3))
        b = Fraction(choose_nonzero(rng, -12, 12))
        dd = a * sol + b - c * sol
        left, right = linear(a, b, v), linear(c, dd, v)
        coef_l, const_l, coef_r, const_r = a, b, c, dd
        params = {"form": "ax+b=cx+d", "a": frac(a), "b": frac(b), "c": frac(c), "d": frac(dd)}
    elif d == 1:
        ai = rng.randint(2, 9)
        ci = rng.choice([k for k in range(-5, 9) if k not in (0, ai)])
        sol = Fraction(signed(rng, 0, 10))
        bi = choose_nonzero(rng, -15, 15)
        di = ai * sol + bi - ci * sol
        left, right = linear(ai, bi, v), linear(ci, di, v)
        coef_l, const_l, coef_r, const_r = Fraction(ai), Fraction(bi), Fraction(ci), Fraction(di)
        params = {"form": "ax+b=cx+d", "a": ai, "b": bi, "c": ci, "d": frac(di)}
    else:
        ai = rng.randint(2, 9)
        ci = rng.choice([k for k in range(-5, 9) if k not in (0, ai)])
        sol = Fraction(signed(rng, 0, 10))
        bi, ei = choose_nonzero(rng, -6, 6), choose_nonzero(rng, -6, 6)
        f = ai * (sol + bi) - ci * (sol + ei)  # a(v + b) = c(v + e) + f holds at sol
        left = f"{ai}({linear(1, bi, v)})"
        right = f"{paren(str(ci))}({linear(1, ei, v)})"
        if f:
            right += f" {'+' if f > 0 else '−'} {frac(abs(f))}"
        coef_l, const_l, coef_r, const_r = (
            Fraction(ai),
            Fraction(ai * bi),
            Fraction(ci),
            ci * ei + f,
        )
        params = {"form": "a(x+b)=c(x+e)+f", "a": ai, "b": bi, "c": ci, "e": ei, "f": frac(f)}
    stem = f"Solve for {v}:\n{left} = {right}"
    hints = [
        "Use the distributive property and combine like terms on each side.",
        f"Collect the {v}-terms on one side and the numbers on the other, then divide.",
    ]
    steps = [f"{left} = {right}"]
    simplified = f"{linear(coef_l, const_l, v)} = {linear(coef_r, const_r, v)}"
    if simplified != steps[0]:
        steps.append(simplified)
    steps.append(f"{linear(coef_l - coef_r, 0, v)} = {frac(const_r - const_l)}")
    steps.append(f"{v} = {frac(const_r - const_l)} ÷ {paren(frac(coef_l - coef_r))} = {frac(sol)}")
    solution = "\n".join(steps)
    return numeric(stem, sol, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 8.EE.C.8.b


def _std(a: int, b: int, c: int) -> str:
    """Format ax + by = c."""
    x_part = linear(a, 0, "x") if a else ""
    if b:
        y_mag = "y" if abs(b) == 1 else f"{abs(b)}y"
        y_part = f" {'+' if b > 0 else '−'} {y_mag}" if x_part else ("-" if b < 0 else "") + y_mag
    else:
        y_part = ""
    return f"{x_part}{y_part} = {c}"


@register("8.EE.C.8.b/systems", title="Solve systems of two linear equations")
def systems(rng: random.Random, d: int) -> Draft:
    x, y = signed(rng, 0, 8), signed(rng, 0, 8)
    if d == 1:
        m1, m2 = rng.sample([k for k in range(-4, 5) if k], 2)
        b1, b2 = y - m1 * x, y - m2 * x
        eq1, eq2 = f"y = {linear(m1, b1)}", f"y = {linear(m2, b2)}"
        lines = [[-m1, 1, b1], [-m2, 1, b2]]  # -m x + y = b
        method = (
            f"Set the right sides equal: {linear(m1, b1)} = {linear(m2, b2)}, so x = {x}. Then y "
            f"= {m1}({x}) + {paren(str(b1))} = {y}."
        )
    else:
        while True:
            a1, b1_, a2, b2_ = (choose_nonzero(rng, -5, 5) for _ in range(4))
            if d == 2:
                b1_ = 1  # ready for substitution
            if a1 * b2_ - a2 * b1_ != 0:
                break
        c1, c2 = a1 * x + b1_ * y, a2 * x + b2_ * y
        eq1, eq2 = _std(a1, b1_, c1), _std(a2, b2_, c2)
        lines = [[a1, b1_, c1], [a2, b2_, c2]]
        det = a1 * b2_ - a2 * b1_
        method = (
            f"Eliminate y: multiply the first equation by {paren(str(b2_))} and the second by "
            f"{paren(str(b1_))}, "
            f"then subtract: {linear(det, 0)} = {c1 * b2_ - c2 * b1_}, so x = {x}.\n"
            f"Substitute x = {x} into the first equation: {b1_}y = {c1} − {paren(str(a1))}({x}) "
            f"= {c1 - a1 * x}, so y = {y}."
        )
    correct = f"({x}, {y})"
    candidates = [(y, x), (x, -y), (-x, y), (x + 1, y), (x, y + 1), (-x, -y), (x - 1, y + 2)]
    distractors = [f"({p}, {q})" for p, q in candidates if (p, q) != (x, y)]
    stem = f"Solve the system of equations:\n{eq1}\n{eq2}"
    hints = [
        "The solution is the point (x, y) that makes both equations true — where the two lines "
        "intersect.",
        "Eliminate one variable (or substitute one equation into the other), solve for the "
        "other variable, then substitute back.",
    ]
    solution = f"{method}\nSolution: {correct}. Check: it makes both equations true."
    params: dict[str, object] = {"lines": lines}
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 8.F.A.1


def _relation(pairs: list[tuple[int, int]]) -> str:
    return "{" + ", ".join(f"({a}, {b})" for a, b in pairs) + "}"


@register("8.F.A.1/identify-functions", title="Identify functions from sets of ordered pairs")
def identify_functions(rng: random.Random, d: int) -> Draft:
    n_pairs = {1: 3, 2: 4, 3: 5}[d]
    options: list[tuple[str, bool]] = []
    n_true = rng.randint(1, 3)
    while len(options) < 4:
        is_function = len(options) < n_true
        xs = rng.sample(range(-5, 10), n_pairs)
        ys = [rng.randint(-5, 9) for _ in xs]
        if is_function and d > 1 and rng.random() < 0.6:
            ys[1] = ys[0]  # repeated output: still a function
        if not is_function:
            i, j = rng.sample(range(n_pairs), 2)
            xs[j] = xs[i]
            while ys[j] == ys[i]:
                ys[j] = rng.randint(-5, 9)
        pairs = list(zip(xs, ys, strict=True))
        rng.shuffle(pairs)
        text = _relation(pairs)
        if text not in (t for t, _ in options):
            options.append((text, is_function))
    stem = (
        "Select all the relations that are functions of x (each input x has exactly one output y)."
    )
    hints = [
        "Look for any x-value that appears more than once.",
        "A repeated x with different y-values is not a function; repeated y-values are fine.",
    ]
    solution = "\n".join(
        f"{t}: "
        + (
            "each x appears once → function."
            if ok
            else "an x-value is paired with two different y-values → not a function."
        )
        for t, ok in options
    )
    params: dict[str, object] = {"relations": [t for t, _ in options]}
    return multiple_choice(rng, stem, options, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 8.F.A.3


@register("8.F.A.3/linear-or-not", title="Recognize linear and nonlinear functions")
def linear_or_not(rng: random.Random, d: int) -> Draft:
    m, b, k = choose_nonzero(rng, -9, 9), choose_nonzero(rng, -9, 9), rng.randint(2, 6)
    linears = [
        (f"y = {linear(m, b)}", f"{m}*x + {b}"),
        (f"y = {b}", f"{b} + 0*x"),
        (f"y = x/{k} {'+' if b > 0 else '−'} {abs(b)}", f"x/{k} + {b}"),
        (f"y = {k}({linear(1, b)})", f"{k}*(x + {b})"),
        (f"y = {b} − {k}x", f"{b} - {k}*x"),
        (f"y + {k} = {linear(m, 0)}", f"{m}*x - {k}"),
    ]
    nonlinears = [
        (f"y = x² {'+' if b > 0 else '−'} {abs(b)}", f"x**2 + {b}"),
        (f"y = {k}/x", f"{k}/x"),
        (f"y = {linear(m, 0)}³", f"{m}*x**3"),
        (f"y = {k}ˣ", f"{k}**x"),
        (f"y = x({linear(1, b)})", f"x*(x + {b})"),
        (f"y = √x + {k}", f"x**0.5 + {k}"),
        (f"y = {k}x² − x", f"{k}*x**2 - x"),
    ]
    n_lin = rng.randint(1, 3) if d < 3 else rng.randint(2, 3)
    chosen = [(t, py, True) for t, py in rng.sample(linears, n_lin)] + [
        (t, py, False) for t, py in rng.sample(nonlinears, 5 - n_lin)
    ]
    stem = "Select all the equations that define y as a linear function of x."
    hints = [
        "A linear function can be written as y = mx + b: x appears only to the first power, not "
        "in a denominator, exponent or root.",
        "Rewrite each equation in the form y = … and check the power of x.",
    ]
    solution = (
        "Linear (can be written y = mx + b): "
        + "; ".join(t for t, _, ok in chosen if ok)
        + ".\nNot linear: "
        + "; ".join(t for t, _, ok in chosen if not ok)
        + "."
    )
    params: dict[str, object] = {"forms": {t: py for t, py, _ in chosen}}
    return multiple_choice(
        rng, stem, [(t, ok) for t, _, ok in chosen], hints=hints, solution=solution, params=params
    )


# ------------------------------------------------------------------ 8.F.B.4


@register(
    "8.F.B.4/rate-and-initial-value", title="Rate of change and initial value of a linear function"
)
def rate_and_initial_value(rng: random.Random, d: int) -> Draft:
    ask = rng.choice(["rate", "initial"])
    if d == 1 or (d == 2 and rng.random() < 0.5):
        fee = rng.randint(2, 12) * 5
        rate = (
            rng.randint(2, 12) * 5
            if d == 1
            else rng.randint(10, 60) + Fraction(rng.choice([0, 1, 2, 3]), 4)
        )
        h1, h2 = sorted(rng.sample(range(1, 9), 2))
        y1, y2 = fee + rate * h1, fee + rate * h2
        stem = (
            f"A plumber charges a fixed fee plus an hourly rate. {'An' if h1 == 8 else 'A'} "
            f"{h1}-hour job costs "
            f"{money(y1)} and {'an' if h2 == 8 else 'a'} {h2}-hour job costs {money(y2)}. "
            + (
                "What is the hourly rate, in dollars?"
                if ask == "rate"
                else "What is the fixed fee, in dollars?"
            )
        )
        x1, x2 = h1, h2
    else:
        m = Fraction(choose_nonzero(rng, -9, 9), rng.choice([1, 1, 2, 3]) if d == 3 else 1)
        b = Fraction(choose_nonzero(rng, -12, 12))
        x1 = rng.randint(-6, 3) * m.denominator
        x2 = x1 + rng.randint(1, 4) * m.denominator
        y1, y2 = m * x1 + b, m * x2 + b
        stem = (
            f"A linear function contains the points ({x1}, {frac(y1)}) and ({x2}, {frac(y2)}). "
            + (
                "What is its rate of change (slope)?"
                if ask == "rate"
                else "What is its initial value (the y-value when x = 0)?"
            )
        )
    slope = Fraction(y2 - y1) / (x2 - x1)
    intercept = y1 - slope * x1
    value = slope if ask == "rate" else intercept
    hints = [
        "Rate of change = (change in y) ÷ (change in x).",
        "Initial value = y − (rate × x) for either point.",
    ]
    solution = (
        f"Rate = ({frac(y2)} − {paren(frac(y1))}) ÷ ({x2} − {paren(str(x1))}) = {frac(y2 - y1)} "
        f"÷ {x2 - x1} = {frac(slope)}."
    )
    if ask == "initial":
        solution += (
            f"\nInitial value = {frac(y1)} − {paren(frac(slope))} × {paren(str(x1))} = "
            f"{frac(intercept)}."
        )
    params: dict[str, object] = {"ask": ask, "x1": x1, "y1": frac(y1), "x2": x2, "y2": frac(y2)}
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=value.denominator in (1, 2, 4, 5),
    )


# ------------------------------------------------------------------ 8.G.A.5


@register(
    "8.G.A.5/angle-facts",
    title="Triangle angle sum, exterior angles, and parallel lines cut by a transversal",
)
def angle_facts(rng: random.Random, d: int) -> Draft:
    form = rng.choice(
        {
            1: ["triangle", "parallel"],
            2: ["exterior", "parallel", "triangle"],
            3: ["triangle-algebra", "exterior", "parallel"],
        }[d]
    )
    if form == "triangle":
        a, b = rng.randint(20, 100), rng.randint(20, 60)
        value = 180 - a - b
        stem = (
            f"Two angles of a triangle measure {a}° and {b}°. What is the measure of the third "
            "angle, in degrees?"
        )
        solution = f"The angles of a triangle add to 180°: 180° − {a}° − {b}° = {value}°."
        params: dict[str, object] = {"form": form, "a": a, "b": b}
        fact = "The angles of a triangle add to 180°."
    elif form == "exterior":
        a, b = rng.randint(20, 80), rng.randint(20, 80)
        if rng.random() < 0.5:
            value = a + b
            stem = (
                f"In a triangle, two interior angles measure {a}° and {b}°. What is the measure "
                "of the exterior angle at the third vertex, in degrees?"
            )
            solution = (
                f"An exterior angle equals the sum of the two remote interior angles: {a}° + "
                f"{b}° = {value}°."
            )
            params = {"form": form, "ask": "exterior", "a": a, "b": b}
        else:
            value = b
            stem = (
                f"An exterior angle of a triangle measures {a + b}°. One of the two remote "
                f"interior angles measures {a}°. What is the measure of the other remote "
                "interior angle, in degrees?"
            )
            solution = (
                "Exterior angle = sum of the remote interior angles, so the other angle is "
                f"{a + b}° − {a}° = {value}°."
            )
            params = {"form": form, "ask": "interior", "a": a, "exterior": a + b}
        fact = "An exterior angle of a triangle equals the sum of the two remote interior angles."
    elif form == "parallel":
        a = rng.randint(25, 155)
        while a == 90:
            a = rng.randint(25, 155)
        pair = rng.choice(
            ["corresponding", "alternate interior", "alternate exterior", "same-side interior"]
        )
        value = 180 - a if pair == "same-side interior" else a
        stem = (
            f"Two parallel lines are cut by a transversal. One angle measures {a}°. What is the "
            f"measure of the {pair} angle paired with it, in degrees?"
        )
        rel = "supplementary (they add to 180°)" if pair == "same-side interior" else "equal"
        solution = (
            f"When parallel lines are cut by a transversal, {pair} angles are {rel}, so the "
            f"angle is {value}°."
        )
        params = {"form": form, "pair": pair, "a": a}
        fact = (
            "Corresponding, alternate interior and alternate exterior angles are equal; "
            "same-side interior angles add to 180°."
        )
    else:
        p, q = rng.randint(1, 4), rng.randint(1, 4)
        x = rng.randint(8, 25)
        c = 180 - (1 + p + q) * x
        if c <= -x or c + q * x <= 0:
            x = 180 // (2 + p + q)
            c = 180 - (1 + p + q) * x
        stem = (
            f"The angles of a triangle measure x°, {linear(p, 0)}°, and ({linear(q, c)})°. What "
            "is the value of x?"
        )
        solution = (
            f"x + {linear(p, 0)} + {linear(q, c)} = 180\n{linear(1 + p + q, c)} = 180\nx = {x}"
        )
        params = {"form": form, "p": p, "q": q, "c": c}
        value = x
        fact = "The angles of a triangle add to 180°."
    hints = [fact, "Write an equation that uses this fact, then solve it."]
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 8.G.B.7 / 8.G.B.8

_TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41), (6, 8, 10)]
_QUADRUPLES = [
    (1, 2, 2, 3),
    (2, 3, 6, 7),
    (1, 4, 8, 9),
    (4, 4, 7, 9),
    (2, 6, 9, 11),
    (6, 6, 7, 11),
    (3, 4, 12, 13),
    (2, 5, 14, 15),
    (8, 9, 12, 17),
]


def _rounded_tenth(x: float) -> Fraction:
    return Fraction(math.floor(x * 10 + 0.5), 10)


@register(
    "8.G.B.7/pythagorean-theorem", title="Apply the Pythagorean Theorem in two and three dimensions"
)
def pythagorean_theorem(rng: random.Random, d: int) -> Draft:
    form = rng.choice(
        {1: ["hypotenuse"], 2: ["leg", "hypotenuse"], 3: ["box", "ladder", "rounded"]}[d]
    )
    tolerance = "0"
    if form in ("hypotenuse", "leg", "ladder"):
        a, b, c = rng.choice(_TRIPLES)
        k = rng.randint(1, 3 if c < 20 else 1)
        a, b, c = a * k, b * k, c * k
        if rng.random() < 0.5:
            a, b = b, a
        if form == "hypotenuse":
            value = Fraction(c)
            stem = (
                f"A right triangle has legs of {a} cm and {b} cm. How long is the hypotenuse, in "
                "centimeters?"
            )
            solution = f"c² = {a}² + {b}² = {a * a} + {b * b} = {c * c}, so c = √{c * c} = {c} cm."
        elif form == "leg":
            value = Fraction(b)
            stem = (
                f"A right triangle has a hypotenuse of {c} m and one leg of {a} m. How long is "
                "the other leg, in meters?"
            )
            solution = f"b² = {c}² − {a}² = {c * c} − {a * a} = {b * b}, so b = √{b * b} = {b} m."
        else:
            value = Fraction(b)
            stem = (
                f"A {c}-foot ladder leans against a wall. Its foot is {a} feet from the base of "
                "the wall. How high up the wall does the ladder reach, in feet?"
            )
            solution = (
                f"The ladder is the hypotenuse: h² = {c}² − {a}² = {c * c} − {a * a} = {b * b}, "
                f"so h = {b} ft."
            )
        params: dict[str, object] = {"form": form, "a": a, "b": b, "c": c}
    elif form == "box":
        l_, w, h, diag = rng.choice(_QUADRUPLES)
        k = rng.randint(1, 2)
        l_, w, h, diag = l_ * k, w * k, h * k, diag * k
        value = Fraction(diag)
        stem = (
            f"A box is {l_} in long, {w} in wide and {h} in tall. How long is the diagonal from "
            "one bottom corner to the opposite top corner, in inches?"
        )
        solution = (
            f"Diagonal of the base: √({l_}² + {w}²) = √{l_ * l_ + w * w}.\n"
            f"Space diagonal: √({l_ * l_ + w * w} + {h}²) = √{diag * diag} = {diag} in."
        )
        params = {"form": form, "l": l_, "w": w, "h": h}
    else:
        a, b = rng.randint(2, 15), rng.randint(2, 15)
        if math.isqrt(a * a + b * b) ** 2 == a * a + b * b:
            b += 1
        value = _rounded_tenth(math.sqrt(a * a + b * b))
        tolerance = "0.05"
        stem = (
            f"A right triangle has legs of {a} m and {b} m. How long is the hypotenuse? Round to "
            "the nearest tenth of a meter."
        )
        solution = f"c = √({a}² + {b}²) = √{a * a + b * b} ≈ {dec(value)} m."
        params = {"form": form, "a": a, "b": b}
    hints = [
        "In a right triangle, a² + b² = c², where c is the hypotenuse (the side opposite the "
        "right angle).",
        "For a missing leg, subtract: b² = c² − a². In a box, use the theorem twice.",
    ]
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=True,
        tolerance=tolerance,
        unit=solution_unit(solution),
    )


@register(
    "8.G.B.8/distance-between-points",
    title="Distance between two points with the Pythagorean Theorem",
)
def distance_between_points(rng: random.Random, d: int) -> Draft:
    x1, y1 = signed(rng, 0, 9), signed(rng, 0, 9)
    tolerance = "0"
    if d < 3:
        a, b, c = rng.choice(_TRIPLES[:4] if d == 1 else _TRIPLES)
        if c > 30:
            a, b, c = 3, 4, 5
        dx, dy = a * rng.choice((1, -1)), b * rng.choice((1, -1))
        if rng.random() < 0.5:
            dx, dy = dy, dx
        value = Fraction(c)
    else:
        dx, dy = signed(rng, 1, 9), signed(rng, 1, 9)
        if math.isqrt(dx * dx + dy * dy) ** 2 == dx * dx + dy * dy:
            dy += 1 if dy > 0 else -1
        value = _rounded_tenth(math.sqrt(dx * dx + dy * dy))
        tolerance = "0.05"
    x2, y2 = x1 + dx, y1 + dy
    stem = f"What is the distance between the points ({x1}, {y1}) and ({x2}, {y2})?" + (
        "\nRound to the nearest tenth." if d == 3 else ""
    )
    hints = [
        "Draw a right triangle with the segment as its hypotenuse.",
        f"The legs are the horizontal change |{x2} − {paren(str(x1))}| and the vertical change "
        f"|{y2} − {paren(str(y1))}|.",
    ]
    sq = dx * dx + dy * dy
    solution = (
        f"Legs: |{dx}| = {abs(dx)} and |{dy}| = {abs(dy)}.\nd = √({abs(dx)}² + {abs(dy)}²) = √{sq} "
        + ("=" if tolerance == "0" else "≈")
        + f" {dec(value)}."
    )
    params: dict[str, object] = {"p1": [x1, y1], "p2": [x2, y2], "rounded": tolerance != "0"}
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        as_decimal=True,
        tolerance=tolerance,
    )


# ------------------------------------------------------------------ 8.G.C.9


@register("8.G.C.9/volume-cylinder-cone-sphere", title="Volumes of cylinders, cones and spheres")
def volume_solids(rng: random.Random, d: int) -> Draft:
    solid = rng.choice(
        {
            1: ["cylinder"],
            2: ["cylinder", "cone", "sphere"],
            3: ["cone", "sphere", "cylinder-height"],
        }[d]
    )
    r = rng.randint(1, 10)
    h = rng.randint(1, 12)
    if solid == "cylinder":
        value = Fraction(r * r * h)
        stem = f"A cylinder has a radius of {r} cm and a height of {h} cm. What is its volume?"
        solution = f"V = πr²h = π × {r}² × {h} = {frac(value)}π cm³."
        params: dict[str, object] = {"solid": solid, "r": r, "h": h}
    elif solid == "cone":
        value = Fraction(r * r * h, 3)
        stem = f"A cone has a radius of {r} cm and a height of {h} cm. What is its volume?"
        solution = f"V = (1/3)πr²h = (1/3) × π × {r}² × {h} = {frac(value)}π cm³."
        params = {"solid": solid, "r": r, "h": h}
    elif solid == "sphere":
        value = Fraction(4 * r**3, 3)
        stem = f"A sphere has a radius of {r} cm. What is its volume?"
        solution = f"V = (4/3)πr³ = (4/3) × π × {r}³ = {frac(value)}π cm³."
        params = {"solid": solid, "r": r}
    else:
        value = Fraction(h)
        stem = (
            f"A cylinder has a volume of {r * r * h}π cubic cm and a radius of {r} cm. What is "
            "its height in centimeters?"
        )
        solution = (
            f"V = πr²h, so {r * r * h}π = π × {r * r} × h and h = {r * r * h} ÷ {r * r} = {h} cm."
        )
        params = {"solid": solid, "r": r, "V_over_pi": r * r * h}
    if solid != "cylinder-height":
        stem += (
            "\nGive the answer in terms of π: type the number that multiplies π, such as 12π, "
            "12pi or just 12."
        )
    hints = [
        "Cylinder: V = πr²h. Cone: V = (1/3)πr²h. Sphere: V = (4/3)πr³.",
        "Keep π as a symbol and work out the number in front of it.",
    ]
    unit = solution_unit(solution)
    return numeric(stem, value, hints=hints, solution=solution, params=params, unit=unit)


# ------------------------------------------------------------------ 8.NS.A.2


@register("8.NS.A.2/estimate-square-roots", title="Rational approximations of square roots")
def estimate_square_roots(rng: random.Random, d: int) -> Draft:
    if d < 3:
        n = rng.choice([k for k in range(3, 60 if d == 1 else 200) if math.isqrt(k) ** 2 != k])
        lo = math.isqrt(n)
        correct = f"{lo} and {lo + 1}"
        half = n // 2
        distractors = [
            f"{lo - 1} and {lo}",
            f"{lo + 1} and {lo + 2}",
            f"{half} and {half + 1}",
            f"{lo * 2} and {lo * 2 + 1}",
        ]
        stem = f"Between which two consecutive whole numbers is √{n}?"
        hints = [
            "Find the perfect squares just below and just above the number.",
            f"{lo}² = {lo * lo} and {lo + 1}² = {(lo + 1) ** 2}.",
        ]
        solution = (
            f"{lo}² = {lo * lo} < {n} < {(lo + 1) ** 2} = {lo + 1}², so {lo} < √{n} < {lo + 1}."
        )
        params: dict[str, object] = {"form": "between", "n": n}
    else:
        while True:
            n = rng.choice([k for k in range(5, 150) if math.isqrt(k) ** 2 != k])
            root = math.sqrt(n)
            best = _rounded_tenth(root)
            if abs(float(best) - root) < 0.04:  # clearly closest to one tenth
                break
        correct = dec(best)
        distractors = [dec(best + Fraction(s, 10)) for s in (-3, -2, 2, 3, 4)] + [
            dec(Fraction(n, 2))
        ]
        stem = f"Which number is closest to √{n}?"
        lo = math.isqrt(n)
        hints = [
            f"√{n} is between {lo} and {lo + 1}.",
            "Square each choice and see which square is closest to " + str(n) + ".",
        ]
        solution = (
            f"{correct}² = {dec(best * best)}, which is closer to {n} than the squares of the "
            f"other choices. √{n} ≈ {root:.3f}."
        )
        params = {"form": "closest", "n": n}
    return single_choice(
        rng, stem, correct, distractors, hints=hints, solution=solution, params=params
    )
