"""Tandem's own evidence in its LRS: each evidence statement kept once as an xAPI statement.

Design: written through. Whenever evidence is recorded (practice answers, diagnostic answers and
placements, teacher observations, check-in observations, rubric scores, corrections), the
evidence services announce it (evidence.signals) inside their transaction, and
``evidence_mirror_write`` inserts its LrsStatement in one bulk insert, under the evidence's own
id, no client, authority Tandem and ``stored`` = the time it was recorded. One table then serves
every query, so filters, ``since``/``until``, ``more`` paging and voiding behave exactly as for
statements other software sent, and no read waits for a copy. These rows get no LrsStatementLink
rows: the filters match them by their actor_key and activity_id columns and by the evidence's
competencies (xapi.selectors), so the answer, the hottest write, pays one insert and no more.
Evidence that came from the LRS (bridged, idempotency key ``xapi:``) already has its
LrsStatement and is not copied. ``evidence_mirror`` copies evidence recorded before this design
(a data migration runs it once).

Pseudonymity: the actor is an account whose homePage is ``settings.TANDEM_SITE_URL`` (or
``urn:tandem``) and whose name is the student's OneRoster sourcedId; no name or email leaves.
A teacher observation's note and the check-in a statement came from are not exported: the note
is the teacher's own words, and check-in notes never enter the evidence log at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_codes_and_uris
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.interop.models import LrsStatement
from tandem.interop.xapi.bridge import COMPETENCY_URN
from tandem.interop.xapi.services import XAPI_VERSION
from tandem.interop.xapi.validation import IRI
from tandem.rows import ModelWriter

EXTENSION_BASE = "https://w3id.org/xapi/tandem/extensions/"
# Sources whose result.response is the student's own answer; elsewhere it is a teacher's note.
RESPONSE_SOURCES = {Source.PRACTICE, Source.DIAGNOSTIC, Source.IMPORT, Source.SIMULATION}
# Context extensions never exported: the check-in a statement came from stays private.
PRIVATE_EXTENSIONS = {"check_in"}
# The backfill copies this many evidence rows per transaction.
MIRROR_BATCH = 5000
# The idempotency key of evidence that came from an LRS statement (xapi.services._bridge).
BRIDGED_PREFIX = "xapi:"
# A different, fixed id for evidence whose own id some client already used for its statement.
_MIRROR_NAMESPACE = uuid.UUID("5b0e3f4e-8d0a-4c57-9a55-1f4f1b3f6a21")


def home_page() -> str:
    return str(getattr(settings, "TANDEM_SITE_URL", "") or "urn:tandem")


def tandem_authority() -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": "Tandem",
        "account": {"homePage": home_page(), "name": "tandem"},
    }


def iri_for(code: str, uri: str) -> str:
    """A competency's IRI: its CASE uri when that is an IRI, else a URN of its code."""
    if uri and IRI.match(uri):
        return uri
    return COMPETENCY_URN + quote(code, safe=".-_~:")


def competency_iri(competency: Competency) -> str:
    return iri_for(competency.human_coding_scheme, competency.uri)


# A competency as a statement names it: (IRI, code).
Named = tuple[str, str]


def _object_iri(evidence: Statement, competencies: list[Named]) -> str:
    if evidence.item is not None:
        return evidence.item.activity_id
    if evidence.object_id.startswith(COMPETENCY_URN) and competencies:
        return competencies[0][0]
    if IRI.match(evidence.object_id):
        return evidence.object_id
    return f"urn:tandem:evidence:{evidence.pk}"


def _result(evidence: Statement) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if evidence.result_success is not None:
        result["success"] = evidence.result_success
    if evidence.result_score_scaled is not None:
        result["score"] = {"scaled": max(-1.0, min(1.0, evidence.result_score_scaled))}
    if evidence.result_response and evidence.source in RESPONSE_SOURCES:
        result["response"] = evidence.result_response
    if evidence.result_duration_ms is not None:
        result["duration"] = f"PT{evidence.result_duration_ms / 1000:.3f}S"
    return result


def _extensions(evidence: Statement) -> dict[str, Any]:
    return {
        EXTENSION_BASE + quote(key, safe=""): value
        for key, value in (evidence.context_extensions or {}).items()
        if key not in PRIVATE_EXTENSIONS
    }


def evidence_as_xapi(
    evidence: Statement,
    *,
    competencies: list[Named],
    statement_id: uuid.UUID,
    target_id: uuid.UUID | None,
    stored: str,
) -> dict[str, Any]:
    """One evidence row as an xAPI 1.0.3 statement (``target_id``: what a voiding one voids;
    ``competencies``: its competencies' (IRI, code), in competency id order)."""
    actor = evidence.actor
    data: dict[str, Any] = {
        "id": str(statement_id),
        "actor": {
            "objectType": "Agent",
            "account": {
                "homePage": home_page(),
                "name": actor.sourced_id or f"urn:tandem:user:{actor.pk}",
            },
        },
        "verb": {"id": evidence.verb, "display": {"en-US": Verb(evidence.verb).label}},
    }
    context: dict[str, Any] = {}
    if evidence.verb == Verb.VOIDED and target_id is not None:
        data["object"] = {"objectType": "StatementRef", "id": str(target_id)}
    else:
        activity: dict[str, Any] = {
            "objectType": "Activity",
            "id": _object_iri(evidence, competencies),
        }
        if evidence.object_name:
            activity["definition"] = {"name": {"en-US": evidence.object_name}}
        data["object"] = activity
        context["platform"] = "Tandem"
        result = _result(evidence)
        if result:
            data["result"] = result
    if competencies:
        context["contextActivities"] = {
            "grouping": [
                {
                    "objectType": "Activity",
                    "id": iri,
                    "definition": {"name": {"en-US": code}},
                }
                for iri, code in competencies
            ]
        }
    if evidence.context_registration is not None:
        context["registration"] = str(evidence.context_registration)
    extensions = _extensions(evidence)
    if extensions:
        context["extensions"] = extensions
    if context:
        data["context"] = context
    data.update(
        timestamp=evidence.timestamp.isoformat(),
        stored=stored,
        authority=tandem_authority(),
        version=XAPI_VERSION,
    )
    return data


def activity_of(data: dict[str, Any]) -> str:
    obj = data["object"]
    return str(obj["id"]) if obj.get("objectType", "Activity") == "Activity" else ""


def _row(
    evidence: Statement,
    *,
    named: list[Named],
    statement_id: uuid.UUID,
    target: uuid.UUID | None,
    now: dt.datetime,
) -> LrsStatement:
    data = evidence_as_xapi(
        evidence,
        competencies=named,
        statement_id=statement_id,
        target_id=target,
        stored=now.isoformat(),
    )
    return LrsStatement(
        id=statement_id,
        data=data,
        actor_key=f"account:{home_page()}|{data['actor']['account']['name']}",
        verb_id=evidence.verb,
        activity_id=activity_of(data),
        registration=evidence.context_registration,
        timestamp=evidence.timestamp,
        stored=now,
        client=None,
        evidence=evidence,
        ref_target=target,
    )


# One insert on every practice answer: written without the ORM's query building.
_LRS_STATEMENTS: ModelWriter[LrsStatement] = ModelWriter(LrsStatement)


def evidence_mirror_write(
    *,
    statements: Sequence[Statement],
    competency_ids: Mapping[uuid.UUID, Sequence[int]],
    now: dt.datetime,
) -> int:
    """Insert the LRS statements of evidence just recorded, in the caller's transaction: one
    insert (and, for a voiding statement, a lookup and an update of what it voids). Returns how
    many were written; evidence bridged from the LRS is skipped (it has its statement)."""
    own = [e for e in statements if not (e.idempotency_key or "").startswith(BRIDGED_PREFIX)]
    if not own:
        return 0
    facts = competency_codes_and_uris({cid for e in own for cid in competency_ids.get(e.pk, ())})
    targets = [e.voids_id for e in own if e.voids_id is not None]
    known: dict[Any, uuid.UUID] = {}
    if targets:
        known = dict(
            LrsStatement.objects.filter(evidence_id__in=targets).values_list("evidence_id", "id")
        )
    batch_ids = {e.pk for e in own}
    rows = []
    for evidence in own:
        named = [
            iri_and_code(*facts[cid])
            for cid in sorted(competency_ids.get(evidence.pk, ()))
            if cid in facts
        ]
        target = None
        if evidence.voids_id is not None:
            target = (
                evidence.voids_id
                if evidence.voids_id in batch_ids
                else known.get(evidence.voids_id)
            )
        rows.append(_row(evidence, named=named, statement_id=evidence.pk, target=target, now=now))
    _LRS_STATEMENTS.insert(rows)
    if targets:
        LrsStatement.objects.filter(evidence_id__in=targets).update(voided=True)
    return len(rows)


def iri_and_code(code: str, uri: str) -> Named:
    return iri_for(code, uri), code


def mirror_on_record(
    sender: Any,
    statements: Sequence[Statement],
    competency_ids: Mapping[uuid.UUID, Sequence[int]],
    **kwargs: Any,
) -> None:
    """The evidence_recorded receiver (connected in InteropConfig.ready)."""
    evidence_mirror_write(statements=statements, competency_ids=competency_ids, now=timezone.now())


def evidence_mirror(*, now: dt.datetime) -> int:
    """Backfill: copy evidence rows recorded before write-through into the LRS, oldest first
    and at most MIRROR_BATCH; returns how many were copied (0 when none is left). A voiding row
    comes after what it voids, so a batch never holds a voiding row whose target is waiting."""
    pending = list(
        Statement.objects.filter(lrs_statements__isnull=True)
        .select_related("actor", "item")
        .prefetch_related("competencies")
        .order_by("stored", "id")[:MIRROR_BATCH]
    )
    if not pending:
        return 0
    ids = {evidence.pk for evidence in pending}
    taken = set(LrsStatement.objects.filter(id__in=ids).values_list("id", flat=True))
    mirror_id = {
        e.pk: uuid.uuid5(_MIRROR_NAMESPACE, str(e.pk)) if e.pk in taken else e.pk for e in pending
    }
    # A voiding row's target may have been mirrored (or bridged) before: its LRS id, by evidence.
    targets = [e.voids_id for e in pending if e.voids_id is not None]
    known = dict(
        LrsStatement.objects.filter(evidence_id__in=targets).values_list("evidence_id", "id")
    )
    rows = []
    for evidence in pending:
        target = None
        if evidence.voids_id is not None:
            target = mirror_id.get(evidence.voids_id) or known.get(evidence.voids_id)
        named = [
            (competency_iri(c), c.human_coding_scheme)
            for c in sorted(evidence.competencies.all(), key=lambda c: c.pk)
        ]
        rows.append(
            _row(evidence, named=named, statement_id=mirror_id[evidence.pk], target=target, now=now)
        )
    try:
        with transaction.atomic():
            LrsStatement.objects.bulk_create(rows)
            if targets:
                LrsStatement.objects.filter(evidence_id__in=targets).update(voided=True)
    except IntegrityError:
        # Evidence recorded meanwhile mirrored a row of this batch itself; the next run resumes.
        return 0
    return len(rows)
