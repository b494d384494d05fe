"""Models of the interop app: import runs and their reports, and restricted demographics."""

from __future__ import annotations

from django.db import models


class Demographics(models.Model):
    """OneRoster demographics of one user, kept apart from the roster.

    Birth dates and race/ethnicity are sensitive and Tandem does not need them to teach; they
    are stored only so a OneRoster round trip loses nothing. Only administrators see them, in
    Django's admin; no page, API or export of learning data reads this table.
    """

    sourced_id = models.CharField(max_length=255, unique=True, help_text="The user's sourcedId")
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    # The remaining OneRoster columns (race flags, birthplace ...), as given, by header name.
    fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "demographics record"
        verbose_name_plural = "demographics"
        ordering = ["sourced_id"]

    def __str__(self) -> str:
        return f"Demographics of {self.sourced_id}"
