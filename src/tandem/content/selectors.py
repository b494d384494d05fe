"""Reads of the content domain: which competencies can be practiced."""

from __future__ import annotations

from tandem.caching import ProcessCache
from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_ids_for_codes
from tandem.content.generators import GENERATORS
from tandem.content.models import Item


def practisable_codes() -> set[str]:
    """CCSS codes that at least one item generator covers."""
    return {code for gen in GENERATORS.values() for code in gen.competency_codes}


def _load_practisable() -> dict[int, Competency]:
    return {
        c.pk: c
        for c in Competency.objects.filter(human_coding_scheme__in=practisable_codes()).order_by(
            "grade_rank", "list_order", "pk"
        )
    }


# Read on every practice request; dropped when competencies change. Treat the objects as
# read-only: they are shared by every request of this process.
_PRACTISABLE = ProcessCache("practisable competencies", _load_practisable)


def practisable_competencies() -> dict[int, Competency]:
    """The competencies some item generator covers, by id, in framework order (a copy of the
    cached mapping; the competencies themselves are shared and must not be changed)."""
    return dict(_PRACTISABLE.get())


def item_competency_ids(item: Item) -> list[int]:
    """The competencies an item is aligned to: a generated item's from its generator's codes
    (in memory), any other item's from the database."""
    generator = GENERATORS.get(item.generator) if item.generator else None
    if generator is not None:
        ids = competency_ids_for_codes(generator.competency_codes)
        if ids:
            return ids
    return list(item.competencies.order_by("pk").values_list("pk", flat=True))
