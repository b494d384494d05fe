"""API tokens: other software's keys to the JSON API, kept only as hashes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A key another program sends as ``Authorization: Bearer <secret>``.

    It acts as ``user`` (through the same access chokepoints as that user's browser session),
    and only on the endpoints its ``scopes`` name. The secret itself is never stored: only its
    SHA-256, which is enough for a secret of 256 random bits.
    """

    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'SIS gradebook sync'")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The account the token acts as; it sees no more than this account does.",
    )
    scopes = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty for a token that does not expire."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
