"""Check-in services against a real database: planning, recording in one transaction,
observations that move the learner model, next steps that become goals, repeated submissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import record_answer

from tandem.checkins.constants import CHECKIN_WEIGHT, CheckInStatus, Understanding
from tandem.checkins.models import CheckIn, CheckInNextStep, CheckInObservation
from tandem.checkins.services import (
    CheckInError,
    NextStepInput,
    ObservationInput,
    checkin_cancel,
    checkin_record,
    checkin_schedule,
)
from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.goals.constants import GoalKind, GoalStatus
from tandem.goals.models import WeeklyGoal
from tandem.goals.rules import current_week
from tandem.goals.services import goal_create
from tandem.mastery.models import LearnerState

pytestmark = pytest.mark.django_db
CODE = "6.EE.A.2"


def _competency(code=CODE):
    return Competency.objects.get(human_coding_scheme=code)


def _record(school, *, now=None, **kwargs):
    return checkin_record(
        teacher=school.teacher_a, student=school.student_a, now=now or timezone.now(), **kwargs
    )


def _p(student, code=CODE):
    return LearnerState.objects.get(student=student, competency__human_coding_scheme=code).p_mastery


# ---------- planning ----------


def test_schedule_once_per_key_and_not_in_the_past(school):
    now = timezone.now()
    when = now + dt.timedelta(days=1)
    first, created = checkin_schedule(
        teacher=school.teacher_a,
        student=school.student_a,
        scheduled_for=when,
        now=now,
        idempotency_key="k1",
    )
    again, created_again = checkin_schedule(
        teacher=school.teacher_a,
        student=school.student_a,
        scheduled_for=when,
        now=now,
        idempotency_key="k1",
    )
    assert created and not created_again and first.pk == again.pk
    assert first.status == CheckInStatus.SCHEDULED and first.held_at is None
    with pytest.raises(CheckInError, match="from today on"):
        checkin_schedule(
            teacher=school.teacher_a,
            student=school.student_a,
            scheduled_for=now - dt.timedelta(days=2),
            now=now,
        )
    assert CheckIn.objects.count() == 1


def test_cancel_a_planned_check_in_but_not_a_held_one(school):
    now = timezone.now()
    planned, _ = checkin_schedule(
        teacher=school.teacher_a, student=school.student_a, scheduled_for=now, now=now
    )
    assert checkin_cancel(check_in=planned, now=now).status == CheckInStatus.CANCELLED
    assert checkin_cancel(check_in=planned, now=now).status == CheckInStatus.CANCELLED  # again
    held, _ = _record(school)
    with pytest.raises(CheckInError, match="stays on the record"):
        checkin_cancel(check_in=held, now=now)


# ---------- recording ----------


def test_observations_become_weighted_evidence_and_move_mastery(school):
    for correct in (True, False, True):
        record_answer(school.student_a, CODE, correct)
    record_answer(school.student_a, "6.RP.A.1", True)
    record_answer(school.student_a, "6.NS.A.1", True)
    before = {code: _p(school.student_a, code) for code in (CODE, "6.RP.A.1", "6.NS.A.1")}

    check_in, created = _record(
        school,
        notes="Explained substitution clearly. PRIVATE-NOTE",
        observations=[
            ObservationInput(_competency(CODE), Understanding.SHOWED),
            ObservationInput(_competency("6.RP.A.1"), Understanding.NEEDS_HELP),
            ObservationInput(_competency("6.NS.A.1"), Understanding.PARTIAL),
        ],
    )
    assert created and check_in.status == CheckInStatus.HELD and check_in.held_at is not None
    assert _p(school.student_a, CODE) > before[CODE]
    assert _p(school.student_a, "6.RP.A.1") < before["6.RP.A.1"]
    assert _p(school.student_a, "6.NS.A.1") > before["6.NS.A.1"]

    statements = {
        o.understanding: o.statement
        for o in CheckInObservation.objects.filter(check_in=check_in).select_related("statement")
    }
    assert len(statements) == 3
    for understanding, statement in statements.items():
        assert statement.source == Source.CHECK_IN
        assert statement.verb == Verb.OBSERVED
        assert statement.actor == school.student_a
        assert statement.authority == school.teacher_a
        assert statement.weight == CHECKIN_WEIGHT[understanding]
        assert statement.state_changes.count() == 1
        # The notes are private: never copied into the evidence log.
        assert "PRIVATE-NOTE" not in statement.result_response
        assert "PRIVATE-NOTE" not in str(statement.context_extensions)
        assert "PRIVATE-NOTE" not in statement.object_name
    assert statements[Understanding.SHOWED].result_score_scaled == 1.0
    assert statements[Understanding.PARTIAL].result_score_scaled == 0.5
    assert statements[Understanding.PARTIAL].result_success is True
    assert statements[Understanding.NEEDS_HELP].result_score_scaled == 0.0
    assert statements[Understanding.NEEDS_HELP].result_success is False
    assert CHECKIN_WEIGHT[Understanding.PARTIAL] < CHECKIN_WEIGHT[Understanding.SHOWED]


def test_next_steps_become_the_students_goals(school):
    now = timezone.now()
    check_in, _ = _record(
        school,
        now=now,
        next_steps=[
            NextStepInput(GoalKind.COMPETENCY, competency=_competency()),
            NextStepInput(GoalKind.HABIT, text="Write down each step"),
        ],
    )
    goals = list(WeeklyGoal.objects.filter(student=school.student_a).order_by("pk"))
    assert [g.kind for g in goals] == [GoalKind.COMPETENCY, GoalKind.HABIT]
    assert all(g.created_by == school.teacher_a for g in goals)
    assert all(g.week == current_week(now) and g.status == GoalStatus.OPEN for g in goals)
    assert [s.goal for s in CheckInNextStep.objects.filter(check_in=check_in)] == goals


def test_too_many_next_steps_record_nothing(school):
    now = timezone.now()
    for text in ("One", "Two"):
        goal_create(
            student=school.student_a,
            kind=GoalKind.HABIT,
            text=text,
            created_by=school.student_a,
            now=now,
        )
    with pytest.raises(CheckInError, match=r"already has 2 goals this week.*only 1 more"):
        _record(
            school,
            now=now,
            notes="Lost?",
            observations=[ObservationInput(_competency(), Understanding.SHOWED)],
            next_steps=[
                NextStepInput(GoalKind.HABIT, text="Three"),
                NextStepInput(GoalKind.HABIT, text="Four"),
            ],
        )
    assert not CheckIn.objects.exists()
    assert not Statement.objects.filter(source=Source.CHECK_IN).exists()
    assert not LearnerState.objects.filter(student=school.student_a).exists()
    assert WeeklyGoal.objects.filter(student=school.student_a).count() == 2


def test_a_repeated_submission_records_once(school):
    observation = [ObservationInput(_competency(), Understanding.SHOWED)]
    steps = [NextStepInput(GoalKind.HABIT, text="Check answers")]
    first, created = _record(
        school, observations=observation, next_steps=steps, idempotency_key="ci:1"
    )
    again, created_again = _record(
        school, observations=observation, next_steps=steps, idempotency_key="ci:1"
    )
    assert created and not created_again and first.pk == again.pk
    assert CheckIn.objects.count() == 1
    assert Statement.objects.filter(source=Source.CHECK_IN).count() == 1
    assert WeeklyGoal.objects.count() == 1
    assert LearnerState.objects.get(student=school.student_a).n_attempts == 1


def test_recording_a_planned_check_in_holds_it_once(school):
    now = timezone.now()
    planned, _ = checkin_schedule(
        teacher=school.teacher_a, student=school.student_a, scheduled_for=now, now=now
    )
    observation = [ObservationInput(_competency(), Understanding.NEEDS_HELP)]
    held, created = _record(school, scheduled=planned, observations=observation, notes="Talked")
    assert created and held.pk == planned.pk
    held.refresh_from_db()
    assert held.status == CheckInStatus.HELD and held.notes == "Talked"
    _, created_again = _record(school, scheduled=planned, observations=observation)
    assert not created_again
    assert CheckIn.objects.count() == 1
    assert Statement.objects.filter(source=Source.CHECK_IN).count() == 1
    cancelled, _ = checkin_schedule(
        teacher=school.teacher_a, student=school.student_a, scheduled_for=now, now=now
    )
    checkin_cancel(check_in=cancelled, now=now)
    with pytest.raises(CheckInError, match="cancelled"):
        _record(school, scheduled=cancelled)
    with pytest.raises(ValueError, match="another student"):
        checkin_record(
            teacher=school.teacher_b, student=school.student_b, now=now, scheduled=planned
        )


def test_each_competency_once_and_notes_kept_short(school):
    twice = [
        ObservationInput(_competency(), Understanding.SHOWED),
        ObservationInput(_competency(), Understanding.NEEDS_HELP),
    ]
    with pytest.raises(CheckInError, match="once per check-in"):
        _record(school, observations=twice)
    with pytest.raises(CheckInError, match="under 5,000"):
        _record(school, notes="x" * 5001)
    assert not CheckIn.objects.exists()
