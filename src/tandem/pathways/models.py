"""A student's pathway: the targets they work towards, the ordered steps to reach them, and an
append-only log of who changed what."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.pathways.constants import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    EventKind,
    PathwayStatus,
    StepKind,
    TargetReason,
)


class Pathway(models.Model):
    """One student's plan. Steps and targets hang off it; the teacher approves it."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway"
    )
    status = models.CharField(
        max_length=20, choices=PathwayStatus.choices, default=PathwayStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Pathway of {self.student_id}"


class PathwayTarget(models.Model):
    """A competency the plan leads to. Removed targets are kept (``removed_at``) so that a refresh
    does not bring back a course standard the teacher took off."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="targets")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=TargetReason.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "competency"], name="pathway_target_unique_competency"
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class PathwayStep(models.Model):
    """One step of the plan: a competency to master, or an interest-driven project.

    ``position`` orders the steps; services renumber them 0..n-1 on every change, so it is not
    unique at the database level (a unique index would refuse the intermediate states).
    """

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    # For a project: the competencies it practises (optional; shown, not enforced).
    practises = models.ManyToManyField(Competency, blank=True, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    # Projects are finished by saying so; competency steps are done when mastered.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set from the form, so a repeated submission adds one project.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "competency"],
                condition=models.Q(competency__isnull=False),
                name="pathway_step_unique_competency",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=StepKind.COMPETENCY, competency__isnull=False)
                    | models.Q(kind=StepKind.PROJECT, competency__isnull=True)
                ),
                name="pathway_step_kind_matches_competency",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.competency_id)

    @property
    def is_project(self) -> bool:
        return self.kind == StepKind.PROJECT


class PathwayEventQuerySet(models.QuerySet["PathwayEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise RuntimeError("The pathway history is append-only.")

    def delete(self) -> NoReturn:
        raise RuntimeError("The pathway history is append-only.")


class PathwayEvent(models.Model):
    """Who did what to a pathway, and when. Append-only: the teacher's view of adjustments.

    The summary is written at the time, in words, so the history reads the same later even if
    steps and targets have since gone. It leaves with the student when their record is erased.
    """

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    # Null when Tandem itself refreshed the plan (new evidence), or the person has left.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    objects = PathwayEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pathway", "-at"])]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("The pathway history is append-only.")
        super().save(*args, **kwargs)
