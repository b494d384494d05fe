"""Mastery vocabularies and the thresholds of the mastery rule."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    LEARNING = "learning", "Learning"
    # Reached the mastery threshold; an answer on a later day confirms it (a retention check).
    PROBABLY_MASTERED = "probably_mastered", "Probably mastered — check again later"
    MASTERED = "mastered", "Mastered"
    NEEDS_REVIEW = "needs_review", "Needs review"


class Progress(models.TextChoices):
    """A learner state in words for students and guardians (staff pages show the estimate).

    ``progress_of`` derives it from the status and P(mastery); every student and guardian page
    uses that one function, so they all tell the same story.
    """

    NOT_STARTED = "not_started", _("Not started")
    PRACTICING = "practicing", _("Practicing")
    NEARLY_THERE = "nearly_there", _("Nearly there")
    PROBABLY_MASTERED = "probably_mastered", _("Probably mastered — check again later")
    GOT_IT = "got_it", _("Got it")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class RunStatus(models.TextChoices):
    """Where a background calibration run stands."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# A run in one of these states holds the single calibration slot.
ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


# The context extension under which a statement carries estimates to seed ({code: p_mastery}),
# see ``mastery_seed``; replays (calibration, recomputation) read it back.
SEED_EXTENSION = "posterior"
