"""Writes of practice: present the next item, take an answer, show a hint; take a written
answer and record a teacher's score of it."""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404

import tandem_engine
from tandem.content.answers import AnswerFormatError, CheckResult, check_answer
from tandem.content.generators import generate, generators_for
from tandem.content.models import Item, ItemKind
from tandem.content.services import item_from_spec
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record, evidence_void
from tandem.mastery.services import mastery_apply, mastery_recompute
from tandem.practice.access import may_score_written, written_answers_visible_to
from tandem.practice.constants import (
    WRITTEN_ANSWER_MAX,
    WRITTEN_COMMENT_MAX,
    WRITTEN_SCORE,
    WRITTEN_WEIGHT,
    WrittenScoreLevel,
)
from tandem.practice.models import Attempt, WrittenAnswer, WrittenScore
from tandem.practice.policy import choose_next
from tandem.practice.selectors import picks_since_review, practice_candidates, recent_picks
from tandem.roster.constants import grade_rank
from tandem.roster.models import User
from tandem.roster.selectors import student_classes

# A correct answer reached with hints counts for less than an unaided one.
HINTED_CORRECT_WEIGHT = 0.5

__all__ = [
    "AnswerFormatError",
    "AnswerOutcome",
    "WrittenAnswerError",
    "attempt_answer",
    "attempt_hint",
    "practice_next",
    "written_answer_score",
    "written_answer_submit",
]


@transaction.atomic
def practice_next(
    *, student: User, now: dt.datetime, focus_competency_id: int | None = None
) -> Attempt | None:
    """The attempt to show now: the open one if any, else a new item chosen by the policy.

    With ``focus_competency_id`` (a link from the school's LMS names one competency) the
    policy chooses only within it while it can be practised, and falls back to all otherwise.
    """
    open_attempts = Attempt.objects.filter(student=student, statement__isnull=True)
    if focus_competency_id is not None:
        open_attempts = open_attempts.filter(competency_id=focus_competency_id)
    open_attempt = (
        open_attempts.select_related("item", "competency").order_by("-presented_at").first()
    )
    if open_attempt is not None:
        return open_attempt
    answered = Attempt.objects.filter(student=student, statement__isnull=False).count()
    rng = random.Random(f"{student.pk}:{answered}")
    recent = recent_picks(student_id=student.pk)
    candidates = practice_candidates(student_id=student.pk, now=now)
    focused = [cand for cand in candidates if cand.competency_id == focus_competency_id]
    choose = functools.partial(
        choose_next,
        student_grade_rank=grade_rank(student.grade),
        recent_competency_ids=[pick.competency_id for pick in recent],
        recent_difficulties=[pick.difficulty for pick in recent],
        picks_since_review=picks_since_review(recent),
        answered_count=answered,
        rng=rng,
        now=now,
    )
    choice = (choose(focused) if focused else None) or choose(candidates)
    if choice is None:
        return None
    generator = rng.choice(generators_for(choice.candidate.code))
    spec = generate(generator.key, rng.randrange(1_000_000), choice.difficulty)
    item = item_from_spec(spec=spec)
    return Attempt.objects.create(
        student=student,
        item=item,
        competency_id=choice.candidate.competency_id,
        school_class=student_classes(student).first(),
        predicted_success=choice.predicted_success,
        reason=choice.reason,
        presented_at=now,
    )


@dataclass(frozen=True)
class AnswerOutcome:
    attempt: Attempt
    correct: bool
    response: str
    p_before: float
    p_after: float
    duplicate: bool


def _access_attempt(*, student: User, attempt_id: uuid.UUID | str) -> Attempt:
    try:
        return (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("item", "competency", "statement")
            .get(pk=attempt_id, student=student)
        )
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attempt.") from None


def _outcome(attempt: Attempt, *, duplicate: bool) -> AnswerOutcome:
    statement = attempt.statement
    assert statement is not None
    change = statement.state_changes.filter(state__competency=attempt.competency).first()
    return AnswerOutcome(
        attempt=attempt,
        correct=bool(statement.result_success),
        response=statement.result_response,
        p_before=change.p_before if change else 0.0,
        p_after=change.p_after if change else 0.0,
        duplicate=duplicate,
    )


@transaction.atomic
def attempt_answer(
    *, student: User, attempt_id: uuid.UUID | str, response: str | list[str], now: dt.datetime
) -> AnswerOutcome:
    """Check and record an answer once. A badly formatted answer raises and records nothing."""
    attempt = _access_attempt(student=student, attempt_id=attempt_id)
    if attempt.statement_id is not None:
        return _outcome(attempt, duplicate=True)
    item = attempt.item
    result: CheckResult = check_answer(
        kind=item.kind, answer=item.answer, tolerance=item.tolerance, response=response
    )
    weight = HINTED_CORRECT_WEIGHT if (result.correct and attempt.hints_shown) else 1.0
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=item.activity_id,
        object_name=f"{attempt.competency.code} item",
        competencies=list(item.competencies.all()),
        source=Source.PRACTICE,
        authority=student,
        timestamp=now,
        item=item,
        success=result.correct,
        score_scaled=1.0 if result.correct else 0.0,
        response=result.normalised,
        duration_ms=int((now - attempt.presented_at).total_seconds() * 1000),
        school_class=attempt.school_class,
        extensions={
            "hints": attempt.hints_shown,
            "predicted_success": round(attempt.predicted_success, 4),
            "engine": tandem_engine.ENGINE_VERSION,
            "policy": attempt.reason,
        },
        weight=weight,
        idempotency_key=f"attempt:{attempt.pk}",
    )
    mastery_apply(statement=statement)
    attempt.statement = statement
    attempt.answered_at = now
    attempt.save(update_fields=["statement", "answered_at"])
    return _outcome(attempt, duplicate=False)


@transaction.atomic
def attempt_hint(*, student: User, attempt_id: uuid.UUID | str) -> tuple[Attempt, list[str]]:
    """Reveal the next hint of an open attempt; returns the hints shown so far."""
    attempt = _access_attempt(student=student, attempt_id=attempt_id)
    hints = list(attempt.item.hints)
    if attempt.statement_id is None and attempt.hints_shown < len(hints):
        attempt.hints_shown += 1
        attempt.save(update_fields=["hints_shown"])
    return attempt, hints[: attempt.hints_shown]


# ---------- written answers: the student writes, a teacher scores ----------


class WrittenAnswerError(ValueError):
    """A written answer or score that cannot be recorded; the message is shown to its author."""


def _gist(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _written_item(item_id: int) -> Item:
    try:
        return Item.objects.get(pk=item_id, kind=ItemKind.EXTENDED_TEXT)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404("No such question.") from None


@transaction.atomic
def written_answer_submit(
    *, student: User, item_id: int, text: str, now: dt.datetime
) -> tuple[WrittenAnswer, bool]:
    """Store the student's answer to a written question once; returns ``(answer, created)``.

    A second submission (a double click, a reload) returns the first answer unchanged. An
    empty or over-long answer raises :class:`WrittenAnswerError` and stores nothing.
    """
    item = _written_item(item_id)
    existing = WrittenAnswer.objects.filter(student=student, item=item).first()
    if existing is not None:
        return existing, False
    text = text.strip()
    if not text:
        raise WrittenAnswerError("Write your answer first.")
    if len(text) > WRITTEN_ANSWER_MAX:
        raise WrittenAnswerError(
            f"Your answer is {len(text):,} characters long; "
            f"the limit is {WRITTEN_ANSWER_MAX:,}. Shorten it and send it again."
        )
    try:
        with transaction.atomic():
            answer = WrittenAnswer.objects.create(
                student=student,
                item=item,
                school_class=student_classes(student).first(),
                text=text,
                submitted_at=now,
            )
    except IntegrityError:
        # A concurrent request stored this student's answer first: that one is the answer.
        return WrittenAnswer.objects.get(student=student, item=item), False
    return answer, True


@transaction.atomic
def written_answer_score(
    *,
    teacher: User,
    answer: WrittenAnswer,
    level: str,
    comment: str,
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> WrittenScore:
    """A teacher scores a written answer: a new statement, applied to the learner model.

    Rescoring adds a score and voids the evidence of the previous one (so one answer never
    counts twice); nothing is edited. With the same ``idempotency_key`` a repeated submission
    returns the score it made the first time.
    """
    if not may_score_written(teacher):
        raise Http404("No such written answer.")
    try:
        answer = (
            written_answers_visible_to(teacher)
            .select_for_update(of=("self",))
            .select_related("student", "item")
            .get(pk=answer.pk)
        )
    except WrittenAnswer.DoesNotExist:
        raise Http404("No such written answer.") from None
    if level not in WrittenScoreLevel.values:
        raise WrittenAnswerError("Choose “Shows understanding”, “Partly” or “Not yet”.")
    chosen = WrittenScoreLevel(level)
    comment = comment.strip()
    if len(comment) > WRITTEN_COMMENT_MAX:
        raise WrittenAnswerError(
            f"The comment is {len(comment):,} characters long; the limit is "
            f"{WRITTEN_COMMENT_MAX:,}."
        )
    key = f"written-score:{answer.pk}:{idempotency_key}" if idempotency_key else None
    if key is not None:
        repeated = WrittenScore.objects.filter(statement__idempotency_key=key).first()
        if repeated is not None:
            return repeated
    item = answer.item
    competencies = list(item.competencies.all())
    if not competencies:
        raise WrittenAnswerError("This question is not aligned to any competency.")
    previous = answer.scores.select_related("statement").order_by("-created_at", "-pk").first()
    if previous is not None:
        voiding, created = evidence_void(
            statement=previous.statement, authority=teacher, timestamp=now, source=Source.WRITTEN
        )
        if created:
            mastery_recompute(
                student_id=answer.student_id,
                competency_ids=[c.pk for c in competencies],
                statement=voiding,
            )
    statement, created = evidence_record(
        actor=answer.student,
        verb=Verb.SCORED,
        object_id=item.activity_id,
        object_name=f"“{_gist(item.stem)}” — {chosen.label}",
        competencies=competencies,
        source=Source.WRITTEN,
        authority=teacher,
        timestamp=now,
        item=item,
        success=chosen != WrittenScoreLevel.NOT_YET,
        score_scaled=WRITTEN_SCORE[chosen],
        school_class=answer.school_class,
        # The answer and the comment stay with the answer; the log says only the judgement.
        extensions={"written_answer": str(answer.pk), "level": chosen.value},
        weight=WRITTEN_WEIGHT[chosen],
        idempotency_key=key,
    )
    if created:
        mastery_apply(statement=statement)
    return WrittenScore.objects.create(
        answer=answer,
        level=chosen,
        comment=comment,
        scored_by=teacher,
        statement=statement,
        created_at=now,
    )
