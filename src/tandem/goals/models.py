"""A student's weekly goals and their end-of-week reflections, with every version kept."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.goals.constants import GOAL_TEXT_MAX, GoalKind, GoalStatus


class WeeklyGoal(models.Model):
    """One of a student's one to three goals for a week (named by its Monday)."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_goals"
    )
    week = models.DateField(help_text="The Monday of the week the goal is for.")
    kind = models.CharField(max_length=20, choices=GoalKind.choices)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="weekly_goals"
    )
    text = models.CharField(max_length=GOAL_TEXT_MAX, blank=True)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    # The student, or a teacher who agreed it with them as a check-in's next step.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals_created"
    )
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set from the form so that a repeated submission creates the goal once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["week", "created_at", "pk"]
        indexes = [models.Index(fields=["student", "week"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=GoalKind.COMPETENCY) | models.Q(competency__isnull=False),
                name="weekly_goal_competency_kind_names_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.week}: {self.text or self.competency}"


class Reflection(models.Model):
    """What a student did in a week, what worked, and what they will do next: one per week."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    week = models.DateField(help_text="The Monday of the week reflected on.")
    did = models.TextField("What I did", blank=True)
    worked = models.TextField("What worked", blank=True)
    next_steps = models.TextField("What next", blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["student", "week"], name="reflection_one_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.week}"


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a saved version of a reflection."""


class RevisionQuerySet(models.QuerySet["ReflectionRevision"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Reflection versions are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Reflection versions are append-only.")


class ReflectionRevision(models.Model):
    """One saved version of a reflection, the first included; never changed once written."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="revisions")
    did = models.TextField(blank=True)
    worked = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["saved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reflection_id} at {self.saved_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Reflection versions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Reflection versions are append-only.")
