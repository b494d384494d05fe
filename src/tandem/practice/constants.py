"""Practice vocabularies: how much a hinted answer counts, how a teacher scores a written
answer, and how much that counts."""

from __future__ import annotations

from django.db import models

# A correct answer reached with hints counts for less than an unaided one.
HINTED_CORRECT_WEIGHT = 0.5

# The longest written answer and teacher comment accepted (characters).
WRITTEN_ANSWER_MAX = 5000
WRITTEN_COMMENT_MAX = 2000


class WrittenScoreLevel(models.TextChoices):
    """The teacher's judgment of one written answer."""

    SHOWS = "shows_understanding", "Shows understanding"
    PARTLY = "partly", "Partly"
    NOT_YET = "not_yet", "Not yet"


# As for a check-in conversation (tandem.checkins.constants): a written explanation shows the
# student's reasoning, so a clear "shows understanding" or "not yet" counts as two answers.
# "Partly" is a success (the student is on the way) but the most ambiguous signal, so it counts
# as one answer and cannot push an estimate over the mastery line on its own.
WRITTEN_WEIGHT: dict[str, float] = {
    WrittenScoreLevel.SHOWS: 2.0,
    WrittenScoreLevel.PARTLY: 1.0,
    WrittenScoreLevel.NOT_YET: 2.0,
}
WRITTEN_SCORE: dict[str, float] = {
    WrittenScoreLevel.SHOWS: 1.0,
    WrittenScoreLevel.PARTLY: 0.5,
    WrittenScoreLevel.NOT_YET: 0.0,
}
