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

# A photo of work on paper (or a drawing made on the page) sent with a written answer.
PHOTO_MAX_BYTES = 8 * 1024 * 1024
# Kinds accepted, recognized by their content (never by the name or the browser's word).
PHOTO_KINDS = {"png": "image/png", "jpg": "image/jpeg"}
# Widths and heights beyond this are not a photo of a page (and would be slow to decode).
PHOTO_MAX_PIXELS = 40_000_000

# The home pages that say what is new since the reader's last visit (LastSeen.page).
PAGE_STUDENT_HOME = "practice:home"
PAGE_GUARDIAN_HOME = "family:home"
# On a first visit, "new" means the last week.
NEWS_FIRST_VISIT_DAYS = 7
# Open goals of this week are "due soon" from this many days before the week ends (Sunday).
GOAL_DUE_SOON_DAYS = 2
