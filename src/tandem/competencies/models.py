"""Competency frameworks after CASE: documents, items (standards) and their associations."""

from __future__ import annotations

import uuid

from django.db import models

from tandem.competencies.constants import AssociationType


class Framework(models.Model):
    """A CASE CFDocument."""

    identifier = models.UUIDField(default=uuid.uuid4, unique=True)
    uri = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=255)
    creator = models.CharField(max_length=255, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=50, blank=True)
    adoption_status = models.CharField(max_length=50, blank=True)
    license_text = models.TextField(blank=True)
    credit = models.TextField(blank=True)
    last_change = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class Competency(models.Model):
    """A CASE CFItem: one standard or sub-standard that a learner can master."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    identifier = models.UUIDField(default=uuid.uuid4, unique=True)
    uri = models.CharField(max_length=500, blank=True)
    human_coding_scheme = models.CharField(max_length=50)
    full_statement = models.TextField()
    abbreviated_statement = models.CharField(max_length=255, blank=True)
    # What a student reads next to the code ("Compare fractions with different denominators"):
    # from the pack's curated names or generated from the statement, until staff rename it.
    short_name = models.CharField(max_length=120, blank=True)
    # Set when staff edit the short name; a reload or an import never overwrites it then.
    short_name_edited = models.BooleanField(default=False)
    item_type = models.CharField(max_length=50, default="Standard")
    education_levels = models.JSONField(default=list, blank=True)
    # Derived from education_levels for ordering and filtering: the lowest grade's rank (KG = 1).
    grade_rank = models.PositiveSmallIntegerField(default=0, db_index=True)
    domain_code = models.CharField(max_length=20, blank=True, db_index=True)
    domain_name = models.CharField(max_length=255, blank=True)
    cluster_code = models.CharField(max_length=20, blank=True)
    cluster_name = models.CharField(max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    list_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "competencies"
        ordering = ["grade_rank", "list_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "human_coding_scheme"], name="competency_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.human_coding_scheme

    @property
    def code(self) -> str:
        return self.human_coding_scheme

    @property
    def name(self) -> str:
        """The short name, or the statement when there is none yet."""
        return self.short_name or self.full_statement

    @property
    def grade_label(self) -> str:
        levels = self.education_levels or []
        if not levels:
            return ""
        first = str(levels[0])
        return {"KG": "K", "PK": "Pre-K"}.get(first, first.lstrip("0") or first)


class Association(models.Model):
    """A CASE CFAssociation. For prerequisites, ``origin`` is a prerequisite of ``destination``."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="associations")
    identifier = models.UUIDField(default=uuid.uuid4, unique=True)
    association_type = models.CharField(max_length=30, choices=AssociationType.choices)
    origin = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="outgoing")
    destination = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.CASCADE, related_name="incoming"
    )
    # An association may point outside Tandem (CASE allows external URIs); kept, never dropped.
    destination_uri = models.CharField(max_length=500, blank=True)
    # The external node's CASE identifier and title, so a re-export names it as it was imported.
    destination_identifier = models.CharField(max_length=255, blank=True)
    destination_title = models.CharField(max_length=255, blank=True)
    sequence_number = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["association_type", "origin", "destination"],
                name="association_unique_edge",
            )
        ]
        indexes = [models.Index(fields=["association_type", "destination"])]
