"""Practice items: the questions students answer, each aligned to competencies."""

from __future__ import annotations

import uuid

from django.db import models

from tandem.competencies.models import Competency


class ItemKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    NUMERIC = "numeric", "Numeric entry"
    SHORT_TEXT = "short_text", "Short text"
    # No answer key: a teacher scores the student's writing (see tandem.practice written answers).
    EXTENDED_TEXT = "extended_text", "Written answer"


# The kinds a key scores automatically; practice, the diagnostic and calibration use only these.
AUTO_SCORED_KINDS = frozenset(
    {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE, ItemKind.NUMERIC, ItemKind.SHORT_TEXT}
)


class Item(models.Model):
    """One question. Generated items record their generator and seed so they can be reproduced."""

    identifier = models.UUIDField(default=uuid.uuid4, unique=True)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    stem = models.TextField()
    choices = models.JSONField(default=list, blank=True)
    answer = models.JSONField(default=list)
    tolerance = models.CharField(max_length=30, blank=True)
    # Numeric only: what may follow the number in a full answer: "cm", "m²", "π" (the key is
    # the number that multiplies π) or "π cm³"; a student may write it or leave it off.
    answer_unit = models.CharField(max_length=30, blank=True)
    hints = models.JSONField(default=list, blank=True)
    solution = models.TextField(blank=True)
    # Written answers only: what the scorer looks for (a rubric or a sample answer), never shown
    # to students, and the expected length of the answer when the author gave one.
    guidance = models.TextField(blank=True)
    expected_length = models.PositiveIntegerField(null=True, blank=True)  # characters
    expected_lines = models.PositiveSmallIntegerField(null=True, blank=True)
    difficulty = models.PositiveSmallIntegerField(default=2)
    generator = models.CharField(max_length=100, blank=True, db_index=True)
    seed = models.BigIntegerField(null=True, blank=True)
    competencies = models.ManyToManyField(Competency, related_name="items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["generator", "seed", "difficulty"],
                condition=~models.Q(generator=""),
                name="item_generated_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.generator or 'item'} #{self.pk}"

    @property
    def activity_id(self) -> str:
        return f"urn:tandem:item:{self.identifier}"
