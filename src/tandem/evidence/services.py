"""Writes of the evidence log. Statements are only ever added; a correction is a new statement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.signals import statements_recorded
from tandem.roster.models import SchoolClass


def evidence_record(
    *,
    actor: Any,
    verb: Verb,
    object_id: str,
    competencies: Sequence[Competency],
    source: Source,
    authority: Any,
    timestamp: dt.datetime,
    object_name: str = "",
    item: Item | None = None,
    success: bool | None = None,
    score_scaled: float | None = None,
    response: str = "",
    duration_ms: int | None = None,
    school_class: SchoolClass | None = None,
    registration: uuid.UUID | None = None,
    extensions: dict[str, Any] | None = None,
    weight: float = 1.0,
    idempotency_key: str | None = None,
) -> tuple[Statement, bool]:
    """Append one statement; returns ``(statement, created)``. A repeated key gives the original."""
    if not competencies:
        raise ValueError("A statement must be about at least one competency.")
    if timestamp.tzinfo is None:
        raise ValueError("Statement timestamps must be timezone-aware.")
    if idempotency_key:
        existing = Statement.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                actor=actor,
                verb=verb,
                object_id=object_id,
                object_name=object_name[:255],
                item=item,
                result_success=success,
                result_score_scaled=score_scaled,
                result_response=response,
                result_duration_ms=duration_ms,
                context_class=school_class,
                context_registration=registration,
                context_extensions=extensions or {},
                timestamp=timestamp,
                authority=authority,
                source=source,
                weight=weight,
                idempotency_key=idempotency_key or None,
            )
            statement.competencies.set(competencies)
            statements_recorded(
                statements=[statement],
                competency_ids={statement.pk: list(dict.fromkeys(c.pk for c in competencies))},
            )
    except IntegrityError:
        if idempotency_key:
            return Statement.objects.get(idempotency_key=idempotency_key), False
        raise
    return statement, True


@dataclass(frozen=True)
class EvidenceDraft:
    """One statement to append with ``evidence_record_many``: evidence_record's arguments."""

    actor: Any
    verb: Verb
    object_id: str
    competencies: Sequence[Competency]
    source: Source
    authority: Any
    timestamp: dt.datetime
    object_name: str = ""
    item: Item | None = None
    success: bool | None = None
    score_scaled: float | None = None
    response: str = ""
    duration_ms: int | None = None
    school_class: SchoolClass | None = None
    registration: uuid.UUID | None = None
    extensions: dict[str, Any] | None = None
    weight: float = 1.0
    idempotency_key: str | None = None


def evidence_record_many(*, drafts: Sequence[EvidenceDraft]) -> list[tuple[Statement, bool]]:
    """Append many statements in a few queries; the same results as ``evidence_record`` one by
    one, in order (a key repeated in ``drafts`` gives the first one's statement, not created)."""
    for draft in drafts:
        if not draft.competencies:
            raise ValueError("A statement must be about at least one competency.")
        if draft.timestamp.tzinfo is None:
            raise ValueError("Statement timestamps must be timezone-aware.")
    keys = [draft.idempotency_key for draft in drafts if draft.idempotency_key]
    known: dict[str, Statement] = {}
    if keys:
        for row in Statement.objects.filter(idempotency_key__in=keys):
            known[str(row.idempotency_key)] = row
    results: list[tuple[Statement, bool]] = []
    new: list[tuple[Statement, EvidenceDraft]] = []
    for draft in drafts:
        key = draft.idempotency_key or None
        if key is not None and key in known:
            results.append((known[key], False))
            continue
        statement = Statement(
            actor=draft.actor,
            verb=draft.verb,
            object_id=draft.object_id,
            object_name=draft.object_name[:255],
            item=draft.item,
            result_success=draft.success,
            result_score_scaled=draft.score_scaled,
            result_response=draft.response,
            result_duration_ms=draft.duration_ms,
            context_class=draft.school_class,
            context_registration=draft.registration,
            context_extensions=draft.extensions or {},
            timestamp=draft.timestamp,
            authority=draft.authority,
            source=draft.source,
            weight=draft.weight,
            idempotency_key=key,
        )
        if key is not None:
            known[key] = statement
        new.append((statement, draft))
        results.append((statement, True))
    if not new:
        return results
    through = Statement.competencies.through
    try:
        with transaction.atomic():
            Statement.objects.bulk_create([statement for statement, _ in new])
            through.objects.bulk_create(
                through(statement_id=statement.pk, competency_id=competency_id)
                for statement, draft in new
                for competency_id in dict.fromkeys(c.pk for c in draft.competencies)
            )
            statements_recorded(
                statements=[statement for statement, _ in new],
                competency_ids={
                    statement.pk: list(dict.fromkeys(c.pk for c in draft.competencies))
                    for statement, draft in new
                },
            )
    except IntegrityError:
        # Another writer recorded one of the keys meanwhile: one by one resolves that race.
        return [evidence_record(**_fields(draft)) for draft in drafts]
    return results


def _fields(draft: EvidenceDraft) -> dict[str, Any]:
    # asdict would deep-copy the model instances; a shallow copy of the fields is what is wanted.
    return {name: getattr(draft, name) for name in draft.__dataclass_fields__}


@transaction.atomic
def evidence_void(
    *,
    statement: Statement,
    authority: Any,
    timestamp: dt.datetime,
    source: Source | None = None,
    idempotency_key: str | None = None,
) -> tuple[Statement, bool]:
    """Append a statement voiding ``statement``; returns ``(voiding statement, created)``.

    The voided statement stays in the log; every reader that rebuilds learner state skips
    statements with a voiding statement. Voiding twice gives the first voiding statement back.
    """
    if timestamp.tzinfo is None:
        raise ValueError("Statement timestamps must be timezone-aware.")
    # Locking the target serialises two concurrent voids of it, so only one voiding row exists.
    target = Statement.objects.select_for_update().get(pk=statement.pk)
    if target.verb == Verb.VOIDED:
        raise ValueError("A voiding statement cannot itself be voided.")
    existing = Statement.objects.filter(voids=target).order_by("stored", "id").first()
    if existing is not None:
        return existing, False
    if idempotency_key:
        keyed = Statement.objects.filter(idempotency_key=idempotency_key).first()
        if keyed is not None:
            return keyed, False
    voiding = Statement.objects.create(
        actor_id=target.actor_id,
        verb=Verb.VOIDED,
        object_id=f"urn:uuid:{target.pk}",
        object_name=f"Voided: {target.object_name or target.object_id}"[:255],
        item=target.item,
        context_class=target.context_class,
        context_registration=target.context_registration,
        timestamp=timestamp,
        authority=authority,
        source=source or target.source,
        weight=0.0,
        voids=target,
        idempotency_key=idempotency_key or None,
    )
    competency_ids = list(target.competencies.order_by("pk").values_list("pk", flat=True))
    voiding.competencies.set(competency_ids)
    statements_recorded(statements=[voiding], competency_ids={voiding.pk: competency_ids})
    return voiding, True


def evidence_erase_free_text(*, student: Any) -> int:
    """Blank the free text of every statement about ``student`` (their answers, teachers' notes,
    the activity's name, which can quote a project's title, and the context extensions), keeping
    the rows: the one permitted exception to append-only.

    Only the erasure of a student calls this. The rows stay, now about an anonymised account,
    so class and school aggregates (how many answered, how many right) do not change. Returns
    how many rows were blanked.
    """
    rows = Statement.objects.filter(actor=student)
    # The queryset's own update() refuses on purpose; this one call goes around it.
    return models.QuerySet.update(rows, result_response="", object_name="", context_extensions={})
