"""The audit trail of who looked at which student's record."""

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    """One access by a user to a student's record; append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_accesses"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_accessed_by"
    )
    action = models.CharField(max_length=100)
    path = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["student", "-at"])]
