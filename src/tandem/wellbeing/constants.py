"""Wellbeing vocabularies (the student's answers, in words) and the limits of the concern rule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Feeling(models.IntegerChoices):
    """How school felt this week. Stored as a number for the drop rule; never shown as one."""

    REALLY_BAD = 1, _("Really bad")
    NOT_GOOD = 2, _("Not so good")
    OKAY = 3, _("Okay")
    GOOD = 4, _("Good")
    REALLY_GOOD = 5, _("Really good")


class HelpAnswer(models.TextChoices):
    """Whether the student has someone at school to ask for help."""

    YES = "yes", _("Yes")
    NOT_SURE = "not_sure", _("Not sure")
    NO = "no", _("No")


NOTE_MAX = 280  # a short note, about two sentences

# The concern rule (tandem.wellbeing.rules).
DROP_POINTS = 2  # a drop this large against the student's own recent average raises them
DROP_WEEKS = 3  # ... the average of their answers in this many weeks before
# A raise stays for the week of the answer and the week after, unless someone talked with the
# student since (a held check-in, or a counselor's follow-up) or a newer answer replaces it.
RAISE_WEEKS = 2
HISTORY_WEEKS = 12  # how many weeks the student's page shows
