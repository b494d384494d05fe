"""Placement vocabularies: session states, the groups a finished placement files standards in,
and the diagnostic's settings in the product."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"
    ABANDONED = "abandoned", "Abandoned"


class PlacedAs(models.TextChoices):
    """Where a finished diagnostic leaves one standard: the learner state's own status after
    the placement was applied, so the result says what every other page says."""

    MASTERED = "mastered", _("Mastered")
    PROBABLY_MASTERED = "probably_mastered", _("Probably mastered — check again later")
    NEEDS_REVIEW = "needs_review", _("Due for review")
    TO_LEARN = "to_learn", _("To learn")
    NOT_ASSESSED = "not_assessed", _("Not assessed yet")


# How many standards of a grade or domain are in a group, as whole phrases ("3 to learn"), so
# that a translation can make the words agree with the number (Spanish: "12 dominados").
_COUNTED = {
    PlacedAs.MASTERED: ngettext_lazy("%(n)s mastered", "%(n)s mastered", "n"),
    PlacedAs.PROBABLY_MASTERED: ngettext_lazy(
        "%(n)s probably mastered — check again later",
        "%(n)s probably mastered — check again later",
        "n",
    ),
    PlacedAs.NEEDS_REVIEW: ngettext_lazy("%(n)s due for review", "%(n)s due for review", "n"),
    PlacedAs.TO_LEARN: ngettext_lazy("%(n)s to learn", "%(n)s to learn", "n"),
    PlacedAs.NOT_ASSESSED: ngettext_lazy("%(n)s not assessed yet", "%(n)s not assessed yet", "n"),
}


def placed_count(placed: str, n: int) -> str:
    """``n`` standards in the group ``placed``, in words."""
    return str(_COUNTED[PlacedAs(placed)] % {"n": n})


# The diagnostic's estimate is shown beside a standard not assessed yet as "likely known" from
# an even chance up, which is where the benchmark's accuracy is measured.
LIKELY_KNOWN_AT = 0.5

# Items are pitched at the middle difficulty: the diagnostic's slip and guess assume typical items.
ITEM_DIFFICULTY = 2

# What students are told to expect (the benchmark's median is about 20; the diagnostic never
# asks more than 25).
USUAL_ITEMS_LOW = 15
USUAL_ITEMS_HIGH = 25

# The engine's grade scale has K = 0; roster grade ranks have KG = 1.
KINDERGARTEN_RANK = 1
GRADE_8_RANK = 9
# A student without a grade on the roster is assumed to be in grade 4 (mid K-8); the prior's
# spread is wide enough for the answers to move the centre well away from it.
UNKNOWN_GRADE = 4.0
