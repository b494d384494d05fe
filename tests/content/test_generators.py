"""Structural invariants of every item generator (no database needed)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from tandem.content.answers import check_answer
from tandem.content.generators import (
    CHOICE_KINDS,
    GENERATORS,
    KINDS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
    ItemSpec,
    generate,
    generators_for,
)

KEYS = sorted(GENERATORS)
SEEDS = range(25)

COHERENCE_MAP = (
    Path(__file__).resolve().parents[3]
    / "shared/data/interop/case/prerequisite-graphs/achievethecore-coherence-map"
    / "coherence-map-math.json"
)

# Generators whose stem is a fixed instruction ("Select all the relations that are
# functions.") and whose content lives entirely in the options: their space of *stems* is
# inherently tiny, so distinctness is measured on (stem, set of options) instead.  The
# quadrilateral hierarchy has only a handful of categories, so its stems repeat as well.
INSTRUCTION_STEMS = {
    "8.F.A.1/identify-functions",
    "8.F.A.3/linear-or-not",
    "5.G.B.4/classify-quadrilaterals",
}


def _items(key: str) -> list[ItemSpec]:
    return [generate(key, seed, d) for seed in SEEDS for d in (1, 2, 3)]


@pytest.mark.parametrize("key", KEYS)
def test_item_invariants(key: str) -> None:
    gen = GENERATORS[key]
    assert gen.key == key
    assert gen.title.strip()
    assert key.split("/", 1)[0] in gen.competency_codes
    for item in _items(key):
        assert item.generator == key
        assert item.kind in KINDS
        assert item.competency_codes == gen.competency_codes
        assert item.difficulty in (1, 2, 3)
        assert item.stem.strip() and "<" not in item.stem.replace("< ", "")  # plain text
        assert 1 <= len(item.hints) <= 3 and all(h.strip() for h in item.hints)
        assert item.solution.strip()
        assert item.answer and all(isinstance(a, str) and a for a in item.answer)
        json.dumps(dict(item.params))  # storable
        if item.kind in CHOICE_KINDS:
            assert len(item.choices) >= 2
            assert len(set(item.choices)) == len(item.choices), item.choices
            assert all(c.strip() for c in item.choices)
            indices = [int(a) for a in item.answer]
            assert all(0 <= i < len(item.choices) for i in indices)
            assert item.tolerance == ""
            if item.kind == SINGLE_CHOICE:
                assert len(indices) == 1
            else:
                assert indices == sorted(set(indices))
                assert 1 <= len(indices) < len(item.choices)
        else:
            assert item.choices == ()
        if item.kind == NUMERIC:
            assert len(item.answer) == 1
            Fraction(item.answer[0])
            assert Fraction(item.tolerance) >= 0
        if item.kind == SHORT_TEXT:
            assert item.tolerance == ""


@pytest.mark.parametrize("key", KEYS)
def test_answer_key_is_accepted_by_check_answer(key: str) -> None:
    for item in _items(key):
        response: str | list[str]
        response = list(item.answer) if item.kind == MULTIPLE_CHOICE else item.answer[0]
        result = check_answer(
            kind=item.kind, answer=item.answer, tolerance=item.tolerance, response=response
        )
        assert result.correct, (item.stem, item.answer)


@pytest.mark.parametrize("key", KEYS)
def test_determinism(key: str) -> None:
    for seed in (0, 1, 17, 123456789):
        for d in (None, 1, 2, 3):
            assert generate(key, seed, d) == generate(key, seed, d)
            assert GENERATORS[key].generate(seed, d) == generate(key, seed, d)


@pytest.mark.parametrize("key", KEYS)
def test_distinct_items(key: str) -> None:
    items = [generate(key, seed) for seed in range(50)]
    stems = {i.stem for i in items}
    if key in INSTRUCTION_STEMS:
        distinct = {(i.stem, frozenset(i.choices)) for i in items}
        assert len(distinct) >= 20, len(distinct)
    else:
        assert len(stems) >= 20, (key, len(stems))


def test_difficulty_none_picks_a_difficulty() -> None:
    seen = Counter(generate(KEYS[0], seed).difficulty for seed in range(60))
    assert set(seen) == {1, 2, 3}


def test_bad_arguments() -> None:
    with pytest.raises(KeyError):
        generate("no-such/generator", 1)
    with pytest.raises(ValueError):
        generate(KEYS[0], 1, 4)
    with pytest.raises(TypeError):
        generate(KEYS[0], "1")  # type: ignore[arg-type]


def test_global_random_untouched() -> None:
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    for key in KEYS:
        generate(key, 5)
    assert random.random() == expected


def test_generators_for() -> None:
    gens = generators_for("6.EE.A.2.c")
    assert [g.key for g in gens] == ["6.EE.A.2.c/evaluate"]
    assert generators_for("K.CC.A.1") == []
    for key, gen in GENERATORS.items():
        for code in gen.competency_codes:
            assert key in [g.key for g in generators_for(code)]


def test_kinds_are_mixed() -> None:
    kinds = Counter(generate(key, 0).kind for key in KEYS)
    assert kinds[NUMERIC] > kinds[SINGLE_CHOICE] > 0
    assert kinds[MULTIPLE_CHOICE] >= 3
    assert kinds[SHORT_TEXT] >= 2


CODE_RE = re.compile(r"^(?P<grade>[3-8])\.[A-Z]{1,3}\.[A-D]\.\d+(\.[a-d])?$")


def test_coverage_of_standards() -> None:
    codes = {code for gen in GENERATORS.values() for code in gen.competency_codes}
    assert all(CODE_RE.match(code) for code in codes), codes
    assert len(codes) >= 40
    per_grade = Counter(code.split(".")[0] for code in codes)
    assert set(per_grade) == {"3", "4", "5", "6", "7", "8"}
    assert min(per_grade.values()) >= 6, per_grade


def test_codes_exist_in_coherence_map() -> None:
    if not COHERENCE_MAP.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{COHERENCE_MAP} is missing")
        pytest.skip("shared data not available")
    data = json.loads(COHERENCE_MAP.read_text(encoding="utf-8"))
    valid = {s["code"]: s for s in data["standards"]}
    for gen in GENERATORS.values():
        for code in gen.competency_codes:
            assert code in valid, (gen.key, code)
            assert valid[code]["grade"] == code.split(".")[0]
