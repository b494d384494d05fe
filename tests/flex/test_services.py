"""Flex services against a real database: solving with reasons, moves kept, bad input
refused with nothing changed, publishing, attendance as evidence, the teacher's reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import record_answer
from tests.flex.conftest import offer

from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.flex.constants import ReasonKind, ScheduleStatus, SessionKind
from tandem.flex.models import FlexPlacement, FlexRequirement, FlexSchedule, FlexSession
from tandem.flex.selectors import sessions_to_take_attendance, student_week
from tandem.flex.services import (
    FlexError,
    attendance_record,
    choices_set,
    placement_move,
    schedule_publish,
    schedule_solve,
)
from tandem.mastery.models import LearnerState
from tandem.roster.access import students_visible_to
from tandem.roster.models import User

pytestmark = pytest.mark.django_db


def _where(schedule, student):  # type: ignore[no-untyped-def]
    return {
        p.block_id: p
        for p in FlexPlacement.objects.filter(schedule=schedule, student=student).select_related(
            "session"
        )
    }


def _stuck(student) -> None:  # type: ignore[no-untyped-def]
    for _ in range(8):
        record_answer(student, "6.EE.A.2", False)


def test_every_student_is_placed_in_every_block_with_a_reason(flex):
    school = flex.school
    _stuck(school.student_b)
    choices_set(
        student=school.student_a,
        block=flex.tuesday,
        week=flex.week,
        session_ids=[flex.art.pk, flex.workshop.pk],
    )
    schedule = schedule_solve(week=flex.week, now=timezone.now(), time_limit_s=5)
    students = User.objects.filter(role="student").count()
    assert FlexPlacement.objects.filter(schedule=schedule).count() == students * 2
    b = _where(schedule, school.student_b)
    assert b[flex.tuesday.pk].session == flex.workshop
    assert b[flex.tuesday.pk].reason == ReasonKind.NEED
    assert b[flex.tuesday.pk].reason_label == "Needs 6.EE.A.2"
    a = _where(schedule, school.student_a)
    assert a[flex.tuesday.pk].session == flex.art
    assert a[flex.tuesday.pk].reason_label == "Choice #1"
    # No choice on Thursday: class A's default is its teacher's study hall, but teacher A
    # leads none on Thursday, so an open seat; class B's is teacher B's study hall.
    assert b[flex.thursday.pk].session == flex.study_thu
    assert b[flex.thursday.pk].reason == ReasonKind.DEFAULT
    assert schedule.status == ScheduleStatus.DRAFT
    assert schedule.need_objective == schedule.need_bound > 0


def test_a_move_by_hand_is_kept_when_the_week_is_solved_again(flex):
    now = timezone.now()
    schedule = schedule_solve(week=flex.week, now=now, time_limit_s=5)
    student = flex.school.student_a
    placement = _where(schedule, student)[flex.tuesday.pk]
    target = flex.workshop if placement.session != flex.workshop else flex.art
    placement_move(placement=placement, session=target, by=flex.school.admin, now=now)
    schedule_solve(week=flex.week, now=now, time_limit_s=5)
    moved = _where(schedule, student)[flex.tuesday.pk]
    assert moved.session == target and moved.pinned
    assert moved.reason_label == "Moved by hand"
    # Moving into a full session is refused, and the student stays where they were.
    others = [
        _where(schedule, other)[flex.tuesday.pk]
        for other in User.objects.filter(role="student").exclude(pk=student.pk)
    ]
    with pytest.raises(FlexError, match="is full"):
        for placement in others:
            if placement.session != target:
                placement_move(placement=placement, session=target, by=flex.school.admin, now=now)
    assert FlexPlacement.objects.filter(session=target).count() == target.capacity


def test_bad_input_names_the_conflicts_and_nothing_is_scheduled(flex):
    school = flex.school
    offer(school.teacher_b, flex.tuesday, flex.week, "Chess", SessionKind.ENRICHMENT, 1, "")
    for student in (school.student_a, school.student_b):
        FlexRequirement.objects.create(session=flex.workshop, student=student)
    FlexRequirement.objects.create(
        session=flex.art, student=User.objects.filter(role="student").last()
    )
    FlexRequirement.objects.create(
        session=flex.workshop, student=User.objects.filter(role="student").last()
    )
    with pytest.raises(FlexError) as raised:
        schedule_solve(week=flex.week, now=timezone.now(), time_limit_s=5)
    text = "\n".join(raised.value.problems)
    assert "“Chess” has no room." in text
    assert "“Expressions” requires 3 students but has only 2 seats." in text
    assert "is required in both" in text
    assert "Student Number" in text  # named, not numbered
    assert not FlexSchedule.objects.exists()
    assert not FlexPlacement.objects.exists()


def test_a_block_with_more_students_than_seats_is_refused(flex):
    FlexPlacement.objects.all().delete()
    flex.study_thu.capacity = 1
    flex.study_thu.save()
    with pytest.raises(FlexError, match="Thursday flex has 6 students but only 4 seats"):
        schedule_solve(week=flex.week, now=timezone.now(), time_limit_s=5)


def test_publish_needs_a_full_schedule_and_twice_is_harmless(flex):
    now = timezone.now()
    admin = flex.school.admin
    empty = FlexSchedule.objects.create(week_of=flex.week)
    with pytest.raises(FlexError, match="Only 0 of 12 places"):
        schedule_publish(schedule=empty, by=admin, now=now)
    schedule = schedule_solve(week=flex.week, now=now, time_limit_s=5)
    assert student_week(student_id=flex.school.student_a.pk) == []
    schedule_publish(schedule=schedule, by=admin, now=now)
    again = schedule_publish(schedule=schedule, by=admin, now=now)
    assert again.status == ScheduleStatus.PUBLISHED and again.published_at == now
    assert len(student_week(student_id=flex.school.student_a.pk)) == 2
    with pytest.raises(FlexError, match="published"):
        schedule_solve(week=flex.week, now=now, time_limit_s=5)
    with pytest.raises(FlexError, match="published"):
        choices_set(
            student=flex.school.student_a,
            block=flex.tuesday,
            week=flex.week,
            session_ids=[flex.art.pk],
        )


def test_attendance_is_evidence_once_and_moves_no_estimate(flex):
    school = flex.school
    _stuck(school.student_a)
    now = timezone.now()
    schedule = schedule_solve(week=flex.week, now=now, time_limit_s=5)
    assert _where(schedule, school.student_a)[flex.tuesday.pk].session == flex.workshop
    with pytest.raises(FlexError, match="published"):
        attendance_record(session=flex.workshop, teacher=school.teacher_a, present=set(), now=now)
    schedule_publish(schedule=schedule, by=school.admin, now=now)
    before = LearnerState.objects.get(student=school.student_a).p_mastery
    later = now + dt.timedelta(days=7)
    for _ in range(2):  # a double submit records once
        n = attendance_record(
            session=flex.workshop,
            teacher=school.teacher_a,
            present={school.student_a.pk},
            now=later,
        )
    assert n == 1
    statements = Statement.objects.filter(verb=Verb.ATTENDED, actor=school.student_a)
    assert statements.count() == 1
    statement = statements.get()
    assert statement.source == Source.FLEX and statement.authority == school.teacher_a
    assert statement.weight == 0.0 and statement.result_success is None
    assert LearnerState.objects.get(student=school.student_a).p_mastery == before
    placements = FlexPlacement.objects.filter(session=flex.workshop)
    assert {p.student_id: p.attended for p in placements}[school.student_a.pk] is True


def test_a_teacher_reaches_students_placed_in_their_published_session(flex):
    school = flex.school
    choices_set(
        student=school.student_a, block=flex.tuesday, week=flex.week, session_ids=[flex.art.pk]
    )
    now = timezone.now()
    schedule = schedule_solve(week=flex.week, now=now, time_limit_s=5)
    assert _where(schedule, school.student_a)[flex.tuesday.pk].session == flex.art
    assert school.student_a not in students_visible_to(school.teacher_b)  # a draft: no reach
    schedule_publish(schedule=schedule, by=school.admin, now=now)
    assert school.student_a in students_visible_to(school.teacher_b)
    # Only the students in teacher B's sessions, not teacher A's whole class.
    in_art = set(
        FlexPlacement.objects.filter(session__teacher=school.teacher_b).values_list(
            "student_id", flat=True
        )
    )
    class_a = set(
        school.class_a.enrollments.filter(role="student").values_list("user_id", flat=True)
    )
    visible = set(students_visible_to(school.teacher_b).values_list("pk", flat=True))
    assert visible & class_a == in_art & class_a


def test_choices_are_checked(flex):
    school = flex.school
    with pytest.raises(FlexError, match="at most 3"):
        choices_set(
            student=school.student_a,
            block=flex.tuesday,
            week=flex.week,
            session_ids=[flex.art.pk, flex.workshop.pk, flex.study_tue.pk, 999],
        )
    with pytest.raises(FlexError, match="not offered in this block"):
        choices_set(
            student=school.student_a,
            block=flex.tuesday,
            week=flex.week,
            session_ids=[flex.study_thu.pk],
        )
    assert (
        choices_set(
            student=school.student_a, block=flex.tuesday, week=flex.week, session_ids=[flex.art.pk]
        )
        == 1
    )


def test_sessions_wait_for_attendance_on_their_day_until_it_is_taken(flex):
    school = flex.school
    now = timezone.now()
    tuesday = flex.week + dt.timedelta(days=1)
    schedule = schedule_solve(week=flex.week, now=now, time_limit_s=5)
    assert sessions_to_take_attendance(teacher_id=school.teacher_a.pk, day=tuesday) == []
    schedule_publish(schedule=schedule, by=school.admin, now=now)

    def waiting(teacher, day):  # type: ignore[no-untyped-def]
        return {s.title for s in sessions_to_take_attendance(teacher_id=teacher.pk, day=day)}

    placed_tue = {
        p.session.title
        for p in FlexPlacement.objects.filter(block=flex.tuesday, session__teacher=school.teacher_a)
    }
    assert waiting(school.teacher_a, tuesday) == placed_tue
    assert waiting(school.teacher_a, tuesday + dt.timedelta(days=1)) <= {"Project time"}
    assert waiting(school.teacher_a, flex.week) == set()  # Monday: no block
    for title in placed_tue:
        session = FlexSession.objects.get(title=title, week_of=flex.week)
        attendance_record(session=session, teacher=school.teacher_a, present=set(), now=now)
    assert waiting(school.teacher_a, tuesday) == set()
