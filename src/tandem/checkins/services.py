"""Writes of check-ins: schedule one, cancel it, record what was said.

Recording is one transaction: the check-in, each observation as evidence that moves the learner
model, and each next step as one of the student's goals. If any part is refused (say, the
student already has three goals this week) nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from tandem.checkins.constants import (
    CHECKIN_SCORE,
    CHECKIN_WEIGHT,
    NOTES_MAX,
    CheckInStatus,
    Understanding,
)
from tandem.checkins.models import CheckIn, CheckInNextStep, CheckInObservation
from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.goals.constants import MAX_GOALS_PER_WEEK, GoalKind
from tandem.goals.models import WeeklyGoal
from tandem.goals.rules import current_week, today
from tandem.goals.services import goal_create
from tandem.mastery.services import mastery_apply
from tandem.roster.models import SchoolClass, User


class CheckInError(ValueError):
    """A check-in rule was broken; the message says which, in plain words."""


@dataclass(frozen=True)
class ObservationInput:
    competency: Competency
    understanding: Understanding


@dataclass(frozen=True)
class NextStepInput:
    kind: GoalKind
    text: str = ""
    competency: Competency | None = None


def _check_aware(*moments: dt.datetime | None) -> None:
    if any(m is not None and m.tzinfo is None for m in moments):
        raise ValueError("Times must be timezone-aware.")


@transaction.atomic
def checkin_schedule(
    *,
    teacher: User,
    student: User,
    scheduled_for: dt.datetime,
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> tuple[CheckIn, bool]:
    """Plan a check-in; returns ``(check_in, created)``. A repeated key returns the first one."""
    _check_aware(scheduled_for, now)
    if idempotency_key:
        existing = CheckIn.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if today(scheduled_for) < today(now):
        raise CheckInError("Choose a time from today on.")
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                teacher=teacher,
                student=student,
                scheduled_for=scheduled_for,
                status=CheckInStatus.SCHEDULED,
                created_at=now,
                updated_at=now,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        if idempotency_key:
            return CheckIn.objects.get(idempotency_key=idempotency_key), False
        raise
    return check_in, True


@transaction.atomic
def checkin_cancel(*, check_in: CheckIn, now: dt.datetime) -> CheckIn:
    """Call off a planned check-in; cancelling it again changes nothing."""
    _check_aware(now)
    check_in = CheckIn.objects.select_for_update(of=("self",)).get(pk=check_in.pk)
    if check_in.status == CheckInStatus.HELD:
        raise CheckInError("That check-in has been held; it stays on the record.")
    if check_in.status == CheckInStatus.SCHEDULED:
        check_in.status = CheckInStatus.CANCELLED
        check_in.updated_at = now
        check_in.save(update_fields=["status", "updated_at"])
    return check_in


def _observe(
    *,
    check_in: CheckIn,
    observation: ObservationInput,
    school_class: SchoolClass | None,
) -> CheckInObservation:
    """One observation: a statement in the evidence log, applied to the learner model."""
    competency, understanding = observation.competency, Understanding(observation.understanding)
    assert check_in.held_at is not None
    statement, created = evidence_record(
        actor=check_in.student,
        verb=Verb.OBSERVED,
        object_id=f"urn:tandem:competency:{competency.identifier}",
        object_name=f"{competency.code}: {understanding.label} (check-in)",
        competencies=[competency],
        source=Source.CHECK_IN,
        authority=check_in.teacher,
        timestamp=check_in.held_at,
        success=understanding != Understanding.NEEDS_HELP,
        score_scaled=CHECKIN_SCORE[understanding],
        school_class=school_class,
        # The notes stay private: the evidence log says only what was observed.
        extensions={"check_in": check_in.pk, "understanding": understanding.value},
        weight=CHECKIN_WEIGHT[understanding],
        idempotency_key=f"checkin:{check_in.pk}:competency:{competency.pk}",
    )
    if created:
        mastery_apply(statement=statement)
    return CheckInObservation.objects.create(
        check_in=check_in, competency=competency, understanding=understanding, statement=statement
    )


def _check_room_for(*, student: User, next_steps: int, now: dt.datetime) -> None:
    """Refuse, in the teacher's words, next steps that would take the week past its limit."""
    has = WeeklyGoal.objects.filter(student=student, week=current_week(now)).count()
    room = max(MAX_GOALS_PER_WEEK - has, 0)
    if next_steps > room:
        goals = "goal" if has == 1 else "goals"
        can = f"only {room} more" if room else "no more"
        raise CheckInError(
            f"{student.display_name} already has {has} {goals} this week, and a week holds at "
            f"most {MAX_GOALS_PER_WEEK}: {can} can be added as next steps."
        )


@transaction.atomic
def checkin_record(
    *,
    teacher: User,
    student: User,
    now: dt.datetime,
    notes: str = "",
    observations: Sequence[ObservationInput] = (),
    next_steps: Sequence[NextStepInput] = (),
    scheduled: CheckIn | None = None,
    school_class: SchoolClass | None = None,
    idempotency_key: str | None = None,
) -> tuple[CheckIn, bool]:
    """Record a check-in held now; returns ``(check_in, created)``.

    ``scheduled`` is the planned check-in this one was (it becomes held); without it a new
    check-in is recorded. Each observation becomes evidence (weighted by
    :data:`~tandem.checkins.constants.CHECKIN_WEIGHT`) and moves the estimate; each next step
    becomes one of the student's goals for this week, set by the teacher. A repeated
    ``idempotency_key``, or a planned check-in that is already held, records nothing again.
    """
    _check_aware(now)
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise CheckInError(f"Keep the notes under {NOTES_MAX:,} characters.")
    codes = [o.competency.pk for o in observations]
    if len(codes) != len(set(codes)):
        raise CheckInError("Record each competency once per check-in.")
    if idempotency_key:
        existing = CheckIn.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if next_steps:
        _check_room_for(student=student, next_steps=len(next_steps), now=now)
    if scheduled is not None:
        check_in = CheckIn.objects.select_for_update(of=("self",)).get(pk=scheduled.pk)
        if check_in.student_id != student.pk:
            raise ValueError("That check-in is with another student.")
        if check_in.status == CheckInStatus.HELD:
            return check_in, False
        if check_in.status == CheckInStatus.CANCELLED:
            raise CheckInError("That check-in was cancelled. Record a new one instead.")
        check_in.teacher = teacher
        check_in.status = CheckInStatus.HELD
        check_in.held_at = now
        check_in.notes = notes
        check_in.updated_at = now
        check_in.save()
    else:
        try:
            with transaction.atomic():
                check_in = CheckIn.objects.create(
                    teacher=teacher,
                    student=student,
                    status=CheckInStatus.HELD,
                    held_at=now,
                    notes=notes,
                    created_at=now,
                    updated_at=now,
                    idempotency_key=idempotency_key or None,
                )
        except IntegrityError:
            if idempotency_key:
                return CheckIn.objects.get(idempotency_key=idempotency_key), False
            raise
    for observation in observations:
        _observe(check_in=check_in, observation=observation, school_class=school_class)
    for index, step in enumerate(next_steps):
        goal, _ = goal_create(
            student=student,
            kind=step.kind,
            text=step.text,
            competency=step.competency,
            created_by=teacher,
            now=now,
            idempotency_key=f"checkin:{check_in.pk}:step:{index}",
        )
        CheckInNextStep.objects.create(check_in=check_in, goal=goal)
    return check_in, True
