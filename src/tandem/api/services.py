"""Writes of API tokens: issuing one (its secret returned once) and revoking it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.api.constants import TOKEN_BYTES, TOKEN_HINT_LENGTH, TOKEN_PREFIX, Scope
from tandem.api.models import ApiToken
from tandem.roster.access import is_administrator


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_issue_token_for(issuer: Any, user: Any) -> bool:
    """Whether ``issuer`` may issue a token acting as ``user``: a superuser for anyone, a
    school administrator for anyone but a superuser (whose access can be more than theirs);
    ``None`` is the operator at the command line."""
    if issuer is None or issuer.is_superuser:
        return True
    return is_administrator(issuer) and not user.is_superuser


def api_token_issue(
    *,
    issued_by: Any,
    user: Any,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token acting as ``user``, and its secret, which is not kept and cannot be shown
    again. ``issued_by`` is the administrator (None from the command line); PermissionError
    where they may not issue one for ``user`` (``may_issue_token_for``)."""
    if not may_issue_token_for(issued_by, user):
        raise PermissionError(f"{issued_by} may not issue a token acting as {user}")
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)} (known: {', '.join(Scope)})")
    if not chosen:
        raise ValueError("a token needs at least one scope")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=user,
            scopes=chosen,
            token_hash=token_hash(secret),
            hint=secret[:TOKEN_HINT_LENGTH],
            created_by=issued_by,
            expires_at=expires_at,
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, revoked_by: Any = None) -> ApiToken:
    """Revoke ``token`` from now on (kept, so its use stays explainable); idempotent."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
