"""Placement vocabularies and the thresholds that turn the diagnostic's posterior into words."""

from django.db import models


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"
    ABANDONED = "abandoned", "Abandoned"


class PlacedAs(models.TextChoices):
    """Where the diagnostic placed one standard, from its posterior P(mastered)."""

    MASTERED = "mastered", "Already mastered"
    PROBABLY_KNOWN = "probably_known", "Probably known"
    TO_LEARN = "to_learn", "To learn"


# Placed as mastered (and seeded into the learner state) at the mastery rule's own threshold;
# "probably known" from an even chance up, which is where the benchmark's accuracy is measured.
PROBABLY_KNOWN_AT = 0.5

# Items are pitched at the middle difficulty: the diagnostic's slip and guess assume typical items.
ITEM_DIFFICULTY = 2

# What students are told to expect (the benchmark's median is about 20, its 90th percentile 30).
USUAL_ITEMS_LOW = 15
USUAL_ITEMS_HIGH = 25

# The engine's grade scale has K = 0; roster grade ranks have KG = 1.
KINDERGARTEN_RANK = 1
GRADE_8_RANK = 9
# A student without a grade on the roster is assumed to be in grade 4 (mid K-8); the prior's
# spread is wide enough for the answers to move the centre well away from it.
UNKNOWN_GRADE = 4.0
