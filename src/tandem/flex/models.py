"""Flex periods: the weekly blocks an administrator sets, the sessions teachers offer in a
week, students' ranked choices, and the week's schedule with each placement's reason and the
attendance taken in the session."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.flex.constants import ReasonKind, ScheduleStatus, SessionKind, Weekday


class FlexBlock(models.Model):
    """A flex period that recurs every week: a weekday, a time and the rooms it may use."""

    name = models.CharField(max_length=100)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    # One room name a line; a session must be in one of them, one session per room.
    rooms = models.TextField(blank=True)

    class Meta:
        ordering = ["weekday", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="flex_block_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def room_list(self) -> list[str]:
        return [line.strip() for line in self.rooms.splitlines() if line.strip()]


class FlexSession(models.Model):
    """What one teacher offers in one block in one week (``week_of`` is that week's Monday)."""

    block = models.ForeignKey(FlexBlock, on_delete=models.PROTECT, related_name="sessions")
    week_of = models.DateField()
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flex_sessions_led"
    )
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=SessionKind.choices)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveSmallIntegerField()
    room = models.CharField(max_length=60, blank=True)
    grade_min = models.PositiveSmallIntegerField()
    grade_max = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["week_of", "block", "title", "pk"]
        indexes = [models.Index(fields=["week_of", "block"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.block}, week of {self.week_of})"

    @property
    def day(self) -> dt.date:
        """The date it meets: its block's weekday in its week."""
        return self.week_of + dt.timedelta(days=self.block.weekday)


class FlexRequirement(models.Model):
    """A student the session's teacher needs to see there."""

    session = models.ForeignKey(FlexSession, on_delete=models.CASCADE, related_name="required")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flex_requirements"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="flex_required_once")
        ]


class FlexChoice(models.Model):
    """A student's ranking of a session: 1 is their first choice in that block and week."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flex_choices"
    )
    session = models.ForeignKey(FlexSession, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["student", "session"], name="flex_choice_once")
        ]


class FlexSchedule(models.Model):
    """One week's schedule: a draft until an administrator publishes it."""

    week_of = models.DateField(unique=True)
    status = models.CharField(
        max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    solver_status = models.CharField(max_length=20, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    need_objective = models.IntegerField(default=0)
    need_bound = models.IntegerField(default=0)
    preference_objective = models.IntegerField(default=0)
    preference_bound = models.IntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-week_of"]

    def __str__(self) -> str:
        return f"Flex week of {self.week_of} ({self.status})"


class FlexPlacement(models.Model):
    """Where one student is in one block of the week, why, and whether they came."""

    schedule = models.ForeignKey(FlexSchedule, on_delete=models.CASCADE, related_name="placements")
    block = models.ForeignKey(FlexBlock, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(FlexSession, on_delete=models.PROTECT, related_name="placements")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flex_placements"
    )
    reason = models.CharField(max_length=12, choices=ReasonKind.choices)
    reason_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    reason_competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Moved by hand: kept on the next solve.
    pinned = models.BooleanField(default=False)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended = models.BooleanField(null=True, blank=True)
    attendance_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendance_statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["block", "session", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "student", "block"], name="flex_placement_once_per_block"
            )
        ]
        indexes = [models.Index(fields=["student", "schedule"])]

    @property
    def reason_label(self) -> str:
        if self.reason == ReasonKind.NEED and self.reason_competency is not None:
            return f"Needs {self.reason_competency.human_coding_scheme}"
        if self.reason == ReasonKind.CHOICE and self.reason_rank:
            return f"Choice #{self.reason_rank}"
        return str(ReasonKind(self.reason).label)
