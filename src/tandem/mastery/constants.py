"""Mastery vocabularies and the thresholds of the mastery rule."""

from django.db import models


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    LEARNING = "learning", "Learning"
    MASTERED = "mastered", "Mastered"
    NEEDS_REVIEW = "needs_review", "Needs review"
