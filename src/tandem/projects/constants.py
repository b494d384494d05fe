"""Project vocabularies: the life of a student project, rubric levels, and upload limits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SUBMITTED = "submitted", _("Submitted")
    SCORED = "scored", _("Scored")


# What each status means for the student, in their own words (never the colour of a badge alone).
STUDENT_STATUS_WORDS = {
    ProjectStatus.PROPOSED: gettext_noop("Waiting for your teacher to approve it"),
    ProjectStatus.APPROVED: gettext_noop("Approved: you can start working"),
    ProjectStatus.CHANGES_REQUESTED: gettext_noop("Your teacher asked for changes"),
    ProjectStatus.SUBMITTED: gettext_noop("Handed in: waiting for your teacher's scores"),
    ProjectStatus.SCORED: gettext_noop("Scored: see your teacher's feedback"),
}

# A teacher may still review (approve or ask for changes) until work is handed in.
REVIEWABLE = (ProjectStatus.PROPOSED, ProjectStatus.CHANGES_REQUESTED, ProjectStatus.APPROVED)
# The student may revise the proposal while it is not approved yet.
REVISABLE = (ProjectStatus.PROPOSED, ProjectStatus.CHANGES_REQUESTED)
# Work (milestones, submissions, scores) happens once the project is approved.
UNDER_WAY = (ProjectStatus.APPROVED, ProjectStatus.SUBMITTED, ProjectStatus.SCORED)


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve the project")
    REQUEST_CHANGES = "request_changes", _("Ask for changes")


# Rubric levels: points 1..4. A score at PROFICIENT or above counts as success for the learner
# model; the scaled score is (points - 1) / (max - 1).
# Marked for translation, kept in English here: a new rubric stores them (pages translate them).
LEVEL_LABELS = {
    1: gettext_noop("Beginning"),
    2: gettext_noop("Developing"),
    3: gettext_noop("Proficient"),
    4: gettext_noop("Exemplary"),
}
MIN_POINTS = 1
MAX_POINTS = 4
PROFICIENT_POINTS = 3

# A rubric judged by a teacher on real work speaks louder than one practice answer (1.0), as
# loud as what a teacher learns in conversation.
PROJECT_WEIGHT = 2.0

# Uploads: size limit and the kinds accepted (by extension AND by their first bytes).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_KINDS = {
    "pdf": ("PDF document", "application/pdf"),
    "png": ("PNG image", "image/png"),
    "jpg": ("JPEG image", "image/jpeg"),
    "jpeg": ("JPEG image", "image/jpeg"),
    "txt": ("plain text file", "text/plain; charset=utf-8"),
    "docx": (
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "odt": ("OpenDocument text", "application/vnd.oasis.opendocument.text"),
    "pptx": (
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
UPLOAD_ALLOWED_WORDS = _("PDF, PNG, JPG, TXT, DOCX, ODT or PPTX")

TITLE_MAX = 200
TEXT_MAX = 10_000
