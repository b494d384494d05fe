"""Goal vocabularies and the limits of a student's week."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalKind(models.TextChoices):
    COMPETENCY = "competency", _("A competency")
    MILESTONE = "milestone", _("A project milestone")
    HABIT = "habit", _("A habit")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


# One to three goals a week: enough to steer by, few enough to finish.
MAX_GOALS_PER_WEEK = 3
GOAL_TEXT_MAX = 200
REFLECTION_TEXT_MAX = 2000
# Reflecting on a week opens on its Friday (Monday is 0), when there is something to look back on.
REFLECTION_OPENS_WEEKDAY = 4
# How many past weeks the history lists.
HISTORY_WEEKS = 8
