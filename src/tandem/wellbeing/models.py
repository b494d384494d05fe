"""A student's weekly one-minute self-check: how school feels, whether they have someone to ask.

One row per student per ISO week (the Monday); answering again that week edits it. Read only
through ``tandem.wellbeing.access``: the student, their teachers and their school's counselors.
It is not in Django's admin (administrators do not read it) nor in any analytics export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.wellbeing.constants import NOTE_MAX, Feeling, HelpAnswer


class SelfCheck(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_checks"
    )
    week = models.DateField(help_text="The Monday of the ISO week")
    feeling = models.PositiveSmallIntegerField(choices=Feeling.choices)
    has_someone = models.CharField(max_length=10, choices=HelpAnswer.choices)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # A counselor or teacher talked with the student about this answer (ends the raise).
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "week"], name="selfcheck_one_per_week"),
            models.CheckConstraint(
                condition=models.Q(feeling__gte=1, feeling__lte=5), name="selfcheck_feeling_1_5"
            ),
        ]
        ordering = ["student", "-week"]

    def __str__(self) -> str:
        return f"Self-check of student {self.student_id}, week of {self.week}"
