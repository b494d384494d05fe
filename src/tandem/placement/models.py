"""Diagnostic sessions: one student's placement, and the questions it put to them.

The engine's state is not stored: it is rebuilt from the session's seed and its answered
questions in order, which the engine's pure transitions make exact.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.evidence.models import Statement
from tandem.placement.constants import SessionStatus


class DiagnosticSession(models.Model):
    """One run of the diagnostic for one student; at most one is in progress at a time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diagnostic_sessions"
    )
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS
    )
    # The engine's inputs besides the answers: its random seed, the grade its prior is centred
    # on (K = 0), and the engine version, so a session always rebuilds to the same state.
    seed = models.PositiveIntegerField()
    own_grade = models.FloatField()
    engine_version = models.CharField(max_length=50)
    started_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    # When it finished or was abandoned.
    ended_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=30, blank=True)
    expected_accuracy = models.FloatField(null=True, blank=True)
    # At the finish: the posterior P(mastered) of every standard placed, by competency code.
    posterior = models.JSONField(default=dict, blank=True)
    # The statement that seeded the learner state with the placement (none if nothing was).
    placement_statement = models.OneToOneField(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diagnostic_session",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(status=SessionStatus.IN_PROGRESS),
                name="placement_one_session_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"Diagnostic {self.pk} ({self.get_status_display()})"


class DiagnosticQuestion(models.Model):
    """One item put to the student on the standard the engine chose to probe, and its answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        DiagnosticSession, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT)
    item = models.ForeignKey(Item, on_delete=models.PROTECT)
    presented_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True)
    statement = models.OneToOneField(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diagnostic_question",
    )

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="placement_question_position_unique"
            ),
            models.UniqueConstraint(
                fields=["session", "competency"], name="placement_question_competency_unique"
            ),
            # Even under a double request, a session has one open question at a time.
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(answered_at__isnull=True),
                name="placement_one_open_question",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.position} of {self.session_id}"
