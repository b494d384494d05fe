"""Writes of practice: present the next item, take an answer, show a hint; take a written
answer and record a teacher's score of it."""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connections, router, transaction
from django.http import Http404
from django.utils.translation import gettext, gettext_noop

import tandem_engine
from tandem.competencies.selectors import competency_ids_for_codes
from tandem.content.answers import AnswerFormatError, CheckResult, check_answer
from tandem.content.generators import GENERATORS, MULTIPLE_CHOICE, generate, generators_for
from tandem.content.models import Item, ItemKind
from tandem.content.selectors import item_competency_ids
from tandem.content.services import item_from_spec
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_record, evidence_void
from tandem.evidence.signals import statements_recorded
from tandem.mastery.selectors import mastery_for_student
from tandem.mastery.services import (
    active_parameters,
    initial_p_mastery,
    mastery_apply,
    mastery_apply_answer,
    mastery_recompute,
)
from tandem.practice.access import may_score_written, written_answers_visible_to
from tandem.practice.constants import (
    HINTED_CORRECT_WEIGHT,
    WRITTEN_ANSWER_MAX,
    WRITTEN_COMMENT_MAX,
    WRITTEN_SCORE,
    WRITTEN_WEIGHT,
    WrittenScoreLevel,
)
from tandem.practice.models import (
    SECOND_RESPONSE_MAX,
    Attempt,
    LastSeen,
    WrittenAnswer,
    WrittenScore,
)
from tandem.practice.photos import PhotoRejectedError, photo_check
from tandem.practice.policy import choose_next, shift_for_difficulty
from tandem.practice.selectors import (
    difficulty_step,
    over_served_removed,
    picks_since_review,
    practice_situation,
    predicted_success,
    review_allowed,
)
from tandem.roster.constants import grade_rank
from tandem.roster.models import User
from tandem.roster.selectors import student_classes
from tandem.rows import ModelReader, ModelWriter, commit_without_waiting_for_disk, db_value

__all__ = [
    "AnswerFormatError",
    "AnswerOutcome",
    "SecondTry",
    "WrittenAnswerError",
    "attempt_answer",
    "attempt_hint",
    "attempt_second_try",
    "attempt_show_solution",
    "practice_next",
    "practice_retry",
    "written_answer_score",
    "written_answer_submit",
]


# Attempts with their item and competency, read on every practice request (tandem/rows.py).
_ATTEMPTS: ModelReader[Attempt] = ModelReader(Attempt, related=("item", "competency"))
_NEW_ATTEMPTS: ModelWriter[Attempt] = ModelWriter(Attempt)
_STATEMENTS: ModelWriter[Statement] = ModelWriter(Statement)
_STATEMENT_COMPETENCIES: ModelWriter[Any] = ModelWriter(Statement.competencies.through)


def _open_attempt(*, student: User, competency_id: int | None = None) -> Attempt | None:
    """The student's latest unanswered attempt (on one competency when given)."""
    where, params = "t0.student_id = %s AND t0.statement_id IS NULL", [student.pk]
    if competency_id is not None:
        where, params = where + " AND t0.competency_id = %s", [*params, competency_id]
    return _ATTEMPTS.first(where, params, order_by="t0.presented_at DESC")


def practice_next(
    *, student: User, now: dt.datetime, focus_competency_id: int | None = None
) -> Attempt | None:
    """The attempt to show now: the open one if any, else a new item chosen by the policy.

    With ``focus_competency_id`` (the student chose a competency, or a link from the school's
    LMS names one) the policy chooses only within it while it can be practiced, and falls back
    to all otherwise.

    Everything is read and chosen first; the write transaction only stores the item and the
    attempt, so no lock is held while Python thinks (SQLite has a single writer).
    """
    open_attempt = _open_attempt(student=student, competency_id=focus_competency_id)
    if open_attempt is not None:
        return open_attempt
    situation = practice_situation(student=student, now=now)
    rng = random.Random(f"{student.pk}:{situation.answered}")
    choose = functools.partial(
        choose_next,
        student_grade_rank=grade_rank(student.grade),
        recent_competency_ids=[pick.competency_id for pick in situation.recent],
        recent_difficulties=[pick.difficulty for pick in situation.recent],
        picks_since_review=picks_since_review(situation.recent),
        answered_count=situation.answered,
        rng=rng,
        now=now,
        review_allowed=review_allowed(situation.recent),
        difficulty_step=situation.difficulty_step,
    )
    candidates = situation.candidates
    focused = [cand for cand in candidates if cand.competency_id == focus_competency_id]
    choice = (choose(focused, chosen=True) if focused else None) or choose(
        over_served_removed(candidates, situation.recent)
    )
    if choice is None:
        return None
    generator = rng.choice(generators_for(choice.candidate.code))
    spec = generate(generator.key, rng.randrange(1_000_000), choice.difficulty)
    competency_ids = competency_ids_for_codes(spec.competency_codes)
    with transaction.atomic():
        commit_without_waiting_for_disk()  # a new item: redone unnoticed after a crash
        item = item_from_spec(spec=spec, competency_ids=competency_ids)
        (attempt,) = _NEW_ATTEMPTS.insert(
            [
                Attempt(
                    student=student,
                    item=item,
                    competency=situation.competencies[choice.candidate.competency_id],
                    school_class_id=situation.school_class_id,
                    predicted_success=choice.predicted_success,
                    reason=choice.reason,
                    presented_at=now,
                )
            ]
        )
        return attempt


# Starts with CHOSEN_REASON_PREFIX: a retry is the student's choice.
RETRY_REASON = gettext_noop("You chose another one like the item you missed")


def practice_retry(*, student: User, attempt_id: uuid.UUID | str, now: dt.datetime) -> Attempt:
    """A new item of the same kind (generator and difficulty) as an item the student missed.

    An item still open is answered first: it is returned instead (so a double click makes one
    item). Someone else's attempt is a 404.
    """
    missed = _read_attempt(student=student, attempt_id=attempt_id)
    open_attempt = _open_attempt(student=student)
    if open_attempt is not None:
        return open_attempt
    item = missed.item
    if not item.generator or item.generator not in GENERATORS:
        focused = practice_next(student=student, now=now, focus_competency_id=missed.competency_id)
        if focused is None:
            raise Http404("Nothing like this item can be practiced.")
        return focused
    rng = random.Random(f"{student.pk}:retry:{missed.pk}")
    spec = generate(item.generator, rng.randrange(1_000_000), item.difficulty)
    # Pitched by the same predictor the policy uses for every other item.
    mastery = mastery_for_student(student_id=student.pk, now=now)
    active = active_parameters()
    competency = missed.competency
    view = mastery.get(competency.pk)
    p = (
        view.p_mastery
        if view
        else initial_p_mastery(
            active,
            competency.code,
            competency_grade_rank=competency.grade_rank,
            student_grade=student.grade or "",
        )
    )
    (p_mid,) = predicted_success(
        active, comps=[competency], views=[view], p_mastery=[p], mastery=mastery, now=now
    )
    predicted = shift_for_difficulty(p_mid, item.difficulty, difficulty_step(active))
    with transaction.atomic():
        commit_without_waiting_for_disk()  # a new item: redone unnoticed after a crash
        new_item = item_from_spec(
            spec=spec, competency_ids=competency_ids_for_codes(spec.competency_codes)
        )
        (attempt,) = _NEW_ATTEMPTS.insert(
            [
                Attempt(
                    student=student,
                    item=new_item,
                    competency=missed.competency,
                    school_class_id=missed.school_class_id,
                    predicted_success=predicted,
                    reason=RETRY_REASON,
                    presented_at=now,
                )
            ]
        )
        return attempt


@dataclass(frozen=True)
class AnswerOutcome:
    attempt: Attempt
    correct: bool
    response: str
    p_before: float
    p_after: float
    duplicate: bool
    status_before: str = ""
    status_after: str = ""


def _read_attempt(
    *, student: User, attempt_id: uuid.UUID | str, for_update: bool = False
) -> Attempt:
    """The student's attempt with its item and competency (someone else's: 404); locked for
    the caller's transaction with ``for_update``."""
    try:
        key = _ATTEMPTS.param("id", attempt_id)
    except (ValueError, TypeError, ValidationError):
        raise Http404("No such attempt.") from None
    found = _ATTEMPTS.rows(
        "t0.id = %s AND t0.student_id = %s", [key, student.pk], for_update=for_update
    )
    if not found:
        raise Http404("No such attempt.")
    return found[0]


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


def _recorded(*, student: User, attempt_id: uuid.UUID | str) -> AnswerOutcome:
    attempt = (
        Attempt.objects.select_related("item", "competency", "statement")
        .filter(pk=attempt_id, student=student)
        .first()
    )
    if attempt is None or attempt.statement_id is None:
        raise Http404("No such attempt.")
    return _outcome(attempt, duplicate=True)


def _claim(attempt: Attempt, *, statement: Statement, now: dt.datetime) -> bool:
    """Mark the attempt answered by ``statement`` unless it already is (one UPDATE, written
    out: it runs on every answer)."""
    connection = connections[router.db_for_write(Attempt)]
    table = connection.ops.quote_name(Attempt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET statement_id = %s, answered_at = %s"
            " WHERE id = %s AND statement_id IS NULL",
            [
                db_value(Statement, "id", statement.pk),
                connection.ops.adapt_datetimefield_value(now),
                _ATTEMPTS.param("id", attempt.pk),
            ],
        )
        return bool(cursor.rowcount == 1)


def attempt_answer(
    *, student: User, attempt_id: uuid.UUID | str, response: str | list[str], now: dt.datetime
) -> AnswerOutcome:
    """Check and record an answer once. A badly formatted answer raises and records nothing.

    The answer is checked and the learner states moved in memory first; one short transaction
    then claims the attempt (a second submission finds it claimed and gets the first result),
    appends the statement and writes the states, so a write lock is held only for the writes.
    """
    attempt = _read_attempt(student=student, attempt_id=attempt_id)
    if attempt.statement_id is not None:
        return _recorded(student=student, attempt_id=attempt_id)
    item = attempt.item
    if isinstance(response, list) and item.kind != MULTIPLE_CHOICE:
        response = response[0] if response else ""
    result: CheckResult = check_answer(
        kind=item.kind,
        answer=item.answer,
        tolerance=item.tolerance,
        response=response,
        unit=item.answer_unit,
    )
    weight = HINTED_CORRECT_WEIGHT if (result.correct and attempt.hints_shown) else 1.0
    competency_ids = item_competency_ids(item)
    statement = Statement(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=item.activity_id,
        object_name=f"{attempt.competency.code} item",
        item=item,
        result_success=result.correct,
        result_score_scaled=1.0 if result.correct else 0.0,
        result_response=result.normalised,
        result_duration_ms=max(int((now - attempt.presented_at).total_seconds() * 1000), 0),
        context_class_id=attempt.school_class_id,
        context_extensions={
            "hints": attempt.hints_shown,
            "predicted_success": round(attempt.predicted_success, 4),
            "engine": tandem_engine.ENGINE_VERSION,
            "policy": attempt.reason,
        },
        timestamp=now,
        authority_id=student.pk,
        source=Source.PRACTICE,
        weight=weight,
        idempotency_key=f"attempt:{attempt.pk}",
    )
    try:
        with transaction.atomic():
            # Claiming the attempt first serialises two submissions of it: the loser updates
            # nothing and is given the winner's result.
            if not _claim(attempt, statement=statement, now=now):
                raise _AlreadyAnsweredError
            _STATEMENTS.insert([statement])
            _STATEMENT_COMPETENCIES.insert(
                [
                    Statement.competencies.through(statement_id=statement.pk, competency_id=cid)
                    for cid in competency_ids
                ]
            )
            # The LRS copy of the answer, in this transaction (one insert; see xapi.mirror).
            statements_recorded(
                statements=[statement], competency_ids={statement.pk: competency_ids}
            )
            changes = mastery_apply_answer(
                statement=statement, competency_ids=competency_ids, student_grade=student.grade
            )
    except (_AlreadyAnsweredError, IntegrityError):
        return _recorded(student=student, attempt_id=attempt_id)
    attempt.statement = statement
    attempt.answered_at = now
    own = next((c for c in changes if c.competency_id == attempt.competency_id), None)
    return AnswerOutcome(
        attempt=attempt,
        correct=result.correct,
        response=result.normalised,
        p_before=own.p_before if own else 0.0,
        p_after=own.p_after if own else 0.0,
        duplicate=False,
        status_before=own.status_before if own else "",
        status_after=own.status_after if own else "",
    )


class _AlreadyAnsweredError(Exception):
    """Another submission of the same attempt was recorded first."""


# ---------- the second try: after a wrong first answer, once, for learning only ----------


@dataclass(frozen=True)
class SecondTry:
    """An attempt whose second try has ended (by an answer or by "Show me how");
    ``duplicate``: it had ended before this request (a double click, a reload)."""

    attempt: Attempt
    duplicate: bool


def _missed_attempt(*, student: User, attempt_id: uuid.UUID | str) -> Attempt:
    """The student's attempt answered wrong the first time; a 404 for any other."""
    try:
        attempt = Attempt.objects.select_related("item", "competency", "statement").get(
            pk=attempt_id, student=student
        )
    except (Attempt.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such attempt.") from None
    if attempt.statement is None or attempt.statement.result_success:
        raise Http404("There is no second try for this item.")
    return attempt


def _close_second_try(
    attempt: Attempt, *, response: str, correct: bool | None, now: dt.datetime
) -> SecondTry:
    # One conditional UPDATE claims the second try: a concurrent or repeated submission finds
    # it taken and is given the first one's result.
    claimed = Attempt.objects.filter(pk=attempt.pk, second_at__isnull=True).update(
        second_response=response, second_correct=correct, second_at=now
    )
    if not claimed:
        attempt.refresh_from_db(fields=["second_response", "second_correct", "second_at"])
        return SecondTry(attempt=attempt, duplicate=True)
    attempt.second_response, attempt.second_correct, attempt.second_at = response, correct, now
    return SecondTry(attempt=attempt, duplicate=False)


def attempt_second_try(
    *, student: User, attempt_id: uuid.UUID | str, response: str | list[str], now: dt.datetime
) -> SecondTry:
    """Check a second answer to an item answered wrong the first time, once.

    The first answer stays the evidence: this writes no statement and moves no estimate (a
    second try right after seeing "not quite" says less about what the student knows, and
    counting it would reward guessing between two choices). A badly formatted answer raises
    :class:`AnswerFormatError` and records nothing; a repeated submission returns the result
    recorded first.
    """
    attempt = _missed_attempt(student=student, attempt_id=attempt_id)
    if attempt.second_at is not None:
        return SecondTry(attempt=attempt, duplicate=True)
    item = attempt.item
    if isinstance(response, list) and item.kind != MULTIPLE_CHOICE:
        response = response[0] if response else ""
    result = check_answer(
        kind=item.kind,
        answer=item.answer,
        tolerance=item.tolerance,
        response=response,
        unit=item.answer_unit,
    )
    return _close_second_try(
        attempt,
        response=result.normalised[:SECOND_RESPONSE_MAX],
        correct=result.correct,
        now=now,
    )


def attempt_show_solution(
    *, student: User, attempt_id: uuid.UUID | str, now: dt.datetime
) -> SecondTry:
    """The student asks to see how it is done instead of trying again: the second try ends
    (it cannot come after the solution) and nothing else is recorded."""
    attempt = _missed_attempt(student=student, attempt_id=attempt_id)
    if attempt.second_at is not None:
        return SecondTry(attempt=attempt, duplicate=True)
    return _close_second_try(attempt, response="", correct=None, now=now)


@transaction.atomic
def attempt_hint(*, student: User, attempt_id: uuid.UUID | str) -> tuple[Attempt, list[str]]:
    """Reveal the next hint of an open attempt; returns the hints shown so far."""
    attempt = _read_attempt(student=student, attempt_id=attempt_id, for_update=True)
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
    *,
    student: User,
    item_id: int,
    text: str,
    now: dt.datetime,
    photo: UploadedFile[bytes] | None = None,
) -> tuple[WrittenAnswer, bool]:
    """Store the student's answer to a written question once; returns ``(answer, created)``.

    The answer is text, a photo (or a drawing made on the page) of the work, or both. A second
    submission (a double click, a reload) returns the first answer unchanged. An empty or
    over-long answer, or a file that is not a picture, raises :class:`WrittenAnswerError` and
    stores nothing.
    """
    item = _written_item(item_id)
    existing = WrittenAnswer.objects.filter(student=student, item=item).first()
    if existing is not None:
        return existing, False
    text = text.strip()
    if not text and photo is None:
        raise WrittenAnswerError(gettext("Write your answer or add a photo of your work first."))
    if len(text) > WRITTEN_ANSWER_MAX:
        raise WrittenAnswerError(
            gettext(
                "Your answer is %(length)s characters long; the limit is %(limit)s. Shorten it "
                "and send it again."
            )
            % {"length": f"{len(text):,}", "limit": f"{WRITTEN_ANSWER_MAX:,}"}
        )
    if photo is not None:
        try:
            checked = photo_check(size=photo.size or 0, stream=photo)
        except PhotoRejectedError as error:
            raise WrittenAnswerError(str(error)) from error
        # The stored name comes from the checked kind, never from the name the browser sent.
        photo.name = f"photo.{checked.kind}"
    try:
        with transaction.atomic():
            answer = WrittenAnswer.objects.create(
                student=student,
                item=item,
                school_class=student_classes(student).first(),
                text=text,
                photo=photo,
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


def last_seen_mark(*, user: User, page: str, now: dt.datetime) -> None:
    """Remember that ``user`` opened ``page`` at ``now`` (call it after working out what is new
    since the previous visit). One statement: an upsert on (user, page)."""
    LastSeen.objects.bulk_create(
        [LastSeen(user=user, page=page, at=now)],
        update_conflicts=True,
        unique_fields=["user", "page"],
        update_fields=["at"],
    )
