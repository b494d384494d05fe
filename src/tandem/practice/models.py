"""Practice attempts: an item put in front of a student, and what became of it; written
answers (typed, or a photo or drawing of the work), which a teacher scores; and when a person
last looked at a home page, so that it can say what is new."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.evidence.models import Statement
from tandem.practice.constants import WrittenScoreLevel
from tandem.roster.models import SchoolClass

# The longest second-try answer kept (characters, as normalised for checking).
SECOND_RESPONSE_MAX = 255


class Attempt(models.Model):
    """One presentation of an item. It can be answered once; a re-submission returns that answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT)
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT)
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, on_delete=models.SET_NULL)
    predicted_success = models.FloatField()
    reason = models.CharField(max_length=255, blank=True)
    presented_at = models.DateTimeField()
    hints_shown = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    statement = models.OneToOneField(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="attempt"
    )
    # After a wrong first answer the student may try once more. The first answer is the
    # evidence (the statement above); the second try only teaches, so it is kept here, out of
    # the evidence log that the learner model and the reports read. ``second_at`` is set when
    # the second try ends: by an answer (``second_correct`` True or False) or by "Show me how"
    # (``second_correct`` None).
    second_response = models.CharField(max_length=SECOND_RESPONSE_MAX, blank=True)
    second_correct = models.BooleanField(null=True, blank=True)
    second_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["student", "-presented_at"])]

    @property
    def second_try_open(self) -> bool:
        """Answered wrong the first time, and neither tried again nor shown the solution."""
        return (
            self.statement_id is not None
            and self.second_at is None
            and self.statement is not None
            and not self.statement.result_success
        )


def written_photo_upload_to(instance: WrittenAnswer, filename: str) -> str:
    """written/<pseudonym>/<random>.<ext>: no names on disk, none guessable."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"written/{instance.student.pseudonym}/{uuid.uuid4().hex}{suffix}"


class WrittenAnswer(models.Model):
    """A student's answer to a written (extended-text) item, waiting for or given a teacher's
    score. One per student and item; its scores are kept in :class:`WrittenScore`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="written_answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="written_answers")
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(blank=True)
    # A photo of work on paper, or a drawing made on the page (PNG or JPEG, checked by content).
    photo = models.FileField(upload_to=written_photo_upload_to, max_length=300, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "item"], name="written_answer_once")
        ]
        indexes = [models.Index(fields=["student", "-submitted_at"])]


class WrittenScore(models.Model):
    """One teacher's score of a written answer. Rescoring adds a score; the newest counts."""

    answer = models.ForeignKey(WrittenAnswer, on_delete=models.CASCADE, related_name="scores")
    level = models.CharField(max_length=20, choices=WrittenScoreLevel.choices)
    comment = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["answer", "-created_at"])]


class LastSeen(models.Model):
    """When ``user`` last opened ``page`` (a URL name such as "practice:home"), so the page can
    show what changed since. Written after the page has worked out what is new."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=50)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="last_seen_once_per_page")
        ]
