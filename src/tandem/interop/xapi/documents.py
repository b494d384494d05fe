"""Reads and writes of the xAPI document resources: Activity State, Activity Profile, Agent Profile.

A document is opaque content under a key (see LrsDocument); the LRS keeps its content type as
sent, tags each version with an ETag (the quoted SHA-1 of the content) for optimistic
concurrency, and merges JSON objects on POST (xAPI 1.0.3 communication 2.2 and 3.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from tandem.interop.models import LrsClient, LrsDocument

# Largest document the LRS keeps; state and profiles are bookmarks and settings, not files.
DOCUMENT_MAX_BYTES = 1024 * 1024
JSON_TYPE = "application/json"


class DocumentError(ValueError):
    """A request that breaks the document rules (400)."""


class DocumentConflictError(Exception):
    """A PUT would overwrite a profile document the client has not seen (409)."""


class DocumentPreconditionError(Exception):
    """If-Match or If-None-Match does not hold (412)."""


class DocumentTooLargeError(Exception):
    """The document exceeds DOCUMENT_MAX_BYTES (413)."""


@dataclass(frozen=True)
class DocumentKey:
    """Where documents live; ``document_id`` "" names every document of the context."""

    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""  # "" when the state has no registration
    document_id: str = ""


@dataclass(frozen=True)
class Preconditions:
    """The If-Match / If-None-Match headers of a request, None when not sent."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def sent(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


def etag_for(content: bytes) -> str:
    # xAPI defines a document's ETag as the SHA-1 of its content: an identity, not a secret.
    return f'"{hashlib.sha1(content, usedforsecurity=False).hexdigest()}"'


def _tags(header: str) -> set[str]:
    # Weak tags compare like strong ones: the content's SHA-1 is the whole of its identity.
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()}


def _check(existing: LrsDocument | None, conditions: Preconditions) -> None:
    current = existing.etag.strip('"') if existing is not None else None
    if conditions.if_match is not None:
        tags = _tags(conditions.if_match)
        if current is None or ("*" not in tags and current not in tags):
            raise DocumentPreconditionError("If-Match does not match the stored document.")
    if conditions.if_none_match is not None and current is not None:
        tags = _tags(conditions.if_none_match)
        if "*" in tags or current in tags:
            raise DocumentPreconditionError("If-None-Match matches the stored document.")


def _rows(key: DocumentKey) -> QuerySet[LrsDocument]:
    return LrsDocument.objects.filter(
        kind=key.kind, activity_id=key.activity_id, agent_key=key.agent_key
    )


def _one(key: DocumentKey) -> QuerySet[LrsDocument]:
    return _rows(key).filter(registration=key.registration, document_id=key.document_id)


def _locked(key: DocumentKey) -> LrsDocument | None:
    """The document, locked until the write's transaction ends (None when there is none)."""
    return _one(key).select_for_update().first()


def lrs_document_get(*, key: DocumentKey) -> LrsDocument | None:
    return _one(key).first()


def lrs_document_ids(
    *, key: DocumentKey, since: dt.datetime | None, any_registration: bool = False
) -> list[str]:
    """The ids of the context's documents, those updated after ``since`` when given."""
    rows = _rows(key)
    if not any_registration:
        rows = rows.filter(registration=key.registration)
    if since is not None:
        rows = rows.filter(updated__gt=since)
    return sorted(set(rows.values_list("document_id", flat=True)))


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == JSON_TYPE


def _parses(content: bytes) -> bool:
    try:
        json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def json_object(content: bytes, content_type: str) -> dict[str, Any] | None:
    """The content as a JSON object when its type is application/json and it is one."""
    if not _is_json(content_type):
        return None
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _size(content: bytes) -> None:
    if len(content) > DOCUMENT_MAX_BYTES:
        raise DocumentTooLargeError(
            f"The document is {len(content)} bytes; the limit is {DOCUMENT_MAX_BYTES}."
        )


def _save(
    *,
    key: DocumentKey,
    existing: LrsDocument | None,
    content: bytes,
    content_type: str,
    client: LrsClient,
    now: dt.datetime,
) -> LrsDocument:
    values = {
        "content": content,
        "content_type": content_type,
        "etag": etag_for(content),
        "updated": now,
        "client": client,
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(values))
        return existing
    try:
        with transaction.atomic():
            return LrsDocument.objects.create(
                kind=key.kind,
                activity_id=key.activity_id,
                agent_key=key.agent_key,
                registration=key.registration,
                document_id=key.document_id,
                **values,
            )
    except IntegrityError:
        # Another request created the document between our read and this write.
        raise DocumentConflictError("The document was created concurrently; retry.") from None


def lrs_document_put(
    *,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    conditions: Preconditions,
    client: LrsClient,
    now: dt.datetime,
    require_conditions: bool,
    require_on_create: bool = False,
) -> LrsDocument:
    """Store the content in place of the document.

    ``require_conditions``: the PUT must say which version it replaces (If-Match) or that it
    expects none (If-None-Match): without either, DocumentConflictError (409) when a document
    exists, and ``require_on_create`` makes it a DocumentError (400) when none does.
    """
    _size(content)
    with transaction.atomic():
        existing = _locked(key)
        _check(existing, conditions)
        if require_conditions and existing is not None and not conditions.sent:
            raise DocumentConflictError(
                "A document exists under this id. Send If-Match with its ETag to replace it, "
                "or If-None-Match: * to create only."
            )
        if require_on_create and existing is None and not conditions.sent:
            raise DocumentError(
                "Send If-None-Match: * to create this document (or If-Match to replace one)."
            )
        return _save(
            key=key,
            existing=existing,
            content=content,
            content_type=content_type,
            client=client,
            now=now,
        )


def lrs_document_merge(
    *,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    conditions: Preconditions,
    client: LrsClient,
    now: dt.datetime,
) -> LrsDocument:
    """POST: store a new document as sent, or merge a JSON object into a stored JSON object.

    The merge is one level deep: the sent object's top-level properties replace the stored
    ones. Any other combination with a stored document is a DocumentError.
    """
    _size(content)
    if _is_json(content_type) and not _parses(content):
        raise DocumentError("The document is sent as application/json but is not JSON.")
    with transaction.atomic():
        existing = _locked(key)
        _check(existing, conditions)
        if existing is not None:
            stored = json_object(bytes(existing.content), existing.content_type)
            sent = json_object(content, content_type)
            if stored is None or sent is None:
                raise DocumentError(
                    "POST merges only when the stored and the sent document are both JSON "
                    "objects sent as application/json; use PUT to replace the document."
                )
            content = json.dumps({**stored, **sent}, ensure_ascii=False).encode()
            _size(content)
            content_type = JSON_TYPE
        return _save(
            key=key,
            existing=existing,
            content=content,
            content_type=content_type,
            client=client,
            now=now,
        )


def lrs_document_delete(*, key: DocumentKey, conditions: Preconditions) -> None:
    """Delete the one document (a missing one is no error unless If-Match asks for it)."""
    with transaction.atomic():
        existing = _locked(key)
        _check(existing, conditions)
        if existing is not None:
            existing.delete()


def lrs_documents_delete(*, key: DocumentKey, any_registration: bool) -> int:
    """Delete every document of the context (State without stateId); returns how many."""
    rows = _rows(key)
    if not any_registration:
        rows = rows.filter(registration=key.registration)
    deleted, _ = rows.delete()
    return deleted
