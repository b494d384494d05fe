"""How the API knows who is calling: a browser session, or an API token with its scopes.

Every endpoint names the one scope a token needs for it. A token without that scope gets a 403
(audited, as every refusal is); an unknown, revoked or expired token, or one whose account is
deactivated, gets a 401. Past that, the token's user goes through the same access chokepoints
as a signed-in browser, so a token never sees more than its user may.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from tandem.api.constants import LAST_USED_RESOLUTION_SECONDS, Scope
from tandem.api.models import ApiToken
from tandem.api.services import token_hash
from tandem.privacy.services import access_log_refusal


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <secret>`` for a token holding ``scope``."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        now = timezone.now()
        found = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
        if found is None:
            raise AuthenticationError()
        refusal = (
            "revoked"
            if found.revoked_at is not None
            else "expired"
            if found.expired(now)
            else "inactive-user"
            if not found.user.is_active
            else None
        )
        path = request.path
        if refusal is not None:
            access_log_refusal(
                actor=found.user, requested_id=found.hint, action=f"api:token:{refusal}", path=path
            )
            raise AuthenticationError()
        if self.scope not in found.scopes:
            requested = ",".join(
                str(v) for v in (request.resolver_match or _NoMatch).kwargs.values()
            )
            access_log_refusal(
                actor=found.user,
                requested_id=requested,
                action=f"api:scope:{self.scope}",
                path=path,
            )
            raise HttpError(403, f"This token lacks the scope {self.scope}.")
        _note_use(found, now)
        # The views, and the access chokepoints they call, read the caller from request.user.
        request.user = found.user
        return found


class _NoMatch:
    kwargs: dict[str, Any] = {}


def _note_use(token: ApiToken, now: dt.datetime) -> None:
    stale = now - dt.timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def session_or_token(scope: Scope) -> list[Any]:
    """The ``auth`` of an endpoint open to browsers and to tokens holding ``scope``.

    The token comes first: a token request carries no CSRF cookie, which the session check
    would refuse on a POST before the token were looked at.
    """
    return [ApiTokenAuth(scope), SessionAuth()]


SESSION_ONLY = [SessionAuth()]
