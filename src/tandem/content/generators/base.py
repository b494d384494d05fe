"""Item specification, generator registry and small helpers shared by the grade modules.

Pure Python: no Django.  A generator is a function ``build(rng, difficulty) -> Draft``
registered with :func:`register`; :class:`FunctionGenerator` wraps it, seeds a private
``random.Random`` per call, validates the draft and returns an :class:`ItemSpec`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Protocol

from tandem.content.generators.kinds import (
    CHOICE_KINDS,
    KINDS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
)

__all__ = [
    "Draft",
    "FunctionGenerator",
    "Generator",
    "GeneratorError",
    "ItemSpec",
    "register",
    "solution_unit",
]

Number = int | Fraction | Decimal


class GeneratorError(RuntimeError):
    """A generator produced an item that breaks the item invariants (a bug)."""


@dataclass(frozen=True, slots=True)
class ItemSpec:
    generator: str  # generator key, e.g. "6.EE.A.2.c/evaluate"
    seed: int
    kind: str  # see tandem.content.generators.kinds
    stem: str  # plain text, may contain newlines
    choices: tuple[str, ...]  # choice kinds only, else ()
    answer: tuple[str, ...]  # see check_answer
    tolerance: str  # numeric only: absolute tolerance as decimal string; "" otherwise
    unit: str  # numeric only: "cm", "m²", "π", "π cm³" (see check_answer); "" otherwise
    hints: tuple[str, ...]  # 1-3 progressive hints
    solution: str  # worked solution
    competency_codes: tuple[str, ...]  # coherence-map CCSS codes
    difficulty: int  # 1..3
    params: Mapping[str, object]  # JSON-serialisable random parameters
    # Typical wrong answers and what each one suggests the student did, as (answer, hint):
    # the answer in the key's form (a number, or a choice index), the hint for an 11-year-old.
    misconceptions: tuple[tuple[str, str], ...] = ()


class Generator(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def competency_codes(self) -> tuple[str, ...]: ...

    @property
    def title(self) -> str: ...

    def generate(self, seed: int, difficulty: int | None = None) -> ItemSpec: ...


@dataclass(frozen=True, slots=True)
class Draft:
    """What a build function returns; the wrapper adds key, seed, codes and difficulty."""

    kind: str
    stem: str
    answer: tuple[str, ...]
    hints: tuple[str, ...]
    solution: str
    params: dict[str, object] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    tolerance: str = ""
    unit: str = ""
    misconceptions: tuple[tuple[str, str], ...] = ()


BuildFn = Callable[[random.Random, int], Draft]


@dataclass(frozen=True, slots=True)
class FunctionGenerator:
    key: str
    competency_codes: tuple[str, ...]
    title: str
    build: BuildFn

    def generate(self, seed: int, difficulty: int | None = None) -> ItemSpec:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError("seed must be an int")
        rng = random.Random(seed)
        if difficulty is None:
            difficulty = rng.randint(1, 3)
        elif difficulty not in (1, 2, 3):
            raise ValueError(f"difficulty must be 1, 2 or 3, not {difficulty!r}")
        draft = self.build(rng, difficulty)
        _validate(self.key, draft)
        return ItemSpec(
            generator=self.key,
            seed=seed,
            kind=draft.kind,
            stem=draft.stem,
            choices=draft.choices,
            answer=draft.answer,
            tolerance=draft.tolerance,
            unit=draft.unit,
            hints=draft.hints,
            solution=draft.solution,
            competency_codes=self.competency_codes,
            difficulty=difficulty,
            params=draft.params,
            misconceptions=draft.misconceptions,
        )


def _validate(key: str, d: Draft) -> None:
    def fail(why: str) -> None:
        raise GeneratorError(f"{key}: {why} (stem {d.stem!r})")

    if d.kind not in KINDS:
        fail(f"unknown kind {d.kind!r}")
    if not d.stem.strip():
        fail("empty stem")
    if not 1 <= len(d.hints) <= 3 or not all(h.strip() for h in d.hints):
        fail("needs 1-3 non-empty hints")
    if not d.solution.strip():
        fail("empty solution")
    if not d.answer or not all(isinstance(a, str) and a for a in d.answer):
        fail("empty answer")
    if d.unit and d.kind != NUMERIC:
        fail("a unit is for numeric items only")
    if d.kind in CHOICE_KINDS:
        if len(d.choices) < 2 or len(set(d.choices)) != len(d.choices):
            fail("choices must be at least two and distinct")
        if not all(c.strip() for c in d.choices):
            fail("empty choice")
        indices = [int(a) for a in d.answer]
        if not all(0 <= i < len(d.choices) for i in indices):
            fail("answer index out of range")
        if d.kind == SINGLE_CHOICE and len(indices) != 1:
            fail("single choice needs exactly one answer")
        if d.kind == MULTIPLE_CHOICE and (
            indices != sorted(set(indices)) or len(indices) == len(d.choices)
        ):
            fail("multiple choice answer must be sorted, unique, and not every option")
        if d.tolerance:
            fail("tolerance is for numeric items only")
    else:
        if d.choices:
            fail("choices are for choice kinds only")
        if d.kind == NUMERIC:
            if len(d.answer) != 1:
                fail("numeric needs one answer")
            Fraction(d.answer[0])
            if Fraction(d.tolerance) < 0:
                fail("negative tolerance")
        elif d.kind == SHORT_TEXT and d.tolerance:
            fail("tolerance is for numeric items only")
    for wrong, hint in d.misconceptions:
        if not hint.strip():
            fail("a misconception needs a hint")
        if wrong in d.answer:
            fail(f"misconception answer {wrong!r} is the right answer")
        if d.kind in CHOICE_KINDS and not 0 <= int(wrong) < len(d.choices):
            fail("misconception choice index out of range")
        if d.kind == NUMERIC:
            Fraction(wrong)
    try:
        json.dumps(d.params)
    except TypeError:
        fail("params must be JSON-serialisable")


_REGISTRY: dict[str, FunctionGenerator] = {}


def register(
    key: str, *, title: str, codes: Sequence[str] | None = None
) -> Callable[[BuildFn], FunctionGenerator]:
    """Register ``build`` under ``key`` ("CODE/slug"); codes default to the key's CODE."""

    def decorate(build: BuildFn) -> FunctionGenerator:
        if key in _REGISTRY:
            raise ValueError(f"duplicate generator key {key!r}")
        gen_codes = tuple(codes) if codes is not None else (key.split("/", 1)[0],)
        gen = FunctionGenerator(key=key, competency_codes=gen_codes, title=title, build=build)
        _REGISTRY[key] = gen
        return gen

    return decorate


# --------------------------------------------------------------------------- kinds


def numeric(
    stem: str,
    value: Number,
    *,
    hints: Sequence[str],
    solution: str,
    params: dict[str, object],
    tolerance: str = "0",
    as_decimal: bool = False,
    unit: str = "",
    misconceptions: Sequence[tuple[Number, str]] = (),
) -> Draft:
    """A numeric item; ``unit`` is what the answer may carry after the number ("cm²", "π").
    ``misconceptions``: (typical wrong value, hint); a wrong value that is within the
    tolerance of the right one (a coincidence of the numbers drawn) is dropped, and so is
    a repeat of an earlier wrong value."""
    answer = dec(value) if as_decimal else frac(value)
    kept: dict[Fraction, str] = {}
    for wrong, hint in misconceptions:
        w = Fraction(wrong)
        if abs(w - Fraction(value)) > Fraction(tolerance or "0") and w not in kept:
            kept[w] = hint
    return Draft(
        kind=NUMERIC,
        stem=stem,
        answer=(answer,),
        hints=tuple(hints),
        solution=solution,
        params=params,
        tolerance=tolerance,
        unit=unit,
        misconceptions=tuple((frac(w), hint) for w, hint in kept.items()),
    )


def single_choice(
    rng: random.Random,
    stem: str,
    correct: str,
    distractors: Iterable[str],
    *,
    hints: Sequence[str],
    solution: str,
    params: dict[str, object],
    n_choices: int = 4,
    misconceptions: Mapping[str, str] | None = None,
) -> Draft:
    """Shuffle ``correct`` among the first distinct distractors (duplicates dropped).

    ``misconceptions`` maps a distractor's text to the hint for a student who chose it.
    """
    options = [correct]
    for d in distractors:
        if d not in options and d.strip():
            options.append(d)
        if len(options) == n_choices:
            break
    if len(options) < min(3, n_choices):
        raise GeneratorError(f"not enough distinct distractors for {stem!r}: {options}")
    rng.shuffle(options)
    return Draft(
        kind=SINGLE_CHOICE,
        stem=stem,
        choices=tuple(options),
        answer=(str(options.index(correct)),),
        hints=tuple(hints),
        solution=solution,
        params=params,
        misconceptions=tuple(
            (str(i), (misconceptions or {})[text])
            for i, text in enumerate(options)
            if text != correct and text in (misconceptions or {})
        ),
    )


def multiple_choice(
    rng: random.Random,
    stem: str,
    options: Sequence[tuple[str, bool]],
    *,
    hints: Sequence[str],
    solution: str,
    params: dict[str, object],
) -> Draft:
    opts = list(options)
    rng.shuffle(opts)
    return Draft(
        kind=MULTIPLE_CHOICE,
        stem=stem,
        choices=tuple(text for text, _ in opts),
        answer=tuple(str(i) for i, (_, ok) in enumerate(opts) if ok),
        hints=tuple(hints),
        solution=solution,
        params=params,
    )


def short_text(
    stem: str,
    accepted: Sequence[str],
    *,
    hints: Sequence[str],
    solution: str,
    params: dict[str, object],
) -> Draft:
    unique = tuple(dict.fromkeys(accepted))
    return Draft(
        kind=SHORT_TEXT,
        stem=stem,
        answer=unique,
        hints=tuple(hints),
        solution=solution,
        params=params,
    )


# ----------------------------------------------------------------------- formatting


def frac(x: Number) -> str:
    """Exact fraction string: "3/4", "-7/2", "5"."""
    f = Fraction(x)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def mixed(x: Number) -> str:
    """Mixed-number string: "1 3/4", "-2 1/3", "3/4", "5"."""
    f = Fraction(x)
    sign = "-" if f < 0 else ""
    f = abs(f)
    whole, rest = divmod(f.numerator, f.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    if whole == 0:
        return f"{sign}{rest}/{f.denominator}"
    return f"{sign}{whole} {rest}/{f.denominator}"


def is_terminating(x: Number) -> bool:
    d = Fraction(x).denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def dec(x: Number) -> str:
    """Exact decimal string of a terminating rational: "0.25", "-3", "1.5"."""
    f = Fraction(x)
    if not is_terminating(f):
        raise ValueError(f"{f} has no terminating decimal")
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(f.numerator) / Decimal(f.denominator)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def num(x: Number) -> str:
    """Display a number in a stem: integers with thousands separators, else decimal."""
    f = Fraction(x)
    if f.denominator == 1:
        return f"{f.numerator:,}"
    whole, _, frac_part = dec(f).partition(".")
    return f"{int(whole):,}.{frac_part}" if whole != "-0" else f"-0.{frac_part}"


def paren(text: str) -> str:
    """Wrap a negative number in parentheses for use inside an expression."""
    return f"({text})" if text.startswith("-") else text


def money(x: Number) -> str:
    f = Fraction(x)
    sign = "-" if f < 0 else ""
    cents = abs(f) * 100
    if cents.denominator != 1:
        raise ValueError(f"{f} is not a whole number of cents")
    dollars, c = divmod(cents.numerator, 100)
    return f"{sign}${dollars:,}.{c:02d}"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def sup(n: int) -> str:
    """Superscript an integer exponent: sup(-3) == "⁻³"."""
    return str(n).translate(_SUPERSCRIPT)


def linear(coef: Number, const: Number, var: str = "x") -> str:
    """Format coef·var + const: "2x − 15", "-x + 3", "x", "4", "0"."""
    a, b = Fraction(coef), Fraction(const)
    parts: list[str] = []
    if a != 0:
        mag = abs(a)
        body = (
            var
            if mag == 1
            else f"{frac(mag)}{var}"
            if mag.denominator == 1
            else f"({frac(mag)}){var}"
        )
        parts.append(("-" if a < 0 else "") + body)
    if b != 0 or not parts:
        if parts:
            parts.append(("− " if b < 0 else "+ ") + frac(abs(b)))
        else:
            parts.append(frac(b))
    return " ".join(parts)


_SOLUTION_UNIT = re.compile(r"[\d)]\s*(π)?\s*((?:mm|cm|km|m|in|ft|yd|mi)[²³]?)\.?$")


def solution_unit(solution: str) -> str:
    """The unit a worked solution gives its answer in ("... = 12 cm²." -> "cm²", "... = 21π cm³."
    -> "π cm³"), so an item accepts "12 cm²" as well as "12"; "" when it ends with no unit."""
    m = _SOLUTION_UNIT.search(solution.strip())
    if m is None:
        return ""
    return " ".join(part for part in m.groups() if part)


def signed(rng: random.Random, lo: int, hi: int) -> int:
    """A whole number with magnitude in lo..hi and a random sign."""
    return rng.randint(lo, hi) * rng.choice((1, -1))


def choose_nonzero(rng: random.Random, lo: int, hi: int) -> int:
    while True:
        v = rng.randint(lo, hi)
        if v != 0:
            return v


NAMES = (
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jada",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
)


def chain(*parts: str) -> str:
    """Join the steps of a calculation with " = ", dropping repeated steps."""
    out: list[str] = []
    for p in parts:
        if not out or out[-1] != p:
            out.append(p)
    return " = ".join(out)


def plural(n: Number, word: str, plural_form: str | None = None) -> str:
    """plural(1, "piece") == "1 piece"; plural(3, "piece") == "3 pieces"."""
    many = plural_form if plural_form is not None else word + "s"
    return f"{num(n)} {word if n == 1 else many}"
