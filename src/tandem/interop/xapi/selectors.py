"""Reads of Tandem's LRS: statements by id and by the xAPI query filters, with cursor paging,
in the three formats (exact, ids, canonical)."""

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

from tandem.competencies.selectors import competency_codes_and_uris_all
from tandem.evidence.models import Statement
from tandem.interop.models import LrsClient, LrsStatement, LrsStatementLink
from tandem.interop.xapi.constants import LinkKind
from tandem.interop.xapi.mirror import iri_for, tandem_authority
from tandem.interop.xapi.validation import (
    IFI_KEYS,
    IRI,
    StatementError,
    agent_key,
    parse_timestamp,
    statement_normalized,
    validate_agent,
)

MAX_LIMIT = 100
FILTERS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
# The parameters that may accompany statementId or voidedStatementId.
SINGLE_EXTRAS = {"format", "attachments"}
FORMATS = ("ids", "exact", "canonical")
LANGUAGE_MAP_KEYS = {"display", "name", "description"}
# How many StatementRef links a filter follows from a matching statement (a voiding statement
# is one link; longer chains of statements about statements are rare).
REF_DEPTH = 4


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


def statement_get(
    *, statement_id: str, voided: bool, only_client: LrsClient | None = None
) -> LrsStatement | None:
    """The statement by id; a voided one only when asked for as voided, and vice versa.

    ``only_client``: the reader may read only its own statements (statements/read/mine).
    """
    try:
        pk = uuid.UUID(statement_id)
    except ValueError:
        raise StatementError("statementId must be a UUID.") from None
    rows = LrsStatement.objects.filter(id=pk, voided=voided)
    if only_client is not None:
        rows = rows.filter(client=only_client)
    return rows.prefetch_related("attachments").first()


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


def boolean_param(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise StatementError(f"{name} must be true or false.")
    return value == "true"


def format_param(params: dict[str, str]) -> str:
    value = params.get("format", "exact")
    if value not in FORMATS:
        raise StatementError("format must be ids, exact or canonical.")
    return value


def _ids_union(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
    """One id set from several single-column querysets, each read by its own index (UNION ALL:
    the sets are only ever tested with IN, so duplicates do no harm)."""
    parts = [part.order_by() for part in parts]
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _linked(kind: str, value: str) -> QuerySet[Any]:
    """The ids of the statements a filter matches: by their link rows (client statements, see
    xapi.links) and Tandem's own rows by their columns. A union of index reads: an OR of the two
    in one WHERE could use no index and would read every statement."""
    links = LrsStatementLink.objects.filter(kind=kind, value=value).values("statement_id")
    own = [
        LrsStatement.objects.filter(q, client__isnull=True).values("id")
        for q in _tandem_matching(kind, value)
    ]
    return _ids_union([links, *own])


def _tandem_matching(kind: str, value: str) -> list[Q]:
    """Tandem's own evidence statements (no client, no link rows; see xapi.mirror) that a filter
    matches: the actor by actor_key, the object by activity_id, and broadly also the authority
    (Tandem) and the competencies in context.contextActivities.grouping. Each condition is one
    index read; a row matches when any of them does."""
    if kind in (LinkKind.AGENT, LinkKind.RELATED_AGENT):
        if kind == LinkKind.RELATED_AGENT and value == agent_key(tandem_authority()):
            return [Q()]  # every own row
        return [Q(actor_key=value)]
    matches = [Q(activity_id=value)]
    if kind == LinkKind.RELATED_ACTIVITY:
        competencies = [
            cid
            for cid, (code, uri) in competency_codes_and_uris_all().items()
            if iri_for(code, uri) == value
        ]
        if competencies:
            through = Statement.competencies.through.objects.filter(competency_id__in=competencies)
            matches.append(Q(evidence_id__in=through.values("statement_id")))
    return matches


def _matching(params: dict[str, str]) -> Q | None:
    """The filters that are not about time or order, as one condition (None when there are none)."""
    conditions: list[Q] = []
    if "agent" in params:
        try:
            agent = validate_agent(json.loads(params["agent"]), "agent")
        except json.JSONDecodeError:
            raise StatementError("agent must be a JSON Agent or Group.") from None
        key = agent_key(agent)
        if not key:
            raise StatementError("agent must be identified (an anonymous Group matches nothing).")
        broad = boolean_param(params, "related_agents")
        kind = LinkKind.RELATED_AGENT if broad else LinkKind.AGENT
        conditions.append(Q(id__in=_linked(kind, key)))
    if "verb" in params:
        conditions.append(Q(verb_id=_iri_param(params, "verb")))
    if "activity" in params:
        broad = boolean_param(params, "related_activities")
        activity = _iri_param(params, "activity")
        kind = LinkKind.RELATED_ACTIVITY if broad else LinkKind.ACTIVITY
        conditions.append(Q(id__in=_linked(kind, activity)))
    if "registration" in params:
        try:
            conditions.append(Q(registration=uuid.UUID(params["registration"])))
        except ValueError:
            raise StatementError("registration must be a UUID.") from None
    if not conditions:
        return None
    match = conditions[0]
    for condition in conditions[1:]:
        match &= condition
    return match


def _iri_param(params: dict[str, str], name: str) -> str:
    if not IRI.match(params[name]):
        raise StatementError(f"{name} must be an IRI.")
    return params[name]


def _with_targeting(match: Q) -> QuerySet[Any]:
    """The ids of the statements that match ``match`` or target (StatementRef) one that does,
    voided or not.

    xAPI 1.0.3 communication 2.1.3: a statement that targets another meets the non-time filters
    when its target does, recursively; so a voiding statement is found by the voided statement's
    activity though the voided statement itself is not returned. Followed REF_DEPTH links deep.
    One union of index reads: each level is found through the ref_target index from the one
    before.
    """
    level = LrsStatement.objects.filter(match).values("id")
    levels = [level]
    for _ in range(REF_DEPTH):
        level = LrsStatement.objects.filter(ref_target__in=level).values("id")
        levels.append(level)
    return _ids_union(levels)


def statements_query(
    *, params: dict[str, str], cursor: str = "", only_client: LrsClient | None = None
) -> StatementPage:
    """Unvoided statements matching the filters, newest stored first unless ascending.

    ``only_client``: the reader may read only the statements it stored (statements/read/mine).
    """
    unknown = set(params) - FILTERS
    if unknown:
        raise StatementError(f"Unknown query parameters: {', '.join(sorted(unknown))}.")
    format_param(params)
    boolean_param(params, "attachments")
    boolean_param(params, "related_agents")
    boolean_param(params, "related_activities")
    rows: QuerySet[LrsStatement] = LrsStatement.objects.filter(voided=False)
    if only_client is not None:
        rows = rows.filter(client=only_client)
    match = _matching(params)
    if match is not None:
        rows = rows.filter(id__in=_with_targeting(match))
    if "since" in params:
        rows = rows.filter(stored__gt=parse_timestamp(params["since"], "since"))
    if "until" in params:
        rows = rows.filter(stored__lte=parse_timestamp(params["until"], "until"))
    ascending = boolean_param(params, "ascending")
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
    page = list(rows.order_by(*order).prefetch_related("attachments")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return StatementPage(page, _cursor_encode(page[-1]) if more else "")


# -- formats ---------------------------------------------------------------------------------


def accepted_languages(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most preferred first."""
    weighted: list[tuple[float, int, str]] = []
    for n, entry in enumerate(header.split(",")):
        tag, _, quality = entry.strip().partition(";")
        tag = tag.strip()
        if not tag:
            continue
        q = 1.0
        if quality.strip().startswith("q="):
            try:
                q = float(quality.strip()[2:])
            except ValueError:
                q = 0.0
        if q > 0:
            weighted.append((-q, n, tag.lower()))
    return [tag for *_, tag in sorted(weighted)]


def _pick_language(value: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    if not value:
        return value
    lowered = {tag.lower(): tag for tag in value}
    for wanted in languages:
        if wanted == "*":
            break
        if wanted in lowered:
            return {lowered[wanted]: value[lowered[wanted]]}
        for tag in value:
            # "en" accepts "en-US", and "en-US" accepts "en".
            if tag.lower().split("-")[0] == wanted.split("-")[0]:
                return {tag: value[tag]}
    first = next(iter(value))
    return {first: value[first]}


def _canonical(value: Any, languages: list[str]) -> Any:
    """Every language map (display, name, description) cut to the one best-accepted entry."""
    if isinstance(value, list):
        return [_canonical(item, languages) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "extensions":
            out[key] = item
        elif key in LANGUAGE_MAP_KEYS and isinstance(item, dict):
            out[key] = _pick_language(item, languages)
        else:
            out[key] = _canonical(item, languages)
    return out


def _agent_ids(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out: dict[str, Any] = {key: agent[key] for key in IFI_KEYS if key in agent}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    if agent.get("objectType") == "Group" and not any(key in agent for key in IFI_KEYS):
        out["member"] = [_agent_ids(member) for member in agent.get("member", [])]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        # An Activity's identifier is its id alone (objectType is optional for Activities).
        return {"id": obj["id"]}
    if kind in ("Agent", "Group"):
        return dict(_agent_ids(obj))
    if kind == "SubStatement":
        return {**_ids(obj), "objectType": "SubStatement"}
    return obj


def _ids(statement: dict[str, Any]) -> dict[str, Any]:
    """Agents, Groups, Activities and Verbs cut down to what identifies them (format=ids)."""
    out = dict(statement)
    for key in ("actor", "authority"):
        if key in out:
            out[key] = _agent_ids(out[key])
    if "verb" in out:
        out["verb"] = {"id": out["verb"]["id"]}
    if "object" in out:
        out["object"] = _object_ids(out["object"])
    if isinstance(out.get("context"), dict):
        context = dict(out["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        if isinstance(context.get("contextActivities"), dict):
            context["contextActivities"] = {
                key: [_object_ids(a) for a in (entry if isinstance(entry, list) else [entry])]
                for key, entry in context["contextActivities"].items()
            }
        out["context"] = context
    return out


def statement_payload(
    row: LrsStatement, *, format: str = "exact", languages: list[str] | None = None
) -> dict[str, Any]:
    """The statement as the reader asked for it: exact, ids, or canonical (one language)."""
    data = statement_normalized(row.data)  # rows stored before lists were kept
    if format == "ids":
        return _ids(data)
    if format == "canonical":
        return dict(_canonical(data, languages or []))
    return data
