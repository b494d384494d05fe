"""The evidence log: one append-only record of everything observed about a learner (xAPI-shaped)."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.evidence.constants import Source, Verb
from tandem.roster.models import SchoolClass


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove evidence; corrections are new statements."""


class StatementQuerySet(models.QuerySet["Statement"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Evidence is append-only: record a correcting statement instead.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Evidence is append-only: record a voiding statement instead.")


class Statement(models.Model):
    """An xAPI statement: actor, verb, object, result, context, timestamp, stored, authority."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements"
    )
    verb = models.CharField(max_length=255, choices=Verb.choices)
    object_id = models.CharField(max_length=500, help_text="Activity IRI")
    object_name = models.CharField(max_length=255, blank=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT)
    competencies = models.ManyToManyField(Competency, related_name="statements")
    result_success = models.BooleanField(null=True)
    result_score_scaled = models.FloatField(null=True, blank=True)
    result_response = models.TextField(blank=True)
    result_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    context_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    context_registration = models.UUIDField(null=True, blank=True)
    context_extensions = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(db_index=True)
    stored = models.DateTimeField(auto_now_add=True)
    authority = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="asserted_statements"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    # How strongly this statement speaks to mastery, relative to one practice answer.
    weight = models.FloatField(default=1.0)
    voids = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="voided_by"
    )
    # Set by the client (or the attempt) so a retried submission is recorded once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp"]
        indexes = [models.Index(fields=["actor", "-timestamp"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.get_verb_display()} {self.object_name or self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Evidence is append-only: record a correcting statement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Evidence is append-only: record a voiding statement instead.")
