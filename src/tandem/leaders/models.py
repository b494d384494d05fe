"""What leaders write down: a change they want judged, and their school's weekly screen-time
limit. Everything else on their pages is read, in aggregate, from the other apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.leaders.constants import DEFAULT_WEEKLY_MINUTES
from tandem.roster.models import Org, SchoolClass


class Change(models.Model):
    """Something a school changed on a date for some classes (a schedule, a curriculum ...),
    whose effect on growth is compared with the classes it did not touch."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    weeks = models.PositiveSmallIntegerField(
        default=3, help_text="Weeks compared on each side of the start date"
    )
    classes = models.ManyToManyField(SchoolClass, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # Set by the form so that a repeated submission records one change.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return self.title


class TimeLimit(models.Model):
    """A school's (or district's) limit on minutes of practice per student per week."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="time_limit")
    weekly_minutes = models.PositiveSmallIntegerField(default=DEFAULT_WEEKLY_MINUTES)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.org}: {self.weekly_minutes} minutes a week"


class FigureSnapshot(models.Model):
    """One scope's per-student figures (the selectors' ``Frame``), worked out by the background
    worker and stored, so that a leader's page reads them instead of the scope's whole history.

    ``data`` is the frame as a NumPy archive: student ids and aggregates, no names.
    """

    # "district", or "school-<pk>".
    scope_key = models.CharField(max_length=40, unique=True)
    data = models.BinaryField(null=True, blank=True)
    # Which layout of the frame ``data`` holds; another layout is worked out again.
    data_format = models.PositiveSmallIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    compute_seconds = models.FloatField(null=True, blank=True)
    # Set when a refresh is queued, cleared when it is stored; a second is not queued meanwhile.
    refresh_requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.scope_key} as of {self.computed_at}"
