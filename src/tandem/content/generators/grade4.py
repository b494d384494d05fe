"""Grade 4 item generators."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from tandem.content.generators.base import (
    NAMES,
    Draft,
    chain,
    mixed,
    multiple_choice,
    num,
    numeric,
    plural,
    register,
    short_text,
    single_choice,
    solution_unit,
)
from tandem.content.generators.kinds import NUMBER_WORDS

# ------------------------------------------------------------------ 4.OA.A.2


@register("4.OA.A.2/multiplicative-comparison", title="Multiplicative comparison word problems")
def multiplicative_comparison(rng: random.Random, d: int) -> Draft:
    f_hi, s_hi = {1: (5, 10), 2: (9, 12), 3: (9, 25)}[d]
    factor, small = rng.randint(2, f_hi), rng.randint(2, s_hi)
    big = factor * small
    a, b = rng.sample(NAMES, 2)
    form = rng.choice(["times", "divide", "factor"])
    if form == "times":
        value = big
        stem = (
            f"{a} has {small} marbles. {b} has {factor} times as many marbles as {a}. How many "
            f"marbles does {b} have?"
        )
        solution = f"{factor} times as many as {small} is {factor} × {small} = {big}."
        params: dict[str, object] = {"form": form, "small": small, "factor": factor}
        nudge = f"“{factor} times as many” means multiply {a}'s amount by {factor}."
    elif form == "divide":
        value = small
        stem = (
            f"{a} has {big} stickers. That is {factor} times as many stickers as {b} has. How "
            f"many stickers does {b} have?"
        )
        solution = f"{big} = {factor} × ?, so ? = {big} ÷ {factor} = {small}."
        params = {"form": form, "big": big, "factor": factor}
        nudge = f"Write the equation {big} = {factor} × ? and find the unknown."
    else:
        value = factor
        stem = (
            f"A tree is {big} feet tall. A bush is {small} feet tall. How many times as tall as "
            "the bush is the tree?"
        )
        solution = (
            f"{big} = ? × {small}, so ? = {big} ÷ {small} = {factor}. The tree is {factor} times "
            "as tall."
        )
        params = {"form": form, "big": big, "small": small}
        nudge = f"Write the equation {big} = ? × {small} and find the unknown."
    hints = ["This compares two amounts by multiplying, not by adding.", nudge]
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 4.OA.B.4

_RICH_COMPOSITES = [n for n in range(12, 101) if sum(1 for k in range(2, n) if n % k == 0) >= 4]
_LOOKALIKE_COMPOSITES = [21, 27, 33, 39, 49, 51, 57, 63, 69, 77, 81, 87, 91, 93, 99, 15, 25, 35, 45]
_PRIMES = [p for p in range(2, 101) if all(p % k for k in range(2, p))]


@register(
    "4.OA.B.4/factors-multiples-primes",
    title="Factors, multiples, primes and composites",
)
def factors_multiples(rng: random.Random, d: int) -> Draft:
    variant = rng.choice(["factors", "multiples", "primes"])
    n_true = rng.randint(2, 3)
    if variant == "factors":
        n = rng.choice([x for x in _RICH_COMPOSITES if x <= {1: 36, 2: 60, 3: 100}[d]])
        divisors = [k for k in range(2, n) if n % k == 0]
        trues = rng.sample(divisors, min(n_true, len(divisors)))
        falses = [k for k in range(2, n) if n % k] + [2 * n]  # 2n: a multiple, not a factor
        stem = f"Select all the numbers that are factors of {n}."
        hints = [
            f"A factor of {n} divides {n} with no remainder.",
            f"List the factor pairs of {n}: 1 × {n}, 2 × ?, 3 × ?, …",
        ]
        pairs = [f"{k} × {n // k}" for k in range(1, n + 1) if n % k == 0 and k <= n // k]
        solution = f"Factor pairs of {n}: {', '.join(pairs)}."
        params: dict[str, object] = {"variant": variant, "n": n}
    elif variant == "multiples":
        n = rng.randint({1: 2, 2: 3, 3: 6}[d], {1: 5, 2: 9, 3: 12}[d])
        mults = [n * m for m in range(2, 100 // n + 1)]
        trues = rng.sample(mults, n_true)
        falses = sorted({x + s for x in mults for s in (-1, 1, 2) if (x + s) % n and x + s <= 100})
        stem = f"Select all the numbers that are multiples of {n}."
        hints = [
            f"A multiple of {n} is {n} times a whole number.",
            f"Divide each number by {n}; is there a remainder?",
        ]
        shown = ", ".join(f"{n} × {x // n} = {x}" for x in sorted(trues))
        solution = f"Multiples of {n}: {shown}. The others leave a remainder when divided by {n}."
        params = {"variant": variant, "n": n}
    else:
        lim = {1: 30, 2: 60, 3: 100}[d]
        trues = rng.sample([p for p in _PRIMES if p <= lim], n_true)
        falses = [c for c in _LOOKALIKE_COMPOSITES if c <= lim] + [c for c in range(4, lim, 2)]
        stem = "Select all the prime numbers."
        hints = [
            "A prime number has exactly two factors: 1 and itself.",
            "Try dividing each number by 2, 3, 5 and 7.",
        ]
        solution = "Prime: " + ", ".join(map(str, sorted(trues))) + ". "
        params = {"variant": variant, "n": None}
    false_pick = rng.sample(sorted(set(falses) - set(trues)), 6 - len(trues))
    if variant == "primes":
        explain = []
        for c in sorted(false_pick):
            k = next(k for k in range(2, c) if c % k == 0)
            explain.append(f"{c} = {k} × {c // k}")
        solution += "Composite: " + ", ".join(explain) + "."
        stem = "Select all the prime numbers in the list."
    options = [(str(x), True) for x in trues] + [(str(x), False) for x in false_pick]
    return multiple_choice(rng, stem, options, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 4.NBT.A.2

_ONES = NUMBER_WORDS
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words_below_1000(n: int, hyphen: bool, use_and: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest:
        if rest < 20:
            tail = _ONES[rest]
        else:
            t, u = divmod(rest, 10)
            tail = _TENS[t] + (("-" if hyphen else " ") + _ONES[u] if u else "")
        if hundreds and use_and:
            parts.append("and")
        parts.append(tail)
    return " ".join(parts)


def number_words(n: int, *, hyphen: bool = True, use_and: bool = False, comma: bool = False) -> str:
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _words_below_1000(rest, hyphen, use_and)
    head = _words_below_1000(thousands, hyphen, use_and) + " thousand"
    if not rest:
        return head
    return head + ("," if comma else "") + " " + _words_below_1000(rest, hyphen, use_and)


@register("4.NBT.A.2/number-names", title="Write multi-digit numbers in words")
def number_names(rng: random.Random, d: int) -> Draft:
    lo, hi = {1: (1_001, 9_999), 2: (10_001, 99_999), 3: (100_001, 999_999)}[d]
    n = rng.randint(lo, hi)
    if d == 3 and rng.random() < 0.5:  # put zeros in the middle: 305,060
        digits = list(str(n))
        for i in rng.sample(range(1, len(digits) - 1), 2):
            digits[i] = "0"
        n = int("".join(digits))
    if n % 1000 == 0:
        n += rng.randint(1, 9)
    accepted = [
        number_words(n, hyphen=h, use_and=a, comma=c)
        for h, a, c in itertools.product((True, False), (False, True), (False, True))
    ]
    stem = f"Write {num(n)} in words."
    hints = [
        "Read the number in groups: the thousands period, then the rest.",
        f"{num(n)} = {n // 1000} thousand and {n % 1000}. Write each part in words.",
    ]
    th, rest = divmod(n, 1000)
    solution = (
        f"{num(n)} has {th} thousands and {rest} more.\n"
        f"{th} thousand → “{number_words(th * 1000)}”; {rest} → “{number_words(rest)}”.\n"
        f"Answer: {accepted[0]}."
    )
    params: dict[str, object] = {"n": n}
    return short_text(stem, accepted, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 4.NBT.A.3

_PLACE_NAMES = {
    10: "ten",
    100: "hundred",
    1000: "thousand",
    10_000: "ten thousand",
    100_000: "hundred thousand",
}


@register("4.NBT.A.3/round", title="Round multi-digit whole numbers to any place")
def round_any_place(rng: random.Random, d: int) -> Draft:
    if d == 1:
        n, place = rng.randint(1_000, 9_999), rng.choice([10, 100])
    elif d == 2:
        n, place = rng.randint(10_000, 99_999), rng.choice([100, 1000])
    else:
        n, place = rng.randint(100_000, 999_999), rng.choice([1000, 10_000, 100_000])
        if rng.random() < 0.4:  # force a carry through a 9: 349,960 to the nearest thousand
            digits = list(f"{n:06d}")
            idx = 6 - len(str(place))
            digits[idx], digits[idx + 1] = "9", str(rng.randint(5, 9))
            n = int("".join(digits))
    if n % place == 0:
        n += rng.randint(1, place - 1)
    value = (n + place // 2) // place * place
    down = n // place * place
    digit = (n // (place // 10)) % 10
    stem = f"Round {num(n)} to the nearest {_PLACE_NAMES[place]}."
    hints = [
        f"Find the two multiples of {num(place)} that {num(n)} lies between.",
        f"Look at the digit just to the right of the {_PLACE_NAMES[place]}s place. 5 or more "
        "rounds up.",
    ]
    solution = (
        f"{num(n)} is between {num(down)} and {num(down + place)}. The digit to the right of the "
        f"{_PLACE_NAMES[place]}s place is {digit}, so round {'up' if digit >= 5 else 'down'}: "
        f"{num(value)}."
    )
    params: dict[str, object] = {"n": n, "place": place}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 4.NBT.B.6


@register("4.NBT.B.6/divide-remainder", title="Whole-number quotients and remainders")
def divide_with_remainder(rng: random.Random, d: int) -> Draft:
    divisor = rng.randint(2, 9) if d > 1 else rng.randint(2, 5)
    lo, hi = {1: (20, 99), 2: (100, 999), 3: (1000, 9999)}[d]
    dividend = rng.randint(lo, hi)
    if dividend % divisor == 0:
        dividend += rng.randint(1, divisor - 1)
        if dividend > hi:
            dividend -= divisor
    q, r = divmod(dividend, divisor)
    q_forms = dict.fromkeys([str(q), f"{q:,}"])
    accepted = [
        template.format(q=qf, r=r)
        for qf in q_forms
        for template in (
            "{q} R {r}",
            "{q} R{r}",
            "{q}R{r}",
            "{q}R {r}",
            "{q} remainder {r}",
            "{q} rem {r}",
            "{q} r. {r}",
            "{q} with remainder {r}",
            "{q} remainder of {r}",
        )
    ]
    stem = (
        f"Divide: {num(dividend)} ÷ {divisor}.\nWrite the quotient and the remainder, like 12 R 3."
    )
    hints = [
        f"How many groups of {divisor} fit into {num(dividend)}? What is left over?",
        "Divide place by place, starting with the largest place. The remainder must be less "
        f"than {divisor}.",
    ]
    solution = (
        f"{divisor} × {num(q)} = {num(divisor * q)}, and {num(dividend)} − {num(divisor * q)} = "
        f"{r}.\n"
        f"Since {r} < {divisor}, the answer is {num(q)} R {r}.\n"
        f"Check: {divisor} × {num(q)} + {r} = {num(dividend)}."
    )
    params: dict[str, object] = {"dividend": dividend, "divisor": divisor}
    return short_text(stem, accepted, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 4.NF.A.2

_G4_DENS = [2, 3, 4, 5, 6, 8, 10, 12]


def _fraction_pair(rng: random.Random, d: int) -> tuple[int, int, int, int]:
    while True:
        if d == 1:  # one below 1/2 and one above: benchmark comparison
            b, e = rng.sample(_G4_DENS[1:], 2)
            a = rng.randint(1, (b - 1) // 2)
            c = rng.randint(e // 2 + 1, e - 1)
        elif d == 2:  # one denominator is a multiple of the other
            b = rng.choice([2, 3, 4, 5, 6])
            e = b * rng.choice({2: [2, 3, 4], 3: [2, 4]}.get(b, [2]))
            a, c = rng.randint(1, b - 1), rng.randint(1, e - 1)
        else:
            b, e = rng.sample(_G4_DENS[1:], 2)
            a, c = rng.randint(1, b - 1), rng.randint(1, e - 1)
            if rng.random() < 0.25:  # make them equal
                g = Fraction(a, b)
                if (g * e).denominator == 1:
                    c = int(g * e)
        if a != c and b != e and (d == 3 or Fraction(a, b) != Fraction(c, e)):
            return a, b, c, e


@register("4.NF.A.2/compare", title="Compare fractions with different numerators and denominators")
def compare_fractions(rng: random.Random, d: int) -> Draft:
    a, b, c, e = _fraction_pair(rng, d)
    x, y = Fraction(a, b), Fraction(c, e)
    left, right = f"{a}/{b}", f"{c}/{e}"
    sym = ">" if x > y else "<" if x < y else "="
    statements = [f"{left} {s} {right}" for s in (">", "<", "=")]
    correct = f"{left} {sym} {right}"
    lcd = b * e // _gcd(b, e)
    stem = f"Compare {left} and {right}. Which statement is true?"
    hints = [
        "Compare each fraction to a benchmark such as 1/2, or rewrite them with a common "
        "denominator.",
        f"Rewrite both fractions with denominator {lcd}.",
    ]
    solution = (
        f"{chain(left, f'{a * lcd // b}/{lcd}')} and {chain(right, f'{c * lcd // e}/{lcd}')}.\n"
        f"Compare numerators: {a * lcd // b} {sym} {c * lcd // e}, so {correct}."
    )
    params: dict[str, object] = {"a": a, "b": b, "c": c, "d": e}
    return single_choice(
        rng,
        stem,
        correct,
        [s for s in statements if s != correct],
        hints=hints,
        solution=solution,
        params=params,
        n_choices=3,
    )


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


# ------------------------------------------------------------------ 4.NF.B.3.c


@register("4.NF.B.3.c/mixed-numbers", title="Add and subtract mixed numbers with like denominators")
def mixed_numbers(rng: random.Random, d: int) -> Draft:
    den = rng.choice([3, 4, 5, 6, 8, 10, 12])
    w1, w2 = rng.randint(1, 3 * d + 2), rng.randint(1, 3 * d)
    if d == 1:
        op = "+"
        n1 = rng.randint(1, den - 2)
        n2 = rng.randint(1, den - 1 - n1)
    elif d == 2:
        op = "+"
        n1 = rng.randint(2, den - 1)
        n2 = rng.randint(den - n1, den - 1)
    else:
        op = "−"
        n1 = rng.randint(1, den - 2)
        n2 = rng.randint(n1 + 1, den - 1)
        if w1 <= w2:
            w1, w2 = w2 + 1, w1
    x, y = w1 + Fraction(n1, den), w2 + Fraction(n2, den)
    value = x + y if op == "+" else x - y
    left, right = f"{w1} {n1}/{den}", f"{w2} {n2}/{den}"
    stem = f"What is {left} {op} {right}?\nWrite your answer as a mixed number or a fraction."
    if op == "+":
        hints = [
            "Add the whole numbers, then add the fractions.",
            f"If the fractions add to {den}/{den} or more, that makes another whole.",
        ]
        solution = (
            f"Wholes: {w1} + {w2} = {w1 + w2}. Fractions: {n1}/{den} + {n2}/{den} = "
            f"{n1 + n2}/{den}.\n" + chain(f"{w1 + w2} + {n1 + n2}/{den}", mixed(value)) + "."
        )
    else:
        hints = [
            f"{n1}/{den} is less than {n2}/{den}, so you need to regroup.",
            f"Rewrite {left} as {w1 - 1} {n1 + den}/{den}, then subtract.",
        ]
        solution = (
            f"{left} = {w1 - 1} {n1 + den}/{den}.\n"
            + chain(
                f"{w1 - 1} {n1 + den}/{den} − {right}",
                f"{w1 - 1 - w2} {n1 + den - n2}/{den}",
                mixed(value),
            )
            + "."
        )
    params: dict[str, object] = {"op": op, "w1": w1, "n1": n1, "w2": w2, "n2": n2, "den": den}
    if op == "+":
        misconceptions = [
            (
                w1 + w2 + Fraction(n1 + n2, 2 * den),
                f"It looks like you added the bottoms too. The pieces are still {den}ths: "
                f"add the tops and keep {den} on the bottom.",
            )
        ]
    else:
        misconceptions = [
            (
                w1 - w2 + Fraction(n2 - n1, den),
                f"It looks like you took {n1}/{den} from {n2}/{den}, the wrong way round. "
                f"{n1}/{den} is too small to take {n2}/{den} from it, so first trade one whole "
                f"for {den}/{den}.",
            )
        ]
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, misconceptions=misconceptions
    )


# ------------------------------------------------------------------ 4.NF.B.4.b


@register("4.NF.B.4.b/fraction-times-whole", title="Multiply a fraction by a whole number")
def fraction_times_whole(rng: random.Random, d: int) -> Draft:
    den = rng.choice(_G4_DENS)
    a = 1 if d == 1 else rng.randint(1, den - 1)
    n = rng.randint(2, {1: 9, 2: 9, 3: 12}[d])
    value = n * Fraction(a, den)
    if d == 3:
        name = rng.choice(NAMES)
        stem = (
            f"{name} runs {a}/{den} of a mile every day for {n} days. "
            f"How many miles does {name} run in all?\nWrite your answer as a fraction or mixed "
            "number."
        )
    else:
        stem = f"What is {n} × {a}/{den}?\nWrite your answer as a fraction or mixed number."
    hints = [
        f"{n} × {a}/{den} means {n} groups of {a}/{den}.",
        f"Each group is {plural(a, 'copy', 'copies')} of 1/{den}, so count {n} × {a} copies of "
        f"1/{den}.",
    ]
    solution = chain(f"{n} × {a}/{den}", f"({n} × {a})/{den}", f"{n * a}/{den}", mixed(value)) + "."
    params: dict[str, object] = {"n": n, "a": a, "b": den}
    misconceptions = [
        (
            Fraction(a, den),
            f"It looks like you multiplied the bottom by {n} too. {n} groups of {a}/{den} are "
            f"still {den}ths, so multiply only the top.",
        ),
        (
            Fraction(a, n * den),
            f"It looks like you multiplied the bottom by {n}. That makes the pieces smaller; "
            f"{n} groups of {a}/{den} should be more than {a}/{den}.",
        ),
    ]
    return numeric(
        stem, value, hints=hints, solution=solution, params=params, misconceptions=misconceptions
    )


# ------------------------------------------------------------------ 4.NF.C.7


@register("4.NF.C.7/compare-decimals", title="Compare decimals to hundredths")
def compare_decimals(rng: random.Random, d: int) -> Draft:
    whole = 0 if d < 3 else rng.randint(0, 5)
    if d == 1:
        x, y = (f"{whole}.{v:02d}" for v in rng.sample(range(1, 100), 2))
    elif d == 2:  # tenths against hundredths: the longer one is not always larger
        t = rng.randint(1, 9)
        x = f"{whole}.{t}"
        h = rng.choice([v for v in range(1, 100) if v % 10])
        y = f"{whole}.{h:02d}"
    else:
        t = rng.randint(1, 9)
        x = f"{whole}.{t}"
        y = rng.choice(
            [
                f"{whole}.{t}0",
                f"{whole}.{rng.randint(1, 9)}{rng.randint(1, 9)}",
                f"{whole + 1}.0{rng.randint(1, 9)}",
            ]
        )
    if rng.random() < 0.5:
        x, y = y, x
    fx, fy = Fraction(x), Fraction(y)
    sym = ">" if fx > fy else "<" if fx < fy else "="
    correct = f"{x} {sym} {y}"
    others = [f"{x} {s} {y}" for s in (">", "<", "=") if s != sym]
    stem = f"Both numbers refer to the same whole. Compare {x} and {y}. Which statement is true?"
    hx, hy = int(fx * 100), int(fy * 100)
    hints = [
        "Compare digits place by place, starting from the left. Longer does not mean larger.",
        "Write both numbers as hundredths, e.g. 0.7 = 0.70.",
    ]
    solution = f"{x} = {hx} hundredths and {y} = {hy} hundredths. {hx} {sym} {hy}, so {correct}."
    params: dict[str, object] = {"x": x, "y": y}
    # "Longer is larger": the digits after the point compared as whole numbers (0.45 > 0.5).
    (wx, _, dx), (wy, _, dy) = x.partition("."), y.partition(".")
    naive_x, naive_y = (int(wx), int(dx)), (int(wy), int(dy))
    naive = ">" if naive_x > naive_y else "<" if naive_x < naive_y else "="
    misconceptions = {}
    if naive != sym:
        misconceptions[f"{x} {naive} {y}"] = (
            f"It looks like you compared {dx} and {dy} as whole numbers. Longer does not mean "
            f"larger: write both as hundredths ({x} = {hx} hundredths, {y} = {hy} hundredths) "
            "and compare those."
        )
    return single_choice(
        rng,
        stem,
        correct,
        others,
        hints=hints,
        solution=solution,
        params=params,
        n_choices=3,
        misconceptions=misconceptions,
    )


# ------------------------------------------------------------------ 4.MD.A.3


@register("4.MD.A.3/area-perimeter", title="Apply the area and perimeter formulas for rectangles")
def area_perimeter(rng: random.Random, d: int) -> Draft:
    length = rng.randint(4, 9 * d + 3)
    width = rng.randint(2, max(3, length - 1))
    area, perim = length * width, 2 * (length + width)
    thing = rng.choice(["room", "garden", "playground", "classroom floor", "swimming pool"])
    forms = {
        1: ["area", "perimeter"],
        2: ["area", "perimeter", "width-from-area"],
        3: ["width-from-area", "width-from-perimeter"],
    }
    form = rng.choice(forms[d])
    if form == "area":
        value = area
        stem = (
            f"A rectangular {thing} is {length} m long and {width} m wide. What is its area in "
            "square meters?"
        )
        hints = [
            "Area is the number of unit squares that cover the rectangle.",
            f"Area of a rectangle = length × width = {length} × {width}.",
        ]
        solution = f"A = {length} × {width} = {area} m²."
        params: dict[str, object] = {"form": form, "length": length, "width": width}
    elif form == "perimeter":
        value = perim
        stem = (
            f"A rectangular {thing} is {length} m long and {width} m wide. What is its perimeter "
            "in meters?"
        )
        hints = [
            "Perimeter is the distance around: add all four sides.",
            "P = 2 × length + 2 × width.",
        ]
        solution = f"P = 2 × {length} + 2 × {width} = {2 * length} + {2 * width} = {perim} m."
        params = {"form": form, "length": length, "width": width}
    elif form == "width-from-area":
        value = width
        stem = (
            f"A rectangular {thing} has an area of {area} square meters. It is {length} m long. "
            "How wide is it, in meters?"
        )
        hints = ["Area = length × width, so width = area ÷ length.", f"{length} × ? = {area}"]
        solution = f"{length} × w = {area}, so w = {area} ÷ {length} = {width} m."
        params = {"form": form, "length": length, "area": area}
    else:
        value = width
        stem = (
            f"A rectangular {thing} has a perimeter of {perim} meters. It is {length} m long. "
            "How wide is it, in meters?"
        )
        hints = [
            "The perimeter includes two lengths and two widths.",
            f"Subtract the two lengths from {perim}, then split what is left into two equal "
            "widths.",
        ]
        solution = (
            f"2 × {length} = {2 * length}. {perim} − {2 * length} = {perim - 2 * length}. "
            f"{perim - 2 * length} ÷ 2 = {width} m."
        )
        params = {"form": form, "length": length, "perimeter": perim}
    unit = solution_unit(solution)
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        misconceptions=_area_perimeter_misconceptions(form, length, width),
        unit=unit,
    )


AREA_NOT_PERIMETER = (
    "It looks like you found the perimeter, the distance around. Area is how many unit squares "
    "cover the shape: multiply the length by the width."
)
PERIMETER_NOT_AREA = (
    "It looks like you found the area, the squares inside. Perimeter is the distance all the "
    "way around: add all four sides."
)
HALF_PERIMETER = (
    "It looks like you added only one length and one width. A rectangle has four sides: two "
    "lengths and two widths."
)


def _area_perimeter_misconceptions(
    form: str, length: int, width: int
) -> list[tuple[Fraction, str]]:
    area, perim = length * width, 2 * (length + width)
    if form == "area":
        return [
            (Fraction(perim), AREA_NOT_PERIMETER),
            (Fraction(length + width), AREA_NOT_PERIMETER),
        ]
    if form == "perimeter":
        return [(Fraction(area), PERIMETER_NOT_AREA), (Fraction(length + width), HALF_PERIMETER)]
    if form == "width-from-area":
        return [
            (
                Fraction(area - length),
                f"It looks like you subtracted. The area is length × width, so divide: "
                f"{area} ÷ {length}.",
            )
        ]
    return [
        (
            Fraction(perim - 2 * length),
            "That is both widths together. Split it into two equal widths.",
        ),
        (
            Fraction(perim - length),
            "The perimeter has two lengths in it: take away both, then split what is left "
            "into two widths.",
        ),
    ]


# ------------------------------------------------------------------ 4.MD.C.7


@register("4.MD.C.7/angle-addition", title="Angle measure is additive")
def angle_addition(rng: random.Random, d: int) -> Draft:
    if d == 1:
        parts = [rng.randint(10, 80), rng.randint(10, 80)]
        form, whole = "sum", sum(parts)
        value = whole
        stem = (
            f"Ray BD divides angle ABC into two angles. Angle ABD measures {parts[0]}° and angle "
            "DBC "
            f"measures {parts[1]}°. What is the measure of angle ABC, in degrees?"
        )
        solution = f"∠ABC = ∠ABD + ∠DBC = {parts[0]}° + {parts[1]}° = {whole}°."
    elif d == 2:
        whole = rng.choice([90, 180, rng.randint(60, 170)])
        parts = [rng.randint(10, whole - 10)]
        form, value = "part", whole - parts[0]
        desc = {90: "a right angle (90°)", 180: "a straight angle (180°)"}.get(
            whole, f"an angle of {whole}°"
        )
        stem = (
            f"Angle ABC is {desc}. Ray BD divides it into two angles. Angle ABD measures "
            f"{parts[0]}°. "
            f"What is the measure of angle DBC, in degrees?"
        )
        solution = f"∠DBC = ∠ABC − ∠ABD = {whole}° − {parts[0]}° = {value}°."
    else:
        whole = rng.choice([90, 180, 360])
        a = rng.randint(10, whole // 3)
        b = rng.randint(10, whole // 3)
        parts = [a, b]
        form, value = "part", whole - a - b
        desc = {90: "a right angle", 180: "a straight line", 360: "a full turn around a point"}[
            whole
        ]
        stem = (
            f"Three angles together make {desc} ({whole}°). Two of them measure {a}° and {b}°. "
            f"What is the measure of the third angle, in degrees?"
        )
        solution = f"{a}° + {b}° = {a + b}°. {whole}° − {a + b}° = {value}°."
    hints = [
        "When an angle is split into parts, the parts add up to the whole angle.",
        "Add the parts to find the whole, or subtract the known parts from the whole.",
    ]
    params: dict[str, object] = {"form": form, "whole": whole, "parts": parts}
    return numeric(stem, value, hints=hints, solution=solution, params=params)
