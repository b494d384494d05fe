"""Tandem's own evidence in its LRS: each evidence statement mirrored once as an xAPI statement.

Design: a lazy mirror. Before the Statements resource answers a read, every evidence row not yet
mirrored (practice answers, diagnostic answers and placements, teacher observations, check-in
observations, rubric scores, corrections) is copied into LrsStatement in one bulk insert, with
its filter links, under the evidence's own id, no client, authority Tandem and ``stored`` = the
time of mirroring. One table then serves every query, so filters, ``since``/``until``,
``more`` paging and voiding behave exactly as for statements other software sent; a union of two
differently shaped tables could not page with one cursor. ``stored`` is the mirroring time, not
the evidence's, so a reader polling with ``since`` never misses a row mirrored after its last
read. Evidence that came from the LRS (bridged) already has its LrsStatement and is not copied.

Pseudonymity: the actor is an account whose homePage is ``settings.TANDEM_SITE_URL`` (or
``urn:tandem``) and whose name is the student's OneRoster sourcedId; no name or email leaves.
A teacher observation's note and the check-in a statement came from are not exported: the note
is the teacher's own words, and check-in notes never enter the evidence log at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.interop.models import LrsStatement, LrsStatementLink
from tandem.interop.xapi.bridge import COMPETENCY_URN
from tandem.interop.xapi.links import statement_links
from tandem.interop.xapi.services import XAPI_VERSION
from tandem.interop.xapi.validation import IRI

EXTENSION_BASE = "https://w3id.org/xapi/tandem/extensions/"
# Sources whose result.response is the student's own answer; elsewhere it is a teacher's note.
RESPONSE_SOURCES = {Source.PRACTICE, Source.DIAGNOSTIC, Source.IMPORT, Source.SIMULATION}
# Context extensions never exported: the check-in a statement came from stays private.
PRIVATE_EXTENSIONS = {"check_in"}
# At most this many evidence rows are copied per read, so that the first read after a long
# time (or after an upgrade) answers in seconds; the rest follow with the next reads. Rows not
# yet copied are not "stored" in the LRS yet, so Consistent-Through stays truthful.
MIRROR_BATCH = 5000
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


def competency_iri(competency: Competency) -> str:
    if competency.uri and IRI.match(competency.uri):
        return competency.uri
    return COMPETENCY_URN + quote(competency.human_coding_scheme, safe=".-_~:")


def _object_iri(evidence: Statement, competencies: list[Competency]) -> str:
    if evidence.item is not None:
        return evidence.item.activity_id
    if evidence.object_id.startswith(COMPETENCY_URN) and competencies:
        return competency_iri(competencies[0])
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
    evidence: Statement, *, statement_id: uuid.UUID, target_id: uuid.UUID | None, stored: str
) -> dict[str, Any]:
    """One evidence row as an xAPI 1.0.3 statement (``target_id``: what a voiding one voids)."""
    competencies = sorted(evidence.competencies.all(), key=lambda c: c.pk)
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
                    "id": competency_iri(c),
                    "definition": {"name": {"en-US": c.human_coding_scheme}},
                }
                for c in competencies
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


def evidence_mirror(*, now: dt.datetime) -> int:
    """Copy evidence rows not yet in the LRS into it, oldest first and at most MIRROR_BATCH;
    returns how many were copied. A voiding row comes after what it voids, so a batch never
    holds a voiding row whose target is still waiting."""
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
    stored = now.isoformat()
    rows = []
    for evidence in pending:
        target = None
        if evidence.voids_id is not None:
            target = mirror_id.get(evidence.voids_id) or known.get(evidence.voids_id)
        data = evidence_as_xapi(
            evidence, statement_id=mirror_id[evidence.pk], target_id=target, stored=stored
        )
        rows.append(
            LrsStatement(
                id=mirror_id[evidence.pk],
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
        )
    try:
        with transaction.atomic():
            LrsStatement.objects.bulk_create(rows)
            LrsStatementLink.objects.bulk_create(
                LrsStatementLink(statement=row, kind=kind, value=value)
                for row in rows
                for kind, value in sorted(statement_links(row.data))
            )
            if targets:
                LrsStatement.objects.filter(evidence_id__in=targets).update(voided=True)
    except IntegrityError:
        # Another request mirrored the same rows a moment ago; theirs stand.
        return 0
    return len(rows)
