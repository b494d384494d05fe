"""Writes of Tandem's LRS: issuing client credentials and storing xAPI statements."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.interop.models import LrsClient, LrsStatement
from tandem.interop.xapi.bridge import competency_for_activity, student_for_agent
from tandem.interop.xapi.validation import (
    VOIDED_VERB,
    StatementError,
    agent_key,
    parse_timestamp,
    validate_statement,
)
from tandem.mastery.services import mastery_apply

XAPI_VERSION = "1.0.3"
# Properties the LRS sets itself, left out when comparing a resent statement with the stored one.
LRS_SET = ("stored", "authority", "version")


class StatementConflictError(Exception):
    """A statement id already names a different statement (409)."""


def lrs_client_issue(*, name: str, created_by: Any = None) -> tuple[LrsClient, str]:
    """Create a client with a fresh key and secret; the secret is returned once, never stored."""
    secret = secrets.token_urlsafe(32)
    client = LrsClient.objects.create(
        name=name,
        key=secrets.token_hex(12),
        secret_hash=make_password(secret),
        created_by=created_by,
    )
    return client, secret


def _authority(client: LrsClient) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": "urn:tandem:xapi-client", "name": client.key},
    }


def _comparable(statement: dict[str, Any], *, keep_timestamp: bool) -> dict[str, Any]:
    drop = set(LRS_SET) | (set() if keep_timestamp else {"timestamp"})
    return {key: value for key, value in statement.items() if key not in drop}


def statements_store(*, client: LrsClient, statements: list[Any], now: dt.datetime) -> list[str]:
    """Validate every statement, then store them all or none; returns their ids in order.

    Raises StatementError (400) or StatementConflictError (409) before anything is written.
    """
    checked = [validate_statement(statement) for statement in statements]
    ids: list[uuid.UUID] = []
    for statement in checked:
        ids.append(uuid.UUID(statement["id"]) if "id" in statement else uuid.uuid4())
    if len(set(ids)) != len(ids):
        raise StatementError("A batch names the same statement id twice.")
    with transaction.atomic():
        existing = {
            row.id: row for row in LrsStatement.objects.select_for_update().filter(id__in=ids)
        }
        new: list[tuple[uuid.UUID, dict[str, Any]]] = []
        for statement_id, statement in zip(ids, checked, strict=True):
            row = existing.get(statement_id)
            if row is None:
                new.append((statement_id, statement))
                continue
            keep = "timestamp" in statement
            sent = _comparable({**statement, "id": str(statement_id)}, keep_timestamp=keep)
            if _comparable(row.data, keep_timestamp=keep) != sent:
                raise StatementConflictError(f"Statement {statement_id} exists with other content.")
        targets = _void_targets(new)
        stored_at = now.isoformat()
        for statement_id, statement in new:
            data = {
                **statement,
                "id": str(statement_id),
                "timestamp": statement.get("timestamp", stored_at),
                "stored": stored_at,
                "authority": _authority(client),
                "version": XAPI_VERSION,
            }
            context = statement.get("context") or {}
            obj = statement["object"]
            row = LrsStatement.objects.create(
                id=statement_id,
                data=data,
                actor_key=agent_key(statement["actor"]),
                verb_id=statement["verb"]["id"],
                activity_id=obj["id"] if obj.get("objectType", "Activity") == "Activity" else "",
                registration=context.get("registration"),
                timestamp=parse_timestamp(data["timestamp"], "timestamp"),
                stored=now,
                client=client,
            )
            _bridge(row=row, client=client)
        LrsStatement.objects.filter(id__in=targets).update(voided=True)
    return [str(statement_id) for statement_id in ids]


def _void_targets(new: list[tuple[uuid.UUID, dict[str, Any]]]) -> list[uuid.UUID]:
    """The statements the new voiding statements void; a voiding statement cannot be voided."""
    targets = [
        uuid.UUID(statement["object"]["id"])
        for _, statement in new
        if statement["verb"]["id"] == VOIDED_VERB
    ]
    batch_voiding = {sid for sid, st in new if st["verb"]["id"] == VOIDED_VERB}
    if (
        batch_voiding & set(targets)
        or LrsStatement.objects.filter(id__in=targets, verb_id=VOIDED_VERB).exists()
    ):
        raise StatementError("A voiding statement cannot itself be voided.")
    return targets


def _bridge(*, row: LrsStatement, client: LrsClient) -> None:
    """Record a statement about a known student and competency as evidence, and apply it."""
    result = row.data.get("result") or {}
    if "success" not in result or row.verb_id == VOIDED_VERB:
        return
    student = student_for_agent(row.data["actor"])
    competency = competency_for_activity(row.activity_id)
    if student is None or competency is None:
        return
    name_map = (row.data["object"].get("definition") or {}).get("name") or {}
    score = (result.get("score") or {}).get("scaled")
    evidence, created = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=row.activity_id[:500],
        object_name=next(iter(name_map.values()), ""),
        competencies=[competency],
        source=Source.IMPORT,
        # Evidence needs a Tandem user as authority: the administrator who issued the client.
        authority=client.created_by or student,
        timestamp=row.timestamp,
        success=bool(result["success"]),
        score_scaled=score,
        response=str(result.get("response", ""))[:2000],
        registration=row.registration,
        idempotency_key=f"xapi:{row.id}",
    )
    if created:
        mastery_apply(statement=evidence)
    row.evidence = evidence
    row.save(update_fields=["evidence"])
