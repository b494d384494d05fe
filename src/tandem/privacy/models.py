"""The audit trail of who looked at which student's record, and of every refused attempt."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")


class AccessLog(models.Model):
    """One access by a user to a student's record, or one refused attempt; append-only.

    A refused attempt names no student (a missing and a forbidden id look the same, here too):
    ``requested_id`` keeps what was asked for.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_accesses"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="record_accessed_by",
        null=True,
        blank=True,
    )
    action = models.CharField(max_length=100)
    path = models.CharField(max_length=500, blank=True)
    refused = models.BooleanField(default=False, db_index=True)
    requested_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["student", "-at"])]

    def __str__(self) -> str:
        outcome = "refused" if self.refused else "opened"
        return f"{self.actor_id} {outcome} {self.action} {self.student_id or self.requested_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")
