"""Check-in vocabularies, how much a conversation counts as evidence, and who-to-see limits."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Understanding(models.TextChoices):
    """What the teacher heard about one competency in the conversation."""

    SHOWED = "showed_understanding", "Showed understanding"
    PARTIAL = "partial", "Partial understanding"
    NEEDS_HELP = "needs_help", "Needs help"


# How strongly each observation speaks to mastery, relative to one practice answer. A clear
# "showed understanding" or "needs help" heard in conversation is stronger evidence than one
# answer (the student explained their reasoning, so a lucky guess or a slip is unlikely): twice
# as much, as for a teacher's observation on the student page. "Partial" is recorded as a
# success, since the student is on the way, but it is the weakest, most ambiguous signal, so
# it counts as one answer and cannot push an estimate over the mastery line on its own.
CHECKIN_WEIGHT: dict[str, float] = {
    Understanding.SHOWED: 2.0,
    Understanding.PARTIAL: 1.0,
    Understanding.NEEDS_HELP: 2.0,
}
CHECKIN_SCORE: dict[str, float] = {
    Understanding.SHOWED: 1.0,
    Understanding.PARTIAL: 0.5,
    Understanding.NEEDS_HELP: 0.0,
}

NOTES_MAX = 5000
# How many observation rows and next-step rows the record form offers.
OBSERVATION_ROWS = 4
NEXT_STEP_ROWS = 3


# Nobody should go longer than this without a one-to-one check-in; past it, a student is
# marked "overdue" and listed first (TANDEM_CHECKIN_DAYS in the environment, see config.py).
CHECKIN_MAX_DAYS_UNSEEN: int = settings.TANDEM_CHECKIN_DAYS

# The who-to-see score (see tandem.checkins.selectors.who_to_see).
NEVER_SEEN_DAYS = 365  # "never had a check-in" counts as this many days
DAYS_CAP = 60  # beyond two months, longer makes no difference to the rank
NEED_POINTS = 7  # one need (stuck, falling behind, goals missed) counts as a week unseen
OVERDUE_POINTS = 30  # enough to put everyone overdue above everyone who is not

# Need flags.
RECENT_DAYS = 14  # "recent" answers for the stuck flag
BEHIND_SHARE = 0.5  # falling behind: fewer mastered than this share of the class median
BEHIND_MIN_MEDIAN = 2  # ... when the class median says something (at least this many)
