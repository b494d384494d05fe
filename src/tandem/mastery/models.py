"""Learner state: what Tandem believes each student knows, and which evidence moved it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.mastery.constants import ACTIVE_RUN_STATUSES, RunStatus, Status


class ParameterSet(models.Model):
    """A versioned set of learner-model parameters; each estimate names the one that made it."""

    version = models.CharField(max_length=100, unique=True)
    model_name = models.CharField(max_length=50)
    engine_version = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.version


class LearnerState(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_states"
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="learner_states"
    )
    p_mastery = models.FloatField()
    # Effective amount of evidence behind the estimate (weighted count of statements).
    evidence_weight = models.FloatField(default=0.0)
    n_attempts = models.PositiveIntegerField(default=0)
    n_correct = models.PositiveIntegerField(default=0)
    last_evidence_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # When the estimate first reached the mastery threshold, while mastery awaits its check on a
    # later day (status "probably mastered"); None otherwise.
    probable_since = models.DateTimeField(null=True, blank=True)
    parameter_set = models.ForeignKey(ParameterSet, on_delete=models.PROTECT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="learner_state_unique")
        ]
        indexes = [models.Index(fields=["competency", "status"])]


class StateChange(models.Model):
    """How one statement moved one learner state: the 'why' behind every mastery value."""

    state = models.ForeignKey(LearnerState, on_delete=models.CASCADE, related_name="changes")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="state_changes")
    p_before = models.FloatField()
    p_after = models.FloatField()
    parameter_set = models.ForeignKey(ParameterSet, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["state", "-at"])]


class CalibrationRun(models.Model):
    """One request to re-fit the learner model on this installation's evidence, and its progress."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calibration_runs",
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0-100")
    message = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    parameter_set = models.ForeignKey(
        ParameterSet,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calibration_runs",
    )
    # What the calibration measured (sizes, log-likelihood, held-out AUC/RMSE, seconds).
    report = models.JSONField(default=dict, blank=True)
    # What happened to the run's parameter set, in order: its calibration's decision, and any
    # deliberate activation later ({"at", "by", "event", "text"}); entries are only appended.
    log = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("start_calibration", "Can start a learner-model calibration")]
        constraints = [
            # At most one run queued or running at a time, even under a double submit.
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(status__in=ACTIVE_RUN_STATUSES),
                name="calibration_one_active_run",
            )
        ]

    def __str__(self) -> str:
        return f"Calibration #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES
