"""tandem manage api_token issue|list|revoke: API tokens from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tandem.api.constants import Scope
from tandem.api.models import ApiToken
from tandem.api.services import api_token_issue, api_token_revoke
from tandem.roster.models import User


class Command(BaseCommand):
    help = (
        "Issue, list or revoke API tokens. A token acts as one user (seeing no more than that "
        f"user does) on the endpoints its scopes allow: {', '.join(Scope.values)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token and print its secret (once)")
        issue.add_argument("--user", required=True, help="username the token acts as")
        issue.add_argument("--name", required=True, help="what uses it")
        issue.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        issue.add_argument("--expires-days", type=int, help="expire after this many days")
        sub.add_parser("list", help="list tokens (never their secrets)")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            self._issue(options)
        elif action == "list":
            for token in ApiToken.objects.select_related("user"):
                state = (
                    "revoked"
                    if token.revoked_at
                    else "expired"
                    if token.expired(timezone.now())
                    else "active"
                )
                self.stdout.write(
                    f"{token.pk:>4}  {token.hint}…  {state:<7}  {token.name}  as "
                    f"{token.user.username}  [{', '.join(token.scopes)}]  expires "
                    f"{token.expires_at or 'never'}  last used {token.last_used_at or 'never'}"
                )
        else:
            found = ApiToken.objects.filter(pk=options["token_id"]).first()
            if found is None:
                raise CommandError(f"no API token with id {options['token_id']}")
            api_token_revoke(token=found)
            self.stdout.write(f"Revoked token {found.pk} ({found.name}).")

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']}")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        token, secret = api_token_issue(
            issued_by=None,
            user=user,
            name=options["name"],
            scopes=options["scopes"],
            expires_at=expires_at,
        )
        self.stdout.write(f"Issued token {token.pk} ({token.name}), acting as {user.username}.")
        self.stdout.write("Its secret (shown only now; only a hash is kept):")
        self.stdout.write(f"  {secret}")
