"""Grade 3 item generators."""

from __future__ import annotations

import random
from fractions import Fraction

from tandem.content.generators.base import (
    NAMES,
    Draft,
    numeric,
    plural,
    register,
    single_choice,
    solution_unit,
)

# ------------------------------------------------------------------ 3.OA.C.7


@register("3.OA.C.7/facts", title="Multiply and divide within 100")
def multiply_divide_facts(rng: random.Random, d: int) -> Draft:
    lo, hi = {1: (2, 5), 2: (2, 9), 3: (4, 10)}[d]
    a, b = rng.randint(lo, hi), rng.randint(lo, hi)
    op = rng.choice(["×", "÷"])
    if op == "×":
        value = a * b
        stem = f"What is {a} × {b}?"
        hints = [
            f"{a} × {b} means {a} groups of {b}.",
            f"Skip-count by {b}, {a} times: "
            f"{', '.join(str(b * i) for i in range(1, min(a, 4) + 1))}, …",
        ]
        solution = f"{a} groups of {b} make {value}, so {a} × {b} = {value}."
        params: dict[str, object] = {"op": op, "a": a, "b": b}
    else:
        dividend = a * b
        value = b
        stem = f"What is {dividend} ÷ {a}?"
        hints = [
            f"Think of a multiplication fact: {a} × ? = {dividend}.",
            f"Count by {a}s until you reach {dividend}; the number of steps is the answer.",
        ]
        solution = f"{a} × {b} = {dividend}, so {dividend} ÷ {a} = {b}."
        params = {"op": op, "dividend": dividend, "divisor": a}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 3.OA.A.4


@register("3.OA.A.4/unknown-number", title="Find the unknown number in a × or ÷ equation")
def unknown_factor(rng: random.Random, d: int) -> Draft:
    hi = {1: 5, 2: 9, 3: 10}[d]
    a, b = rng.randint(2, hi), rng.randint(2, hi)
    p = a * b
    forms = {1: ["a*?=p", "?*b=p"], 2: ["a*?=p", "?*b=p", "p/?=b"], 3: ["p/?=b", "?/a=b", "p=a*?"]}
    form = rng.choice(forms[d])
    equation, value = {
        "a*?=p": (f"{a} × ? = {p}", b),
        "?*b=p": (f"? × {b} = {p}", a),
        "p/?=b": (f"{p} ÷ ? = {b}", a),
        "?/a=b": (f"? ÷ {a} = {b}", p),
        "p=a*?": (f"{p} = {a} × ?", b),
    }[form]
    stem = f"What number makes this equation true?\n{equation}"
    if form.startswith("?/"):
        hints = [
            "The unknown is the number being divided.",
            f"Dividing by {a} gives {b}, so the unknown is {a} groups of {b}.",
        ]
        solution = f"? ÷ {a} = {b} means ? = {a} × {b} = {p}."
    else:
        hints = [
            "Think about the multiplication fact that uses these numbers.",
            f"Ask yourself: which number times the other gives {p}? Divide to find it.",
        ]
        solution = (
            f"{a} × {b} = {p}, so the unknown number is {value}.\nCheck: "
            f"{equation.replace('?', str(value))}."
        )
    params: dict[str, object] = {"form": form, "a": a, "b": b, "p": p}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 3.OA.D.8


@register("3.OA.D.8/two-step", title="Two-step word problems")
def two_step(rng: random.Random, d: int) -> Draft:
    name = rng.choice(NAMES)
    template = rng.choice(["buy-packs", "spend", "share-then-eat", "rows-minus"])
    hi = {1: 5, 2: 8, 3: 10}[d]
    if template == "buy-packs":
        start = rng.randint(5, 20 * d)
        packs, per = rng.randint(2, hi), rng.randint(3, hi)
        value = start + packs * per
        stem = (
            f"{name} has {start} stickers. {name} buys {packs} packs of stickers with {per} "
            f"stickers in each pack. How many stickers does {name} have now?"
        )
        solution = (
            f"New stickers: {packs} × {per} = {packs * per}.\nTotal: {start} + {packs * per} = "
            f"{value}."
        )
        params: dict[str, object] = {
            "template": template,
            "start": start,
            "packs": packs,
            "per": per,
        }
    elif template == "spend":
        qty, price = rng.randint(2, hi), rng.randint(2, hi)
        cost = qty * price
        start = cost + rng.randint(1, 10 * d)
        value = start - cost
        stem = (
            f"{name} has ${start}. {name} buys {qty} books that cost ${price} each. "
            f"How many dollars does {name} have left?"
        )
        solution = (
            f"Cost of the books: {qty} × ${price} = ${cost}.\nLeft: ${start} − ${cost} = ${value}."
        )
        params = {"template": template, "start": start, "qty": qty, "price": price}
    elif template == "share-then-eat":
        bags, per = rng.randint(2, hi), rng.randint(3, hi)
        total = bags * per
        eaten = rng.randint(1, per - 1)
        value = per - eaten
        stem = (
            f"{name} shares {total} grapes equally among {bags} friends. One friend eats "
            f"{eaten} of the grapes. How many grapes does that friend have left?"
        )
        solution = (
            f"Each friend gets {total} ÷ {bags} = {per} grapes.\nLeft: {per} − {eaten} = {value}."
        )
        params = {"template": template, "total": total, "bags": bags, "eaten": eaten}
    else:
        rows, per = rng.randint(2, hi), rng.randint(3, hi)
        total = rows * per
        empty = rng.randint(1, total - 1)
        value = total - empty
        stem = (
            f"A theater has {rows} rows with {per} seats in each row. {empty} seats are empty. "
            f"How many seats are filled?"
        )
        solution = f"Total seats: {rows} × {per} = {total}.\nFilled: {total} − {empty} = {value}."
        params = {"template": template, "rows": rows, "per": per, "empty": empty}
    hints = [
        "This problem takes two steps. What do you need to find first?",
        "Use multiplication or division for the equal groups, then add or subtract.",
    ]
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 3.NBT.A.1


def _round_half_up(n: int, place: int) -> int:
    return (n + place // 2) // place * place


@register("3.NBT.A.1/round", title="Round to the nearest 10 or 100")
def round_10_100(rng: random.Random, d: int) -> Draft:
    if d == 1:
        n, place = rng.randint(11, 99), 10
    elif d == 2:
        n, place = rng.randint(101, 999), 10
    else:
        n, place = rng.randint(101, 999), 100
    if n % place == 0:
        n += rng.randint(1, place - 1)
    down = n // place * place
    up = down + place
    value = _round_half_up(n, place)
    other = 100 if place == 10 else 10
    distractors = [
        up if value == down else down,
        _round_half_up(n, other),
        value + place,
        max(value - place, 0),
        value + 2 * place,
    ]
    word = {10: "ten", 100: "hundred"}[place]
    digit = (n // (place // 10)) % 10
    stem = f"Round {n} to the nearest {word}."
    hints = [
        f"Find the two multiples of {place} that {n} is between.",
        f"{n} is between {down} and {up}. Look at the {('ones', 'tens')[place == 100]} digit: 5 "
        "or more rounds up.",
    ]
    solution = (
        f"{n} is between {down} and {up}. The {('ones', 'tens')[place == 100]} digit is {digit}, "
        f"which is {'5 or more, so round up' if digit >= 5 else 'less than 5, so round down'}. "
        f"{n} rounds to {value}."
    )
    params: dict[str, object] = {"n": n, "place": place}
    return single_choice(
        rng,
        stem,
        str(value),
        [str(x) for x in distractors],
        hints=hints,
        solution=solution,
        params=params,
    )


# ------------------------------------------------------------------ 3.NBT.A.2


@register("3.NBT.A.2/add-subtract", title="Add and subtract within 1000")
def add_sub_1000(rng: random.Random, d: int) -> Draft:
    op = rng.choice(["+", "−"])
    if d == 1:
        a, b = rng.randint(10, 99), rng.randint(10, 99)
    elif d == 2:
        a, b = rng.randint(100, 499), rng.randint(10, 499)
    else:
        a, b = rng.randint(300, 999), rng.randint(101, 699)
        if op == "−" and rng.random() < 0.5:
            a = rng.randint(3, 9) * 100 + rng.randint(0, 9)  # subtract across a zero
    if op == "+":
        if a + b > 1000:
            a, b = a // 2, b // 2
        value = a + b
    else:
        if a < b:
            a, b = b, a
        if a == b:
            a += 7
        value = a - b
    stem = f"What is {a} {op} {b}?"
    if op == "+":
        hints = [
            "Add ones, then tens, then hundreds.",
            "If a place adds to 10 or more, regroup 10 of them into the next place.",
        ]
        solution = f"{a} + {b}: add by place value: {a} + {b} = {value}."
    else:
        hints = [
            "Subtract ones, then tens, then hundreds.",
            "If the top digit is smaller, regroup 1 from the next place. Or count up from the "
            "smaller number.",
        ]
        solution = f"{a} − {b} = {value}. Check: {value} + {b} = {a}."
    params: dict[str, object] = {"op": op, "a": a, "b": b}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 3.NF.A.3.b

_G3_PAIRS = [(2, 4), (2, 6), (2, 8), (3, 6), (4, 8)]


@register("3.NF.A.3.b/equivalent", title="Find equivalent fractions")
def equivalent_fractions(rng: random.Random, d: int) -> Draft:
    small, big = rng.choice(_G3_PAIRS)
    k = big // small
    a = rng.randint(1, small - 1) if d < 3 else rng.randint(1, 2 * small - 1)
    n1, d1, n2, d2 = a, small, a * k, big
    if d == 1:
        unknown = "n2"
    elif d == 2:
        unknown = rng.choice(["n1", "n2"])
    else:
        unknown = rng.choice(["d1", "d2"])
    if rng.random() < 0.5:  # write the larger-denominator fraction first
        n1, d1, n2, d2 = n2, d2, n1, d1
        unknown = {"n1": "n2", "n2": "n1", "d1": "d2", "d2": "d1"}[unknown]
    vals = {"n1": n1, "d1": d1, "n2": n2, "d2": d2}
    value = vals[unknown]
    shown = {key: ("?" if key == unknown else str(v)) for key, v in vals.items()}
    eq = f"{shown['n1']}/{shown['d1']} = {shown['n2']}/{shown['d2']}"
    stem = f"Find the missing number that makes the fractions equivalent.\n{eq}"
    k_txt = f"{k}"
    hints = [
        "Equivalent fractions name the same amount of the whole.",
        f"One denominator is {k_txt} times the other, so the numerators must be in the same "
        "relationship.",
    ]
    solution = (
        f"{a}/{small} = {a * k}/{big} because each 1/{small} is split into {k} equal parts of "
        f"size 1/{big}: "
        f"{a} × {k} = {a * k} and {small} × {k} = {big}.\n"
        f"So the missing number is {value}: {n1}/{d1} = {n2}/{d2}."
    )
    params: dict[str, object] = {"n1": n1, "d1": d1, "n2": n2, "d2": d2, "unknown": unknown}
    return numeric(stem, value, hints=hints, solution=solution, params=params)


# ------------------------------------------------------------------ 3.NF.A.3.d


@register("3.NF.A.3.d/compare", title="Compare fractions with a common numerator or denominator")
def compare_same_part(rng: random.Random, d: int) -> Draft:
    mode = {1: "same-den", 2: "same-num", 3: rng.choice(["same-den", "same-num"])}[d]
    if mode == "same-den":
        den = rng.choice([3, 4, 6, 8])
        top = den - 1 if d < 3 else 2 * den
        n1, n2 = rng.sample(range(1, top + 1), 2)
        d1 = d2 = den
    else:
        n1 = n2 = rng.randint(1, 3 if d < 3 else 5)
        d1, d2 = rng.sample([2, 3, 4, 6, 8], 2)
    left, right = f"{n1}/{d1}", f"{n2}/{d2}"
    x, y = Fraction(n1, d1), Fraction(n2, d2)
    sym = ">" if x > y else "<"
    wrong = "<" if sym == ">" else ">"
    stem = f"Compare {left} and {right}. Which statement is true?"
    if mode == "same-den":
        hints = [
            "Both fractions have the same size pieces.",
            f"Each piece is 1/{d1}. Which fraction has more pieces?",
        ]
        reason = (
            f"Both count pieces of size 1/{d1}, and {plural(max(n1, n2), 'piece')} "
            f"are more than {plural(min(n1, n2), 'piece')}."
        )
    else:
        hints = [
            "Both fractions have the same number of pieces. Which pieces are bigger?",
            "The more equal parts a whole is cut into, the smaller each part is.",
        ]
        reason = (
            f"Both have {plural(n1, 'piece')}. 1/{min(d1, d2)} is bigger than 1/{max(d1, d2)} "
            "because the whole "
            f"is cut into fewer parts, so {n1}/{min(d1, d2)} is the larger fraction."
        )
    solution = f"{reason}\nSo {left} {sym} {right}."
    params: dict[str, object] = {"n1": n1, "d1": d1, "n2": n2, "d2": d2}
    misconceptions = {}
    if mode == "same-num":
        misconceptions[f"{left} {wrong} {right}"] = (
            f"It looks like you thought a bigger bottom number means a bigger fraction. A whole "
            f"cut into {max(d1, d2)} parts has smaller pieces than one cut into {min(d1, d2)}, "
            f"so 1/{max(d1, d2)} is smaller than 1/{min(d1, d2)}."
        )
    return single_choice(
        rng,
        stem,
        f"{left} {sym} {right}",
        [f"{left} {wrong} {right}", f"{left} = {right}"],
        hints=hints,
        solution=solution,
        params=params,
        n_choices=3,
        misconceptions=misconceptions,
    )


# ------------------------------------------------------------------ 3.MD.C.7.b


@register("3.MD.C.7.b/rectangle-area", title="Area of a rectangle by multiplying side lengths")
def rectangle_area(rng: random.Random, d: int) -> Draft:
    lo, hi = {1: (2, 5), 2: (3, 9), 3: (6, 10)}[d]
    length, width = rng.randint(lo, hi), rng.randint(lo, hi)
    thing, unit = rng.choice(
        [
            ("rug", "feet"),
            ("garden", "meters"),
            ("poster", "inches"),
            ("patio", "yards"),
            ("tile", "centimeters"),
        ]
    )
    symbol = {"feet": "ft²", "meters": "m²", "inches": "in²", "yards": "yd²", "centimeters": "cm²"}
    square = {
        "feet": "square feet",
        "meters": "square meters",
        "inches": "square inches",
        "yards": "square yards",
        "centimeters": "square centimeters",
    }[unit]
    value = length * width
    if d == 3:
        stem = (
            f"A rectangular {thing} is {length} {unit} long and {width} {unit} wide. "
            f"It is covered with unit squares with no gaps or overlaps. How many {square} is its "
            "area?"
        )
    else:
        stem = (
            f"A rectangular {thing} is {length} {unit} long and {width} {unit} wide. What is its "
            f"area in {square}?"
        )
    hints = [
        "Area is the number of unit squares that cover the shape.",
        f"There are {width} rows of {length} unit squares. Multiply the side lengths.",
    ]
    solution = f"Area = length × width = {length} × {width} = {value} {square}."
    params: dict[str, object] = {"length": length, "width": width}
    area_not_perimeter = (
        "It looks like you added the sides, which measures the distance around (the "
        "perimeter). Area counts the unit squares inside: multiply the length by the width."
    )
    misconceptions = [
        (2 * (length + width), area_not_perimeter),
        (length + width, area_not_perimeter),
    ]
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        misconceptions=misconceptions,
        unit=symbol[unit],
    )


# ------------------------------------------------------------------ 3.MD.D.8


@register("3.MD.D.8/perimeter", title="Perimeter of polygons, including an unknown side")
def perimeter(rng: random.Random, d: int) -> Draft:
    n_sides = {1: 4, 2: rng.randint(3, 6), 3: rng.randint(3, 6)}[d]
    shape = {3: "triangle", 4: "quadrilateral", 5: "pentagon", 6: "hexagon"}[n_sides]
    if d == 1:
        length, width = rng.sample(range(2, 16), 2)
        sides = [length, width, length, width]
        shape = "rectangle"
    else:
        sides = [rng.randint(2, 9 * d) for _ in range(n_sides)]
    total = sum(sides)
    if d < 3:
        unknown: int | None = None
        value = total
        if shape == "rectangle":
            stem = (
                f"A rectangle is {sides[0]} cm long and {sides[1]} cm wide. What is its "
                "perimeter in centimeters?"
            )
        else:
            stem = (
                f"A {shape} has sides of {', '.join(map(str, sides[:-1]))} and {sides[-1]} cm. "
                "What is its perimeter in centimeters?"
            )
        hints = [
            "Perimeter is the distance all the way around the shape.",
            "Add the lengths of all the sides.",
        ]
        solution = f"{' + '.join(map(str, sides))} = {total} cm."
    else:
        unknown = rng.randrange(n_sides)
        value = sides[unknown]
        known = [s for i, s in enumerate(sides) if i != unknown]
        stem = (
            f"A {shape} has a perimeter of {total} cm. {n_sides - 1} of its sides measure "
            f"{', '.join(map(str, known[:-1]))} and {known[-1]} cm. How long is the last side, "
            "in centimeters?"
        )
        hints = [
            "The perimeter is the sum of all the side lengths.",
            f"Add the known sides, then subtract that sum from {total}.",
        ]
        solution = (
            f"Known sides: {' + '.join(map(str, known))} = {sum(known)} cm.\nMissing side: "
            f"{total} − {sum(known)} = {value} cm."
        )
    params: dict[str, object] = {"sides": sides, "unknown": unknown, "perimeter": total}
    misconceptions: list[tuple[int, str]] = []
    if shape == "rectangle" and unknown is None:
        misconceptions = [
            (
                sides[0] * sides[1],
                "It looks like you multiplied, which finds the area (the squares inside). "
                "Perimeter is the distance all the way around: add all four sides.",
            ),
            (
                sides[0] + sides[1],
                "It looks like you added only two sides. A rectangle has four: two lengths and "
                "two widths.",
            ),
        ]
    elif unknown is not None:
        misconceptions = [
            (
                sum(sides) - value,
                "That is the other sides added up. Take that sum away from the perimeter to find "
                "the last side.",
            )
        ]
    return numeric(
        stem,
        value,
        hints=hints,
        solution=solution,
        params=params,
        misconceptions=misconceptions,
        unit="cm",
    )


# ------------------------------------------------------------------ 3.MD.C.7.d


@register("3.MD.C.7.d/rectilinear-area", title="Area of rectilinear figures by decomposing")
def rectilinear_area(rng: random.Random, d: int) -> Draft:
    hi = {1: 5, 2: 8, 3: 10}[d]
    if d < 3:
        a, b = rng.randint(2, hi), rng.randint(2, hi)
        c, e = rng.randint(2, hi), rng.randint(2, hi)
        value = a * b + c * e
        stem = (
            f"An L-shaped garden is made of two rectangles that do not overlap. One rectangle is "
            f"{a} m by {b} m and the other is {c} m by {e} m. What is the area of the garden in "
            "square meters?"
        )
        solution = (
            f"Rectangle 1: {a} × {b} = {a * b} m².\nRectangle 2: {c} × {e} = {c * e} m².\nTotal: "
            f"{a * b} + {c * e} = {value} m²."
        )
        params: dict[str, object] = {"form": "add", "rects": [[a, b], [c, e]]}
    else:
        big_l, big_w = rng.randint(5, hi), rng.randint(4, hi)
        cut_l, cut_w = rng.randint(1, big_l - 2), rng.randint(1, big_w - 2)
        value = big_l * big_w - cut_l * cut_w
        stem = (
            f"A floor is a {big_l} ft by {big_w} ft rectangle with a {cut_l} ft by {cut_w} ft "
            f"rectangle cut out of one corner. What is the area of the floor in square feet?"
        )
        solution = (
            f"Whole rectangle: {big_l} × {big_w} = {big_l * big_w} ft².\n"
            f"Cut-out corner: {cut_l} × {cut_w} = {cut_l * cut_w} ft².\n"
            f"Floor: {big_l * big_w} − {cut_l * cut_w} = {value} ft²."
        )
        params = {"form": "cut", "big": [big_l, big_w], "cut": [cut_l, cut_w]}
    hints = [
        "Break the shape into rectangles (or think of a big rectangle with a piece missing).",
        "Find the area of each rectangle by multiplying its sides, then add (or subtract).",
    ]
    unit = solution_unit(solution)
    return numeric(stem, value, hints=hints, solution=solution, params=params, unit=unit)
