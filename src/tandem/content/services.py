"""Writes of the content domain: turning generated item specifications into stored items, and
written questions (scored by a teacher) written by people."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_ids_for_codes
from tandem.content.generators import ItemSpec
from tandem.content.models import Item, ItemKind
from tandem.rows import ModelWriter

# Items are stored as the practice loop serves them: inserted without the ORM's query building.
_ITEMS: ModelWriter[Item] = ModelWriter(Item)
_ITEM_COMPETENCIES: ModelWriter[Any] = ModelWriter(Item.competencies.through)


def _item_of(spec: ItemSpec) -> Item:
    """The (unsaved) item a generated spec describes."""
    return Item(
        kind=spec.kind,
        stem=spec.stem,
        choices=list(spec.choices),
        answer=list(spec.answer),
        tolerance=spec.tolerance,
        answer_unit=spec.unit,
        hints=list(spec.hints),
        solution=spec.solution,
        difficulty=spec.difficulty,
        generator=spec.generator,
        seed=spec.seed,
    )


def item_from_spec(*, spec: ItemSpec, competency_ids: list[int] | None = None) -> Item:
    """The stored item for a generated spec, creating it once (same generator+seed → same item).

    ``competency_ids``: the competencies the spec's codes name, when the caller knows them.
    """
    if competency_ids is None:
        competency_ids = competency_ids_for_codes(spec.competency_codes)
    if not competency_ids:
        raise ValueError(f"No competency matches {spec.competency_codes} for {spec.generator}.")
    item = _item_of(spec)
    with transaction.atomic(savepoint=False):
        # On the practice loop's path: one statement, and no savepoint to catch a duplicate.
        if not _ITEMS.insert([item], ignore_conflicts=True):
            # Stored before (same generator, seed and difficulty), maybe by a concurrent request.
            return Item.objects.get(
                generator=spec.generator, seed=spec.seed, difficulty=spec.difficulty
            )
        through = Item.competencies.through
        _ITEM_COMPETENCIES.insert(
            [through(item_id=item.pk, competency_id=cid) for cid in competency_ids]
        )
    return item


def items_bulk_from_specs(*, specs: list[ItemSpec]) -> list[Item]:
    """Store many generated items at once (the demo school's item bank)."""
    codes = {code for spec in specs for code in spec.competency_codes}
    by_code = {
        c.human_coding_scheme: c for c in Competency.objects.filter(human_coding_scheme__in=codes)
    }
    wanted = {(s.generator, s.seed, s.difficulty): s for s in specs}
    have = set(
        Item.objects.filter(generator__in={s.generator for s in specs}).values_list(
            "generator", "seed", "difficulty"
        )
    )
    new = [_item_of(s) for key, s in wanted.items() if key not in have]
    with transaction.atomic():
        Item.objects.bulk_create(new)
        stored = {
            (i.generator, int(i.seed or 0), i.difficulty): i
            for i in Item.objects.filter(generator__in={s.generator for s in specs})
        }
        links = []
        through = Item.competencies.through
        new_keys = {(i.generator, int(i.seed or 0), i.difficulty) for i in new}
        for key in new_keys:
            item = stored[key]
            for code in wanted[key].competency_codes:
                if code in by_code:
                    links.append(through(item_id=item.pk, competency_id=by_code[code].pk))
        through.objects.bulk_create(links, ignore_conflicts=True)
    return [stored[key] for key in wanted]


def written_item_create(
    *,
    stem: str,
    competency_codes: list[str],
    guidance: str = "",
    expected_lines: int | None = None,
    difficulty: int = 2,
) -> Item:
    """A written question that a teacher scores, aligned to the competencies named by code."""
    stem = stem.strip()
    if not stem:
        raise ValueError("A written question needs its question text.")
    competencies = list(Competency.objects.filter(human_coding_scheme__in=competency_codes))
    missing = sorted(set(competency_codes) - {c.human_coding_scheme for c in competencies})
    if missing or not competencies:
        raise ValueError(f"No competency matches {', '.join(missing) or 'nothing given'}.")
    with transaction.atomic():
        item = Item.objects.create(
            kind=ItemKind.EXTENDED_TEXT,
            stem=stem,
            guidance=guidance.strip(),
            expected_lines=expected_lines,
            difficulty=difficulty,
        )
        item.competencies.set(competencies)
    return item
