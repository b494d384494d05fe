"""Flex vocabularies: weekdays, kinds of session, why a student is placed, and need weights."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class SessionKind(models.TextChoices):
    COMPETENCY = "competency", _("Skill workshop")
    ENRICHMENT = "enrichment", _("Enrichment")
    PROJECT = "project", _("Project time")
    STUDY = "study", _("Study hall")


class ReasonKind(models.TextChoices):
    """The solver's reasons (``tandem.flex.solver.ReasonKind``), as stored."""

    REQUIRED = "required", _("Required by the teacher")
    PINNED = "pinned", _("Moved by hand")
    NEED = "need", _("Needs this skill")
    CHOICE = "choice", _("Student's choice")
    DEFAULT = "default", _("Homeroom study hall")
    OPEN_SEAT = "open_seat", _("Open seat")


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# Grades 0 (kindergarten) to 12; flex is usually run in grades 6-12.
GRADE_MIN, GRADE_MAX = 0, 12
CHOICES_PER_BLOCK = 3
CAPACITY_MAX = 500
# A competency is a need when the learner model says stuck (tandem.mastery.rules.is_stuck:
# weight 60-100, the lower the estimate the more pressing) or ready (estimate from READY_FROM
# up to the mastery threshold: weight 20-50). Pressing needs are the stuck ones.
READY_FROM = 0.6
PRESSING_WEIGHT = 60
MAX_NEEDS = 3
SOLVE_SECONDS = 8.0
