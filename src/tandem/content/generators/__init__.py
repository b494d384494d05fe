"""Math item generators for grades 3-8, aligned to Common Core standards.

Pure Python (no Django).  Every generator is deterministic in ``(key, seed, difficulty)``
and draws from its own ``random.Random(seed)``.

    >>> from tandem.content.generators import generate
    >>> item = generate("6.EE.A.2.c/evaluate", seed=7, difficulty=2)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tandem.content.generators import grade3, grade4, grade5, grade6, grade7, grade8
from tandem.content.generators.base import (
    _REGISTRY,
    FunctionGenerator,
    Generator,
    GeneratorError,
    ItemSpec,
)
from tandem.content.generators.kinds import (
    CHOICE_KINDS,
    KINDS,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
)

__all__ = [
    "CHOICE_KINDS",
    "GENERATORS",
    "KINDS",
    "MULTIPLE_CHOICE",
    "NUMERIC",
    "SHORT_TEXT",
    "SINGLE_CHOICE",
    "FunctionGenerator",
    "Generator",
    "GeneratorError",
    "ItemSpec",
    "generate",
    "generators_for",
]

_GRADE_MODULES = (grade3, grade4, grade5, grade6, grade7, grade8)  # imported for registration

GENERATORS: Mapping[str, Generator] = MappingProxyType(_REGISTRY)


def generators_for(code: str) -> list[Generator]:
    """Generators aligned to the CCSS ``code`` (exact match), in registry order."""
    return [g for g in GENERATORS.values() if code in g.competency_codes]


def generate(key: str, seed: int, difficulty: int | None = None) -> ItemSpec:
    """Generate the item for ``(key, seed, difficulty)``; KeyError for an unknown key."""
    try:
        gen = GENERATORS[key]
    except KeyError:
        raise KeyError(f"unknown generator {key!r}") from None
    return gen.generate(seed, difficulty)
