"""Reads of the content domain: which competencies can be practised."""

from __future__ import annotations

from tandem.competencies.models import Competency
from tandem.content.generators import GENERATORS


def practisable_codes() -> set[str]:
    """CCSS codes that at least one item generator covers."""
    return {code for gen in GENERATORS.values() for code in gen.competency_codes}


def practisable_competencies() -> dict[int, Competency]:
    return {c.pk: c for c in Competency.objects.filter(human_coding_scheme__in=practisable_codes())}
