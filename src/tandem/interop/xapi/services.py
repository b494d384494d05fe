"""Writes of Tandem's LRS: issuing client credentials and storing xAPI statements."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import EvidenceDraft, evidence_record_many, evidence_void
from tandem.interop.models import LrsAttachment, LrsClient, LrsStatement, LrsStatementLink
from tandem.interop.xapi.bridge import competencies_for_activities, students_for_agents
from tandem.interop.xapi.constants import Scope, default_scopes
from tandem.interop.xapi.links import statement_links, statement_ref_target
from tandem.interop.xapi.multipart import HASH_HEADER, Part, sha2_matches
from tandem.interop.xapi.signatures import signature_attachments, signature_verify
from tandem.interop.xapi.validation import (
    VOIDED_VERB,
    StatementError,
    agent_key,
    parse_timestamp,
    statement_normalized,
    validate_statement,
)
from tandem.mastery.services import mastery_apply_many, mastery_recompute

XAPI_VERSION = "1.0.3"
# The version of a statement sent without one (xAPI 1.0.3, data 2.4.10).
DEFAULT_STATEMENT_VERSION = "1.0.0"
# Properties the LRS sets itself, left out when comparing a resent statement with the stored one.
LRS_SET = ("stored", "authority", "version")


class StatementForbiddenError(Exception):
    """The client may not do this to that statement (403): it voids what it may not read."""


# Scopes under which a client reads every statement, not only those it stored.
READ_ALL_SCOPES = frozenset({Scope.STATEMENTS_READ, Scope.ALL_READ, Scope.ALL})


class StatementConflictError(Exception):
    """A statement id already names a different statement (409)."""


def lrs_client_issue(
    *, name: str, created_by: Any = None, scopes: list[str] | None = None
) -> tuple[LrsClient, str]:
    """Create a client with a fresh key and secret; the secret is returned once, never stored.

    ``scopes``: what the client may do (xapi.constants.Scope), DEFAULT_SCOPES when not given.
    """
    granted = default_scopes() if scopes is None else list(dict.fromkeys(scopes))
    unknown = set(granted) - set(Scope.values)
    if unknown:
        raise ValueError(f"Unknown xAPI scopes: {', '.join(sorted(unknown))}.")
    secret = secrets.token_urlsafe(32)
    client = LrsClient.objects.create(
        name=name,
        key=secrets.token_hex(12),
        secret_hash=make_password(secret),
        created_by=created_by,
        scopes=granted,
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


def _attachment_parts(
    statements: list[dict[str, Any]], parts: list[Part] | None
) -> dict[str, Part]:
    """The raw attachment parts by SHA-2, checked against the statements' attachments.

    Every attachment without a fileUrl must arrive as a part, and every part must be the
    content of one of the statements' attachments (xAPI 1.0.3, communication 2.1.11).
    """
    declared = [a for statement in statements for a in _all_attachments(statement)]
    by_sha2: dict[str, Part] = {}
    for n, part in enumerate(parts or []):
        sha2 = part.headers.get(HASH_HEADER, "").lower()
        if not sha2:
            raise StatementError(f"Attachment part {n + 1} lacks X-Experience-API-Hash.")
        if part.headers.get("content-transfer-encoding", "").lower() != "binary":
            raise StatementError(
                f"Attachment part {n + 1} needs Content-Transfer-Encoding: binary."
            )
        if not sha2_matches(part.content, sha2):
            raise StatementError(f"Attachment part {n + 1} does not match its hash.")
        by_sha2[sha2] = part
    wanted = {str(a["sha2"]).lower() for a in declared}
    stray = set(by_sha2) - wanted
    if stray:
        raise StatementError("An attachment part matches no attachment of the statements.")
    for attachment in declared:
        if "fileUrl" not in attachment and str(attachment["sha2"]).lower() not in by_sha2:
            raise StatementError(
                "An attachment without fileUrl must be sent as a part of a multipart/mixed request."
            )
    return by_sha2


def _all_attachments(statement: dict[str, Any]) -> list[dict[str, Any]]:
    attachments = list(statement.get("attachments") or [])
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        attachments += obj.get("attachments") or []
    return attachments


def _check_signatures(statements: list[dict[str, Any]], parts: dict[str, Part]) -> None:
    for statement in statements:
        for attachment in signature_attachments(statement):
            part = parts.get(str(attachment["sha2"]).lower())
            if part is None:
                raise StatementError("A signature attachment must be sent as a part.")
            signature_verify(statement=statement, jws=part.content)


def statements_store(
    *,
    client: LrsClient,
    statements: list[Any],
    now: dt.datetime,
    parts: list[Part] | None = None,
    version: str = "1.0.3",
) -> list[str]:
    """Validate every statement, then store them all or none; returns their ids in order.

    ``parts`` are the attachment parts of a multipart/mixed request (None for plain JSON);
    ``version`` the xAPI version of the request (1.0.3 or 2.0.0), whose rules apply.
    Raises StatementError (400), StatementForbiddenError (403) or StatementConflictError (409)
    before anything is written.
    """
    checked = [validate_statement(statement, version=version) for statement in statements]
    raw = _attachment_parts(checked, parts)
    _check_signatures(checked, raw)
    checked = [statement_normalized(statement) for statement in checked]
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
            held = statement_normalized(row.data)  # rows stored before lists were kept
            if _comparable(held, keep_timestamp=keep) != sent:
                raise StatementConflictError(f"Statement {statement_id} exists with other content.")
        targets = _void_targets(new, client=client)
        stored_at = now.isoformat()
        stored_attachments = _attachments_store(raw)
        authority = _authority(client)
        rows: list[LrsStatement] = []
        for statement_id, statement in new:
            data = {
                **statement,
                "id": str(statement_id),
                "timestamp": statement.get("timestamp", stored_at),
                "stored": stored_at,
                "authority": authority,
                # Kept as accepted (xAPI 1.0.3, data 2.4.10); a statement without one is 1.0.0
                # under 1.0.x and 2.0.0 under 2.0.
                "version": statement.get(
                    "version", DEFAULT_STATEMENT_VERSION if version.startswith("1") else "2.0.0"
                ),
            }
            context = statement.get("context") or {}
            obj = statement["object"]
            rows.append(
                LrsStatement(
                    id=statement_id,
                    data=data,
                    actor_key=agent_key(statement["actor"]),
                    verb_id=statement["verb"]["id"],
                    activity_id=obj["id"]
                    if obj.get("objectType", "Activity") == "Activity"
                    else "",
                    registration=context.get("registration"),
                    timestamp=parse_timestamp(data["timestamp"], "timestamp"),
                    stored=now,
                    client=client,
                    ref_target=statement_ref_target(statement),
                )
            )
        # The evidence first, so each row is inserted already linked to its evidence.
        _bridge(rows=[row for row in rows if row.verb_id != VOIDED_VERB], client=client)
        LrsStatement.objects.bulk_create(rows)
        statement_links_create(rows=rows)
        _attachments_link(rows=rows, stored=stored_attachments)
        LrsStatement.objects.filter(id__in=targets).update(voided=True)
        for voider in rows:
            if voider.verb_id == VOIDED_VERB:
                _bridge_void(voider=voider, client=client)
    return [str(statement_id) for statement_id in ids]


def statement_links_create(*, rows: list[LrsStatement]) -> None:
    """The filter links of newly stored statements (see xapi.links), in one insert."""
    LrsStatementLink.objects.bulk_create(
        LrsStatementLink(statement=row, kind=kind, value=value)
        for row in rows
        for kind, value in sorted(statement_links(row.data))
    )


def _attachments_link(*, rows: list[LrsStatement], stored: dict[str, LrsAttachment]) -> None:
    """Each new statement linked to the raw attachments it carries, in one insert."""
    through = LrsStatement.attachments.through
    through.objects.bulk_create(
        through(lrsstatement_id=row.id, lrsattachment_id=stored[sha].pk)
        for row in rows
        for sha in sorted({str(a["sha2"]).lower() for a in _all_attachments(row.data)})
        if sha in stored
    )


def _attachments_store(parts: dict[str, Part]) -> dict[str, LrsAttachment]:
    """Each raw attachment stored once per SHA-2, however many statements carry it."""
    stored = {row.sha2: row for row in LrsAttachment.objects.filter(sha2__in=list(parts))}
    for sha2, part in parts.items():
        if sha2 not in stored:
            stored[sha2], _ = LrsAttachment.objects.get_or_create(
                sha2=sha2,
                defaults={
                    "content_type": part.content_type or "application/octet-stream",
                    "content": part.content,
                    "length": len(part.content),
                },
            )
    return stored


def _void_targets(
    new: list[tuple[uuid.UUID, dict[str, Any]]], *, client: LrsClient
) -> list[uuid.UUID]:
    """The statements the new voiding statements void; a voiding statement cannot be voided,
    and Tandem's own evidence is corrected in Tandem, not voided through the LRS.

    A client may void only what it may read: a client without a read-all scope only the
    statements it stored itself. Any other target, stored or not, is refused alike (403).
    """
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
    if targets and not set(client.scopes or []) & READ_ALL_SCOPES:
        own = set(
            LrsStatement.objects.filter(id__in=targets, client=client).values_list("id", flat=True)
        )
        own |= {statement_id for statement_id, _ in new}  # stored by this very batch
        if set(targets) - own:
            raise StatementForbiddenError("A client may void only statements it may read.")
    if LrsStatement.objects.filter(id__in=targets, client__isnull=True).exists():
        raise StatementError("Tandem's own evidence cannot be voided through the LRS.")
    return targets


def _bridge_void(*, voider: LrsStatement, client: LrsClient) -> None:
    """When the voided statement became evidence, void that evidence and recompute mastery."""
    target = (
        LrsStatement.objects.select_related("evidence")
        .filter(id=voider.data["object"]["id"], evidence__isnull=False)
        .first()
    )
    if target is None or target.evidence is None:
        return
    evidence = target.evidence
    voiding, created = evidence_void(
        statement=evidence,
        # Evidence needs a Tandem user as authority, as in _bridge.
        authority=client.created_by or evidence.actor,
        timestamp=voider.timestamp,
        source=Source.IMPORT,
        idempotency_key=f"xapi:{voider.id}",
    )
    if created:
        mastery_recompute(
            student_id=evidence.actor_id,
            competency_ids=list(evidence.competencies.values_list("pk", flat=True)),
            statement=voiding,
        )
    voider.evidence = voiding
    voider.save(update_fields=["evidence"])


def _bridge(*, rows: list[LrsStatement], client: LrsClient) -> None:
    """Record the statements about a known student and competency as evidence, and apply them
    in order; sets each such row's ``evidence`` (the rows are not yet saved)."""
    answers = [row for row in rows if "success" in (row.data.get("result") or {})]
    if not answers:
        return
    students = students_for_agents([row.data["actor"] for row in answers])
    competencies = competencies_for_activities(row.activity_id for row in answers)
    bridged: list[LrsStatement] = []
    drafts: list[EvidenceDraft] = []
    for row, student in zip(answers, students, strict=True):
        competency = competencies.get(row.activity_id)
        if student is None or competency is None:
            continue
        result = row.data["result"]
        name_map = (row.data["object"].get("definition") or {}).get("name") or {}
        bridged.append(row)
        drafts.append(
            EvidenceDraft(
                actor=student,
                verb=Verb.ANSWERED,
                object_id=row.activity_id[:500],
                object_name=next(iter(name_map.values()), ""),
                competencies=[competency],
                source=Source.IMPORT,
                # Evidence needs a Tandem user as authority: the administrator who issued the
                # client.
                authority=client.created_by or student,
                timestamp=row.timestamp,
                success=bool(result["success"]),
                score_scaled=(result.get("score") or {}).get("scaled"),
                response=str(result.get("response", ""))[:2000],
                registration=row.registration,
                idempotency_key=f"xapi:{row.id}",
            )
        )
    recorded = evidence_record_many(drafts=drafts)
    mastery_apply_many(statements=[evidence for evidence, created in recorded if created])
    for row, (evidence, _) in zip(bridged, recorded, strict=True):
        row.evidence = evidence


def lrs_student_pseudonymise(
    *, student: Any, account_names: list[str], email: str, new_name: str
) -> int:
    """Rewrite the LRS's statements whose actor is ``student`` (their mirrored evidence, and
    statements other software sent naming them by ``account_names`` or ``email``) so that the
    actor is the pseudonymous account ``new_name`` and no answer text, activity name or
    extension is left; drop the state
    and profile documents kept about them. For the erasure of a student only. Returns how many
    statements were rewritten.
    """
    from tandem.interop.models import LrsDocument
    from tandem.interop.xapi.mirror import home_page

    names = [name for name in account_names if name]
    keys = {key for name in names for key in _account_keys(name)}
    keys.update(f"account:{home_page()}|{name}" for name in names)
    if email:
        keys.add(f"mbox:mailto:{email}")
    matched = LrsStatementLink.objects.filter(value__in=keys).values("statement_id")
    statements = list(
        LrsStatement.objects.filter(models.Q(evidence__actor=student) | models.Q(id__in=matched))
    )
    actor = {"objectType": "Agent", "account": {"homePage": home_page(), "name": new_name}}
    for statement in statements:
        data = dict(statement.data)
        data["actor"] = actor
        result = data.get("result")
        if isinstance(result, dict):
            data["result"] = {k: v for k, v in result.items() if k != "response"}
        obj = data.get("object")
        if isinstance(obj, dict) and isinstance(obj.get("definition"), dict):
            # An activity's name can quote what the student wrote (a project's title).
            definition = {
                k: v for k, v in obj["definition"].items() if k not in ("name", "description")
            }
            data["object"] = (
                {**obj, "definition": definition}
                if definition
                else {k: v for k, v in obj.items() if k != "definition"}
            )
        context = data.get("context")
        if isinstance(context, dict) and "extensions" in context:
            data["context"] = {k: v for k, v in context.items() if k != "extensions"}
        statement.data = data
        statement.actor_key = agent_key(actor)
    with transaction.atomic():
        LrsStatement.objects.bulk_update(statements, ["data", "actor_key"])
        LrsStatementLink.objects.filter(statement__in=statements).delete()
        LrsStatementLink.objects.bulk_create(
            LrsStatementLink(statement=statement, kind=kind, value=value)
            for statement in statements
            for kind, value in sorted(statement_links(statement.data))
        )
        LrsDocument.objects.filter(agent_key__in=keys).delete()
    return len(statements)


def _account_keys(name: str) -> set[str]:
    """Agent keys of an account named ``name`` under any homePage, as stored in the links."""
    return set(
        LrsStatementLink.objects.filter(value__startswith="account:", value__endswith=f"|{name}")
        .values_list("value", flat=True)
        .distinct()
    )
