"""Writes of placement: start or resume a diagnostic, put the next question, record an answer,
pause or abandon it, and finish it by seeding the learner state with the placement."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404

import tandem_engine
from tandem.content.answers import AnswerFormatError, check_answer
from tandem.content.generators import generate, generators_for
from tandem.content.services import item_from_spec
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.mastery.rules import MASTERED_AT
from tandem.mastery.selectors import mastery_for_student
from tandem.mastery.services import mastery_apply_answer, mastery_seed_many
from tandem.placement.access import access_diagnostic_question
from tandem.placement.constants import (
    ITEM_DIFFICULTY,
    KINDERGARTEN_RANK,
    UNKNOWN_GRADE,
    SessionStatus,
)
from tandem.placement.models import DiagnosticQuestion, DiagnosticSession
from tandem.placement.selectors import (
    PlacementGraph,
    engine_threads,
    open_question,
    placement_graph,
    session_state,
)
from tandem.roster.constants import GRADES, grade_rank
from tandem.roster.models import User
from tandem.roster.selectors import student_classes

__all__ = [
    "AnswerFormatError",
    "AnswerOutcome",
    "diagnostic_question_answer",
    "diagnostic_question_next",
    "diagnostic_session_abandon",
    "diagnostic_session_finish",
    "diagnostic_session_pause",
    "diagnostic_session_start",
    "own_grade_of",
]

# Seeds fit a PositiveIntegerField on every database.
_SEED_LIMIT = 2**31 - 1


def own_grade_of(student: User) -> float:
    """The student's grade on the engine's scale (K = 0), or the assumed one if unknown."""
    rank = grade_rank(student.grade)
    if not student.grade or rank >= len(GRADES):
        return UNKNOWN_GRADE
    return float(rank - KINDERGARTEN_RANK)


def _in_progress_for_update(student: User) -> DiagnosticSession | None:
    return (
        DiagnosticSession.objects.select_for_update(of=("self",))
        .filter(student=student, status=SessionStatus.IN_PROGRESS)
        .first()
    )


@transaction.atomic
def diagnostic_session_start(
    *, student: User, now: dt.datetime, seed: int | None = None
) -> DiagnosticSession:
    """The student's diagnostic in progress (resumed where it stopped), or a new one.

    A new session draws its seed (which standards it asks, and which items) at random unless
    ``seed`` is given: a simulation that gives it gets the same questions for the same answers.
    """
    if seed is not None and not 0 <= seed < _SEED_LIMIT:
        raise ValueError(f"a diagnostic seed is in [0, {_SEED_LIMIT}), not {seed}")
    session = _in_progress_for_update(student)
    if session is not None:
        if session.paused_at is not None:
            session.paused_at = None
            session.save(update_fields=["paused_at"])
        return session
    try:
        with transaction.atomic():
            return DiagnosticSession.objects.create(
                student=student,
                seed=secrets.randbelow(_SEED_LIMIT) if seed is None else seed,
                own_grade=own_grade_of(student),
                engine_version=tandem_engine.ENGINE_VERSION,
                started_at=now,
            )
    except IntegrityError:
        # A concurrent request (a double click) started one first: that one is the session.
        return DiagnosticSession.objects.get(student=student, status=SessionStatus.IN_PROGRESS)


@transaction.atomic
def diagnostic_question_next(
    *, session: DiagnosticSession, now: dt.datetime
) -> DiagnosticQuestion | None:
    """The question to show: the open one, else a new item on the standard the engine picks.

    When the engine says stop, the session is finished here and None is returned; None also
    for a session no longer in progress.
    """
    session = DiagnosticSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.status != SessionStatus.IN_PROGRESS:
        return None
    question = open_question(session)
    if question is not None:
        return question
    placement = placement_graph()
    with engine_threads():
        state = session_state(session, placement)
        step = tandem_engine.diagnostic_next(state)
    if step.node is None:
        _finish(session=session, now=now, placement=placement, state=state, step=step)
        return None
    position = state.n_answered + 1
    # From the session's stored seed (not its random id), so that a seeded session repeats.
    rng = random.Random(f"{session.seed}:{position}")
    generator = rng.choice(generators_for(step.node))
    spec = generate(generator.key, rng.randrange(1_000_000), ITEM_DIFFICULTY)
    return DiagnosticQuestion.objects.create(
        session=session,
        position=position,
        competency=placement.competencies[step.node],
        item=item_from_spec(spec=spec),
        presented_at=now,
    )


@dataclass(frozen=True)
class AnswerOutcome:
    question: DiagnosticQuestion
    duplicate: bool


@transaction.atomic
def diagnostic_question_answer(
    *,
    student: User,
    question_id: uuid.UUID | str,
    response: str | list[str],
    now: dt.datetime,
) -> AnswerOutcome:
    """Check and record one answer, once; a repeat returns the first. A badly formatted
    answer raises :class:`AnswerFormatError` and records nothing."""
    question = access_diagnostic_question(user=student, question_id=question_id, for_update=True)
    if question.answered_at is not None:
        return AnswerOutcome(question=question, duplicate=True)
    session = question.session
    if session.status != SessionStatus.IN_PROGRESS:
        raise Http404("No such question.")
    item = question.item
    result = check_answer(
        kind=item.kind,
        answer=item.answer,
        tolerance=item.tolerance,
        response=response,
        unit=item.answer_unit,
    )
    code = question.competency.code
    competencies = list(item.competencies.all())
    statement, created = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=item.activity_id,
        object_name=f"{code} diagnostic question {question.position}",
        competencies=competencies,
        source=Source.DIAGNOSTIC,
        authority=student,
        timestamp=now,
        item=item,
        success=result.correct,
        score_scaled=1.0 if result.correct else 0.0,
        response=result.normalised,
        duration_ms=max(int((now - question.presented_at).total_seconds() * 1000), 0),
        school_class=student_classes(student).first(),
        registration=session.pk,
        extensions={
            "diagnostic": str(session.pk),
            "position": question.position,
            "probed": code,
            "engine": session.engine_version,
        },
        idempotency_key=f"diagnostic:{question.pk}",
    )
    if created:
        # As mastery_apply, without its query per competency (the statement was just recorded,
        # in this transaction, about these competencies in their default order).
        mastery_apply_answer(
            statement=statement,
            competency_ids=[competency.pk for competency in competencies],
            student_grade=student.grade,
        )
    question.statement = statement
    question.correct = result.correct
    question.answered_at = now
    question.save(update_fields=["statement", "correct", "answered_at"])
    return AnswerOutcome(question=question, duplicate=False)


@transaction.atomic
def diagnostic_session_pause(*, student: User, now: dt.datetime) -> DiagnosticSession | None:
    """Stop for now: the session stays in progress and resumes at the same question."""
    session = _in_progress_for_update(student)
    if session is not None:
        session.paused_at = now
        session.save(update_fields=["paused_at"])
    return session


@transaction.atomic
def diagnostic_session_abandon(*, student: User, now: dt.datetime) -> DiagnosticSession | None:
    """Give up the session in progress (to start again). Its answers stay in the evidence."""
    session = _in_progress_for_update(student)
    if session is not None:
        session.status = SessionStatus.ABANDONED
        session.ended_at = now
        session.save(update_fields=["status", "ended_at"])
    return session


@transaction.atomic
def diagnostic_session_finish(*, session: DiagnosticSession, now: dt.datetime) -> None:
    """Finish a session now, whatever the engine would still ask (its open question, if
    any, stays unanswered); a session not in progress is left alone."""
    session = DiagnosticSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.status != SessionStatus.IN_PROGRESS:
        return
    placement = placement_graph()
    with engine_threads():
        state = session_state(session, placement)
        step = tandem_engine.diagnostic_next(state)
    _finish(session=session, now=now, placement=placement, state=state, step=step)


def _finish(
    *,
    session: DiagnosticSession,
    now: dt.datetime,
    placement: PlacementGraph,
    state: tandem_engine.DiagnosticState,
    step: tandem_engine.DiagnosticStep,
) -> None:
    """Store the posterior and seed the learner state with it.

    Seeded: the standards placed at the mastery threshold or above that the diagnostic did not
    ask and the student has no answers on, mastered at once; and those it asked, answered
    right, with no other answer on them, probably mastered until an answer on a later school
    day confirms them (the two-day rule, the diagnostic being the first day). A placement
    never overrides practice. Standards placed below the threshold keep the model's starting
    estimate: the diagnostic's few answers say little about any one of them, and a learner
    state would hide them from "ready next".

    In the classroom simulation (bench/classroom.py, README "Benchmarks") the asked standards
    left to practise took 12% of all items (200 students), half of them above the 0.6-0.9
    band, four or five each until the rule's answers were in; confirming them with one item
    cut that to 7.6% (1,000 students).
    """
    with engine_threads():
        estimates = tandem_engine.diagnostic_posterior(state)
    posterior = {code: round(p, 4) for code, p in estimates.items()}
    attempts = {
        view.competency_id: view.n_attempts
        for view in mastery_for_student(student_id=session.student_id, now=now).values()
    }
    right = {code for code, correct in state.answers if correct}

    def seeded(code: str, p: float) -> bool:
        if p < MASTERED_AT:
            return False
        n = attempts.get(placement.competencies[code].pk, 0)
        # Asked and answered right, with nothing but that answer behind it: the placement
        # stands, to be confirmed by an answer on a later day (seed_step).
        return n == 0 if code not in state.asked else code in right and n == 1

    seeds = [(placement.competencies[code], p) for code, p in posterior.items() if seeded(code, p)]
    if seeds:
        statement, created = evidence_record(
            actor=session.student,
            verb=Verb.OBSERVED,
            object_id=f"urn:tandem:diagnostic:{session.pk}",
            object_name=f"Placement from the diagnostic's {state.n_answered} answers",
            competencies=[competency for competency, _ in seeds],
            source=Source.DIAGNOSTIC,
            authority=session.student,
            timestamp=now,
            registration=session.pk,
            extensions={
                "diagnostic": str(session.pk),
                "posterior": {competency.code: p for competency, p in seeds},
                "answers": state.n_answered,
                "engine": session.engine_version,
            },
            idempotency_key=f"diagnostic-placement:{session.pk}",
        )
        if created:
            mastery_seed_many(statement=statement, seeds=seeds)
        session.placement_statement = statement
    session.posterior = posterior
    session.status = SessionStatus.FINISHED
    session.ended_at = now
    session.stop_reason = str(step.stop) if step.stop else "finished early"
    session.expected_accuracy = round(step.expected_accuracy, 4)
    session.save()
