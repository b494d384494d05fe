"""Mini-lesson groups: a teacher's few students who share a need on one competency, the
mini-lessons planned and held for them, and each member's attendance and exit check."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.groups.constants import ExitResult, GroupStatus, LessonStatus
from tandem.mastery.constants import Status


class MiniLessonGroup(models.Model):
    """Students one teacher (the leader) teaches a competency to, apart from their classes."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lesson_groups_led"
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set from the form so that a repeated submission forms one group.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at", "-pk"]
        indexes = [models.Index(fields=["leader", "status"])]

    def __str__(self) -> str:
        return f"{self.competency_id} group led by {self.leader_id} ({self.status})"


class GroupMember(models.Model):
    """One student in a group; removing a member deletes the row (lessons keep attendance)."""

    group = models.ForeignKey(MiniLessonGroup, on_delete=models.CASCADE, related_name="members")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_group_memberships"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["student__last_name", "student__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "student"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in group {self.group_id}"


class MiniLesson(models.Model):
    """One meeting of a group: when, where, the plan, and whether it was held."""

    group = models.ForeignKey(MiniLessonGroup, on_delete=models.CASCADE, related_name="lessons")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    room = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    materials_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=LessonStatus.choices, default=LessonStatus.PLANNED
    )
    held_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time", "pk"]
        indexes = [models.Index(fields=["date", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=LessonStatus.HELD) | models.Q(held_at__isnull=False),
                name="minilesson_held_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"Mini-lesson {self.pk} of group {self.group_id} on {self.date}"


class LessonAttendance(models.Model):
    """One member at one held mini-lesson: present or not, the exit check, and the estimate on
    the group's competency just before and just after it was recorded."""

    lesson = models.ForeignKey(MiniLesson, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mini_lesson_attendance"
    )
    present = models.BooleanField()
    exit_result = models.CharField(max_length=10, choices=ExitResult.choices, blank=True)
    items_right = models.PositiveSmallIntegerField(null=True, blank=True)
    items_asked = models.PositiveSmallIntegerField(null=True, blank=True)
    p_before = models.FloatField(null=True, blank=True)
    p_after = models.FloatField(null=True, blank=True)
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["student__last_name", "student__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="attendance_once")
        ]

    def __str__(self) -> str:
        presence = "present" if self.present else "absent"
        return f"{self.student_id} at lesson {self.lesson_id}: {presence}"

    @property
    def percent_before(self) -> int | None:
        return None if self.p_before is None else round(self.p_before * 100)

    @property
    def percent_after(self) -> int | None:
        return None if self.p_after is None else round(self.p_after * 100)

    @property
    def status_before_label(self) -> str:
        return Status(self.status_before).label if self.status_before else "No estimate yet"

    @property
    def status_after_label(self) -> str:
        return Status(self.status_after).label if self.status_after else "No estimate yet"

    @property
    def moved(self) -> int:
        """Percentage points the estimate moved (0 unless there was an estimate before and after:
        a first estimate is no move)."""
        if self.percent_before is None or self.percent_after is None:
            return 0
        return self.percent_after - self.percent_before

    @property
    def moved_abs(self) -> int:
        return abs(self.moved)
