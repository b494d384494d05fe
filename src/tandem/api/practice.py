"""Practice endpoints: the signed-in student's next item, hints and answers."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from tandem.api.schemas import ERRORS
from tandem.practice.models import Attempt
from tandem.practice.services import attempt_answer, attempt_hint, practice_next
from tandem.roster.models import User

router = Router()


class ItemOut(Schema):
    attempt_id: uuid.UUID
    competency: str
    competency_statement: str
    kind: str
    stem: str
    choices: list[str]
    hints_available: int
    predicted_success: float
    reason: str


class AnswerIn(Schema):
    response: str | list[str]


class AnswerOut(Schema):
    attempt_id: uuid.UUID
    correct: bool
    response: str
    duplicate: bool
    mastery_before: float
    mastery_after: float
    solution: str


class HintOut(Schema):
    attempt_id: uuid.UUID
    hints: list[str]
    hints_remaining: int


def _student(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_student:
        raise Http404("Practice is for students.")
    return user


def _item_out(attempt: Attempt) -> ItemOut:
    return ItemOut(
        attempt_id=attempt.pk,
        competency=attempt.competency.code,
        competency_statement=attempt.competency.full_statement,
        kind=attempt.item.kind,
        stem=attempt.item.stem,
        choices=list(attempt.item.choices),
        hints_available=len(attempt.item.hints),
        predicted_success=round(attempt.predicted_success, 3),
        reason=attempt.reason,
    )


@router.post("/next", response={200: ItemOut, 204: None, **ERRORS})
def next_item(request: HttpRequest) -> ItemOut | Status[None]:
    """The item to work on now (the open one, or a new one chosen for the student)."""
    attempt = practice_next(student=_student(request), now=timezone.now())
    if attempt is None:
        return Status(204, None)
    return _item_out(attempt)


@router.post("/attempts/{attempt_id}/answer", response={200: AnswerOut, **ERRORS})
def answer(request: HttpRequest, attempt_id: uuid.UUID, payload: AnswerIn) -> AnswerOut:
    """Record an answer once; a repeated submission returns the first result."""
    outcome = attempt_answer(
        student=_student(request),
        attempt_id=attempt_id,
        response=payload.response,
        now=timezone.now(),
    )
    return AnswerOut(
        attempt_id=attempt_id,
        correct=outcome.correct,
        response=outcome.response,
        duplicate=outcome.duplicate,
        mastery_before=round(outcome.p_before, 4),
        mastery_after=round(outcome.p_after, 4),
        solution=outcome.attempt.item.solution,
    )


@router.post("/attempts/{attempt_id}/hint", response={200: HintOut, **ERRORS})
def hint(request: HttpRequest, attempt_id: uuid.UUID) -> HintOut:
    attempt, hints = attempt_hint(student=_student(request), attempt_id=attempt_id)
    return HintOut(
        attempt_id=attempt_id,
        hints=hints,
        hints_remaining=len(attempt.item.hints) - len(hints),
    )
