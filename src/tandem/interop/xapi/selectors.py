"""Reads of Tandem's LRS: statements by id and by the xAPI query filters, with cursor paging."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password
from django.db.models import Q, QuerySet

from tandem.interop.models import LrsClient, LrsStatement
from tandem.interop.xapi.validation import (
    StatementError,
    agent_key,
    parse_timestamp,
    validate_agent,
)

MAX_LIMIT = 100
FILTERS = {"agent", "verb", "activity", "registration", "since", "until", "limit", "ascending"}


# client pk -> (secret hash, SHA-256 of the secret) last verified by this process. Clients send
# Basic auth on every request and the password hasher is deliberately slow; the secret is a
# random 256-bit token, so a fast digest of an already-verified secret is safe to remember. A
# changed hash (reissued secret) or an inactive client never matches.
_verified: dict[int, tuple[str, str]] = {}


def lrs_client_authenticate(*, key: str, secret: str) -> LrsClient | None:
    client = LrsClient.objects.filter(key=key, active=True).first()
    if client is None or not key or not secret:
        return None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if _verified.get(client.pk) == (client.secret_hash, digest):
        return client
    if not check_password(secret, client.secret_hash):
        return None
    _verified[client.pk] = (client.secret_hash, digest)
    return client


def statement_get(*, statement_id: str, voided: bool) -> LrsStatement | None:
    """The statement by id; a voided one only when asked for as voided, and vice versa."""
    try:
        pk = uuid.UUID(statement_id)
    except ValueError:
        raise StatementError("statementId must be a UUID.") from None
    return LrsStatement.objects.filter(id=pk, voided=voided).first()


@dataclass(frozen=True)
class StatementPage:
    statements: list[LrsStatement]
    cursor: str  # empty on the last page


def _cursor_encode(row: LrsStatement) -> str:
    raw = json.dumps([row.stored.isoformat(), str(row.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _cursor_decode(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        stored, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return parse_timestamp(stored, "cursor"), uuid.UUID(pk)
    except (ValueError, TypeError):
        raise StatementError("The more cursor is not valid.") from None


def statements_query(*, params: dict[str, str], cursor: str = "") -> StatementPage:
    """Unvoided statements matching the filters, newest stored first unless ascending."""
    unknown = set(params) - FILTERS
    if unknown:
        raise StatementError(f"Unknown query parameters: {', '.join(sorted(unknown))}.")
    rows: QuerySet[LrsStatement] = LrsStatement.objects.filter(voided=False)
    if "agent" in params:
        try:
            agent = validate_agent(json.loads(params["agent"]), "agent")
        except json.JSONDecodeError:
            raise StatementError("agent must be a JSON Agent.") from None
        rows = rows.filter(actor_key=agent_key(agent))
    if "verb" in params:
        rows = rows.filter(verb_id=params["verb"])
    if "activity" in params:
        rows = rows.filter(activity_id=params["activity"])
    if "registration" in params:
        try:
            rows = rows.filter(registration=uuid.UUID(params["registration"]))
        except ValueError:
            raise StatementError("registration must be a UUID.") from None
    if "since" in params:
        rows = rows.filter(stored__gt=parse_timestamp(params["since"], "since"))
    if "until" in params:
        rows = rows.filter(stored__lte=parse_timestamp(params["until"], "until"))
    ascending = params.get("ascending", "false").lower() == "true"
    try:
        limit = int(params.get("limit", "0"))
    except ValueError:
        raise StatementError("limit must be a whole number.") from None
    if limit < 0:
        raise StatementError("limit must not be negative.")
    limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    if cursor:
        stored, pk = _cursor_decode(cursor)
        if ascending:
            rows = rows.filter(Q(stored__gt=stored) | Q(stored=stored, id__gt=pk))
        else:
            rows = rows.filter(Q(stored__lt=stored) | Q(stored=stored, id__lt=pk))
    order = ["stored", "id"] if ascending else ["-stored", "-id"]
    page = list(rows.order_by(*order)[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return StatementPage(page, _cursor_encode(page[-1]) if more else "")


def statement_payload(row: LrsStatement) -> dict[str, Any]:
    return dict(row.data)
