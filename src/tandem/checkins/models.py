"""One-to-one check-in conversations: when, the teacher's private notes, what was observed per
competency (each observation is also a statement in the evidence log), and the next steps
agreed, which become the student's goals."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.checkins.constants import CheckInStatus, Understanding
from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.goals.models import WeeklyGoal


class CheckIn(models.Model):
    """A conversation between a teacher and one student, planned or held."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins_led"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED
    )
    # Private: shown only to the student's teachers and administrators, never copied into the
    # evidence log (which the student and guardians can read).
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Set from the form so that a repeated submission schedules or records once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["student", "status", "held_at"]),
            models.Index(fields=["teacher", "status", "scheduled_for"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=CheckInStatus.HELD) | models.Q(held_at__isnull=False),
                name="checkin_held_has_time",
            )
        ]

    def __str__(self) -> str:
        when = self.held_at or self.scheduled_for
        return f"{self.student_id} with {self.teacher_id} ({self.status}, {when})"


class CheckInObservation(models.Model):
    """What the teacher heard about one competency; ``statement`` is the evidence it became."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="observations")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    understanding = models.CharField(max_length=30, choices=Understanding.choices)
    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, related_name="check_in_observation"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "competency"], name="checkin_observation_once_per_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_in_id}: {self.competency_id} {self.understanding}"


class CheckInNextStep(models.Model):
    """A next step agreed in a check-in: the student's goal it became."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="next_steps")
    goal = models.OneToOneField(
        WeeklyGoal, on_delete=models.CASCADE, related_name="check_in_next_step"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.check_in_id} → goal {self.goal_id}"
