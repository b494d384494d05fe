"""The learner profile: what a student says about themselves, the accommodations staff record,
and the append-only history of every change to either."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from tandem.profiles.constants import AccommodationKind, RevisionField


class LearnerProfile(models.Model):
    """The parts of a student's profile that the student writes."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    # Values of constants.Interest, in the vocabulary's order.
    interests = models.JSONField(default=list, blank=True)
    # Tags in the student's own words, beyond the shared vocabulary.
    own_interests = models.JSONField(default=list, blank=True)
    about_me = models.TextField(blank=True)
    # [{"name": "Spanish", "home": true}, ...]: names (or codes) as the student wrote them.
    languages = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.student_id}"


class Accommodation(models.Model):
    """An IEP, 504 plan, English-learner support or other accommodation, recorded by staff.

    Never deleted: an accommodation that no longer applies is ended, so its history stays.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accommodations"
    )
    kind = models.CharField(max_length=20, choices=AccommodationKind.choices)
    summary = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Set by the form so that a repeated submission records one accommodation.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-active", "kind", "pk"]
        indexes = [models.Index(fields=["student", "active"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a profile revision."""


class ProfileRevisionQuerySet(models.QuerySet["ProfileRevision"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Profile history is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Profile history is append-only.")


class ProfileRevision(models.Model):
    """One changed field of a profile or an accommodation: who, when, from what, to what.

    Values are stored as JSON, in the shape the field has (a list, a string, an ISO date, a bool).
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_revisions"
    )
    # Null for the student's own parts; set for a change to an accommodation.
    accommodation = models.ForeignKey(
        Accommodation, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    field = models.CharField(max_length=20, choices=RevisionField.choices)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    objects = ProfileRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["student", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.field} at {self.changed_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Profile history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Profile history is append-only.")
