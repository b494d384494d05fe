"""A family's requests about their child's data, and the tombstone each erasure leaves."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.studentdata.constants import RequestKind, RequestStatus


class DataRequest(models.Model):
    """A guardian's (or the student's) request for a copy of, or the erasure of, a student's data,
    as recorded by the school and handled by an administrator."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    # The guardian's account when they asked in Tandem or have one; otherwise requester_name.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requester_name = models.CharField(
        max_length=200, blank=True, help_text="Who asked, when they have no account here"
    )
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request #{self.pk}"


class Erasure(models.Model):
    """The tombstone of one erased student: who erased them, when and why. It points at the
    anonymised account that keeps the student's pseudonymous evidence."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure"
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField()
    reason = models.CharField(max_length=500)
    request = models.OneToOneField(
        DataRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="erasure"
    )
    # Rows deleted, blanked or kept pseudonymous, by model, and files removed.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure of {self.student_id} at {self.erased_at:%Y-%m-%d}"
