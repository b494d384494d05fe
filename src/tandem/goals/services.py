"""Writes of goals and reflections: set, complete and remove a week's goals; save a reflection.

Each runs in a transaction. Rule violations raise :class:`GoalError`, whose message is written
for the person who tried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.competencies.models import Competency
from tandem.goals.constants import (
    GOAL_TEXT_MAX,
    MAX_GOALS_PER_WEEK,
    REFLECTION_TEXT_MAX,
    GoalKind,
    GoalStatus,
)
from tandem.goals.models import Reflection, ReflectionRevision, WeeklyGoal
from tandem.goals.rules import current_week, reflection_may_save
from tandem.roster.models import User


class GoalError(ValueError):
    """A goal or reflection rule was broken; the message says which, in plain words."""


def _check_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("Times must be timezone-aware.")


def _lock_student(student: User) -> None:
    # Serialises concurrent writes for one student so the three-a-week limit holds.
    User.objects.select_for_update(of=("self",)).filter(pk=student.pk).exists()


@transaction.atomic
def goal_create(
    *,
    student: User,
    kind: GoalKind,
    created_by: User,
    now: dt.datetime,
    text: str = "",
    competency: Competency | None = None,
    idempotency_key: str | None = None,
) -> tuple[WeeklyGoal, bool]:
    """Add a goal to the student's current week; returns ``(goal, created)``.

    A repeated ``idempotency_key`` returns the goal it created the first time.
    """
    _check_aware(now)
    if idempotency_key:
        existing = WeeklyGoal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    kind = GoalKind(kind)
    text = " ".join(text.split())
    if len(text) > GOAL_TEXT_MAX:
        raise GoalError(_("Keep a goal under %(max)s characters.") % {"max": GOAL_TEXT_MAX})
    if kind == GoalKind.COMPETENCY:
        if competency is None:
            raise GoalError(_("Choose the competency this goal is about."))
    else:
        competency = None
        if not text:
            raise GoalError(_("Say in a few words what the goal is."))
    week = current_week(now)
    _lock_student(student)
    if WeeklyGoal.objects.filter(student=student, week=week).count() >= MAX_GOALS_PER_WEEK:
        raise GoalError(
            _(
                "There are already %(max)s goals this week, the most a week can have. "
                "Finish or remove one first."
            )
            % {"max": MAX_GOALS_PER_WEEK}
        )
    try:
        with transaction.atomic():
            goal = WeeklyGoal.objects.create(
                student=student,
                week=week,
                kind=kind,
                competency=competency,
                text=text,
                created_by=created_by,
                created_at=now,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        if idempotency_key:
            return WeeklyGoal.objects.get(idempotency_key=idempotency_key), False
        raise
    return goal, True


def _own_goal(*, student: User, goal_id: int) -> WeeklyGoal | None:
    return (
        WeeklyGoal.objects.select_for_update(of=("self",))
        .filter(pk=goal_id, student=student)
        .select_related("competency")
        .first()
    )


@transaction.atomic
def goal_complete(*, student: User, goal_id: int, now: dt.datetime) -> WeeklyGoal:
    """Mark one of the student's goals for this week done; done again is no change."""
    _check_aware(now)
    goal = _own_goal(student=student, goal_id=goal_id)
    if goal is None:
        raise GoalError(_("There is no such goal among yours."))
    if goal.status == GoalStatus.DONE:
        return goal
    if goal.week != current_week(now):
        raise GoalError(_("That week is over: a goal can be marked done only during its week."))
    goal.status = GoalStatus.DONE
    goal.completed_at = now
    goal.save(update_fields=["status", "completed_at"])
    return goal


@transaction.atomic
def goal_remove(*, user: User, goal_id: int, now: dt.datetime) -> bool:
    """Remove a goal ``user`` set for their own current week; False if there was none to remove.

    A student removes the goals they set themselves; a goal agreed with a teacher in a
    check-in can be removed by that teacher. Past weeks and done goals stay as they were.
    """
    _check_aware(now)
    goal = (
        WeeklyGoal.objects.select_for_update(of=("self",))
        .filter(pk=goal_id, created_by=user)
        .first()
    )
    if goal is None:
        return False
    if goal.week != current_week(now):
        raise GoalError(_("Goals from past weeks are kept as they were."))
    if goal.status == GoalStatus.DONE:
        raise GoalError(_("A goal that is done is kept; well done."))
    goal.delete()
    return True


def goals_close_past_weeks(*, student_ids: Iterable[int], now: dt.datetime) -> int:
    """Store "missed" on open goals of weeks that have ended; returns how many changed.

    Selectors already treat such goals as missed (:func:`tandem.goals.rules.effective_status`);
    this makes the stored status say so too, for exports and anyone reading the table. One
    UPDATE, so pages can run it when they read.
    """
    return WeeklyGoal.objects.filter(
        student_id__in=list(student_ids), status=GoalStatus.OPEN, week__lt=current_week(now)
    ).update(status=GoalStatus.MISSED)


def _clean_reflection_text(value: str, label: str) -> str:
    value = value.strip()
    if len(value) > REFLECTION_TEXT_MAX:
        raise GoalError(
            _("Keep “%(label)s” under %(max)s characters.")
            % {"label": _(label), "max": f"{REFLECTION_TEXT_MAX:,}"}
        )
    return value


@transaction.atomic
def reflection_save(
    *,
    student: User,
    week: dt.date,
    did: str,
    worked: str,
    next_steps: str,
    now: dt.datetime,
) -> tuple[Reflection, bool]:
    """Write or edit the student's reflection on ``week``; returns ``(reflection, changed)``.

    Every save that changes the text keeps the new version in the revision table, so nothing a
    student wrote is lost; saving the same text again (a repeated submission) changes nothing.
    """
    _check_aware(now)
    did = _clean_reflection_text(did, "What I did")
    worked = _clean_reflection_text(worked, "What worked")
    next_steps = _clean_reflection_text(next_steps, "What next")
    if not (did or worked or next_steps):
        raise GoalError(_("Write something in at least one of the three boxes."))
    _lock_student(student)
    reflection = Reflection.objects.filter(student=student, week=week).first()
    if not reflection_may_save(
        week=week, now=now, existing_created_at=reflection.created_at if reflection else None
    ):
        raise GoalError(_("That week's reflection can no longer be written or changed."))
    if reflection is None:
        reflection = Reflection.objects.create(
            student=student,
            week=week,
            did=did,
            worked=worked,
            next_steps=next_steps,
            created_at=now,
            updated_at=now,
        )
    elif (reflection.did, reflection.worked, reflection.next_steps) == (did, worked, next_steps):
        return reflection, False
    else:
        reflection.did, reflection.worked, reflection.next_steps = did, worked, next_steps
        reflection.updated_at = now
        reflection.save(update_fields=["did", "worked", "next_steps", "updated_at"])
    ReflectionRevision.objects.create(
        reflection=reflection,
        did=did,
        worked=worked,
        next_steps=next_steps,
        saved_at=now,
        saved_by=student,
    )
    return reflection, True
