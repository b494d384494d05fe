"""Pathway vocabularies: plan status, why a target is there, kinds and states of steps, pace,
and the numbers behind time estimates and the pace verdict."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PathwayStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for approval")
    APPROVED = "approved", _("Approved")


class TargetReason(models.TextChoices):
    """Why a competency is a target: the course's standard for the year, or someone's choice."""

    COURSE = "course", _("Course standard for the year")
    STUDENT = "student", _("Chosen by the student")
    TEACHER = "teacher", _("Added by the teacher")


class StepKind(models.TextChoices):
    COMPETENCY = "competency", _("Competency")
    PROJECT = "project", _("Project")


class StepStatus(models.TextChoices):
    """Where one step stands now; derived from the learner state, never stored."""

    DONE = "done", _("Done")
    IN_PROGRESS = "in_progress", _("In progress")
    READY = "ready", _("Ready to start")
    LOCKED = "locked", _("Needs earlier steps first")


# A glyph per status, shown next to the words (never instead of them).
STEP_ICONS = {
    StepStatus.DONE: "✓",
    StepStatus.IN_PROGRESS: "◐",
    StepStatus.READY: "○",
    StepStatus.LOCKED: "⊘",
}


class EventKind(models.TextChoices):
    CREATED = "created", _("Plan created")
    REFRESHED = "refreshed", _("Plan refreshed")
    TARGET_ADDED = "target_added", _("Target added")
    TARGET_REMOVED = "target_removed", _("Target removed")
    STEP_MOVED = "step_moved", _("Step moved")
    PROJECT_ADDED = "project_added", _("Project added")
    PROJECT_DONE = "project_done", _("Project finished")
    PROJECT_REMOVED = "project_removed", _("Project removed")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Back to draft")


class Pace(models.TextChoices):
    AHEAD = "ahead", _("Ahead")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")


# Pace: the share of steps done may differ from the share of the calendar elapsed by this much
# (in either direction) and still count as on track; a plan is rarely done at an even rate.
PACE_TOLERANCE = 0.10

# The school year used when a student's classes name no academic session: 15 August to 15 June.
SCHOOL_YEAR_START = (8, 15)
SCHOOL_YEAR_END = (6, 15)

# Time estimates: the medians of how long students needed to reach mastery on a competency are
# used once at least this many students have reached it on this installation ...
MIN_ESTIMATE_SAMPLES = 5
# ... and before that, a default: three right answers reach mastery from the default BKT prior,
# and typical practice has a few wrong ones on the way, so about eight answers ...
DEFAULT_ANSWERS_TO_MASTERY = 8
# ... of about two minutes each (a worked item with a hint now and then).
DEFAULT_MINUTES_PER_ANSWER = 2.0
# An answer whose recorded duration is missing counts as the default; one longer than this
# (the tab was left open) counts as this much.
MAX_MINUTES_PER_ANSWER = 10.0
# Installation-wide medians change slowly and are costly over a big evidence log: kept this long.
ESTIMATE_CACHE_SECONDS = 15 * 60

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
