"""Projects: a library of real-world project templates, and students' own projects with their
rubric, milestones, submitted work and the teacher's scores."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.projects.constants import (
    MAX_POINTS,
    MIN_POINTS,
    STUDENT_STATUS_WORDS,
    ProjectStatus,
)


class ProjectTemplate(models.Model):
    """A library entry: a project idea with its competencies, rubric and suggested milestones."""

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Lower-case words such as "sports" or "money"; a handful per template.
    interest_tags = models.JSONField(default=list, blank=True)
    competencies = models.ManyToManyField(Competency, related_name="project_templates")
    # Null for the library Tandem ships (see project_library_seed).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_templates",
    )
    published = models.BooleanField(default=True)
    # Set on the templates Tandem ships, so seeding twice finds them instead of adding copies.
    library_key = models.CharField(max_length=50, unique=True, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TemplateMilestone(models.Model):
    """A suggested step of a template, due some days after the project starts."""

    template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    days_after_start = models.PositiveSmallIntegerField(default=7)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class StudentProject(models.Model):
    """One student's project, from a template or their own idea, and where it stands."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    template = models.ForeignKey(
        ProjectTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_projects",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    interest = models.TextField("Why it interests me", blank=True)
    competencies = models.ManyToManyField(Competency, related_name="student_projects")
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    proposed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_projects",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    # From the proposal form, so a repeated POST proposes once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def status_words(self) -> str:
        """The status as the student reads it."""
        return gettext(STUDENT_STATUS_WORDS[ProjectStatus(self.status)])


class RubricCriterion(models.Model):
    """One row of a rubric, on a template or (copied or written) on a student's project."""

    template = models.ForeignKey(
        ProjectTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    project = models.ForeignKey(
        StudentProject, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The competency this row is evidence for; without one, the project's competencies.
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "rubric criteria"
        constraints = [
            models.CheckConstraint(
                condition=(Q(template__isnull=False) & Q(project__isnull=True))
                | (Q(template__isnull=True) & Q(project__isnull=False)),
                name="rubric_criterion_on_template_or_project",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    """One cell of a rubric: what work at this level looks like for this criterion."""

    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    points = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=50)
    descriptor = models.TextField()

    class Meta:
        ordering = ["criterion", "points"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "points"], name="rubric_level_unique"),
            models.CheckConstraint(
                condition=Q(points__gte=MIN_POINTS) & Q(points__lte=MAX_POINTS),
                name="rubric_level_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} {self.label}"


class Milestone(models.Model):
    """A step of a student's project, with a due date, done when the student says so."""

    project = models.ForeignKey(StudentProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


def submission_upload_to(instance: Submission, filename: str) -> str:
    """projects/<pseudonym>/<project id>/<random>.<ext>: no names on disk, none guessable."""
    suffix = PurePosixPath(filename).suffix.lower()
    student = instance.project.student
    return f"projects/{student.pseudonym}/{instance.project_id}/{uuid.uuid4().hex}{suffix}"


class Submission(models.Model):
    """Work handed in: text, a link, a file, or several of these at once."""

    project = models.ForeignKey(
        StudentProject, on_delete=models.CASCADE, related_name="submissions"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    text = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    # Served only by the download view, which checks access; never from MEDIA_URL.
    file = models.FileField(upload_to=submission_upload_to, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True, help_text="The name it was sent as")
    file_kind = models.CharField(max_length=10, blank=True, help_text="Checked kind, e.g. pdf")
    file_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RubricScoreQuerySet(models.QuerySet["RubricScore"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Rubric scores are append-only: score again instead.")


class RubricScore(models.Model):
    """A teacher's judgment of one criterion, and the statement it became. Rescoring adds one."""

    project = models.ForeignKey(StudentProject, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    level = models.ForeignKey(RubricLevel, on_delete=models.PROTECT, related_name="+")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # One score per statement: a repeated submission of the form finds the score it made.
    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = RubricScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "criterion", "-created_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Rubric scores are append-only: score again instead.")
        super().save(*args, **kwargs)
