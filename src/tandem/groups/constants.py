"""Mini-lesson group vocabularies, how much an exit check counts as evidence, and the limits
of the group suggestions."""

from __future__ import annotations

from django.db import models


class GroupStatus(models.TextChoices):
    OPEN = "open", "Open"
    ENDED = "ended", "Ended"


class LessonStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class ExitResult(models.TextChoices):
    """What the teacher saw in a member's exit check (an observation)."""

    SHOWED = "showed", "Showed it"
    PARTLY = "partly", "Partly"
    NOT_YET = "not_yet", "Not yet"


class Need(models.TextChoices):
    """Why a student is suggested for a mini-lesson on a competency."""

    STUCK = "stuck", "Stuck"
    READY = "ready", "Ready"


class Scope(models.TextChoices):
    """How widely the suggestions look for students who share a need."""

    CLASS = "class", "One class"
    MINE = "mine", "All my classes"
    SCHOOL = "school", "The whole school (all grades)"


# An exit-check observation weighs as a check-in's does (see tandem.checkins.constants): a clear
# "showed it" or "not yet", seen by the teacher, counts twice one practice answer; "partly" is
# recorded as a success of one answer's weight, so it cannot alone push an estimate to mastery.
EXIT_WEIGHT: dict[str, float] = {
    ExitResult.SHOWED: 2.0,
    ExitResult.PARTLY: 1.0,
    ExitResult.NOT_YET: 2.0,
}
EXIT_SCORE: dict[str, float] = {
    ExitResult.SHOWED: 1.0,
    ExitResult.PARTLY: 0.5,
    ExitResult.NOT_YET: 0.0,
}
# Exit-check questions answered on paper: each counts as one practice answer.
EXIT_ITEM_WEIGHT = 1.0
EXIT_ITEMS_MAX = 10

# A suggestion needs at least this many students sharing the need; the page lists this many.
SUGGESTION_MIN = 2
SUGGESTION_LIMIT = 12
# A suggestion ticks this many of its students at first (the stuck first): a mini-lesson is for
# a few; the teacher ticks more if they wish.
SUGGESTION_TICKED = 8
# The most students in one group (a mini-lesson is for a few).
GROUP_MAX = 30
NOTES_MAX = 2000
ROOM_MAX = 50
