"""Groups' writes and reads against a real database: suggestions from the learner state,
forming and editing a group, holding a mini-lesson whose exit checks move the estimates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone
from tests.factories import make_user, master
from tests.groups.conftest import PREREQUISITE, TOPIC, make_ready, make_stuck

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.groups.access import access_group, students_groupable_by
from tandem.groups.constants import ExitResult, GroupStatus, LessonStatus, Need, Scope
from tandem.groups.models import LessonAttendance
from tandem.groups.selectors import (
    group_member_states,
    group_ready_to_end,
    group_suggestions,
    groups_meeting,
)
from tandem.groups.services import (
    AttendanceInput,
    GroupError,
    group_create,
    group_end,
    group_members_set,
    lesson_hold,
    lesson_plan,
)
from tandem.mastery.models import LearnerState
from tandem.roster.access import students_visible_to
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db


def _topic() -> Competency:
    return Competency.objects.get(human_coding_scheme=TOPIC)


def _suggestion(suggestions, code=TOPIC):
    return next((s for s in suggestions if s.competency.code == code), None)


def test_suggestions_follow_the_scope_and_say_why(school):
    make_stuck(school.student_a)
    make_ready(school.student_b)
    make_ready(school.student_c)
    now = timezone.now()
    # One class: teacher A's class holds one student with the need, too few for a group.
    in_class = group_suggestions(
        teacher=school.teacher_a, scope=Scope.CLASS, school_class=school.class_a, now=now
    )
    assert _suggestion(in_class) is None
    # The whole school: three students, grades 6 and 7, one stuck and two ready.
    wide = group_suggestions(teacher=school.teacher_a, scope=Scope.SCHOOL, now=now)
    topic = _suggestion(wide)
    assert topic is not None and wide[0].size >= topic.size
    assert {s.student.pk: s.need for s in topic.students} == {
        school.student_a.pk: Need.STUCK,
        school.student_b.pk: Need.READY,
        school.student_c.pk: Need.READY,
    }
    assert topic.students[0].student == school.student_a  # the stuck first
    assert topic.grades == ["6", "7"]
    assert topic.why.startswith("1 stuck") and "2 ready" in topic.why
    # Teacher B's classes: B and C.
    mine = _suggestion(group_suggestions(teacher=school.teacher_b, scope=Scope.MINE, now=now))
    assert mine is not None
    assert {s.student.pk for s in mine.students} == {school.student_b.pk, school.student_c.pk}


def test_ready_needs_every_prerequisite_mastered_and_not_a_later_grade(school):
    make_ready(school.student_a)
    grade_5 = make_user(Role.STUDENT, grade="05")
    from tandem.roster.constants import EnrollmentRole
    from tandem.roster.services import enrollment_create

    enrollment_create(user=grade_5, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    make_ready(grade_5)
    now = timezone.now()
    wide = group_suggestions(
        teacher=school.teacher_a, scope=Scope.SCHOOL, now=now, competency_id=_topic().pk
    )
    # Student A only (grade 5 is not due for a grade 6 standard): no group of two.
    assert wide == []
    master(school.student_a, TOPIC)
    make_ready(school.student_b)
    make_ready(school.student_c)
    topic = _suggestion(group_suggestions(teacher=school.teacher_a, scope=Scope.SCHOOL, now=now))
    assert topic is not None
    assert school.student_a.pk not in {s.student.pk for s in topic.students}  # mastered


def test_forming_a_group_lets_the_leader_see_its_members_until_it_ends(school):
    now = timezone.now()
    assert school.student_c not in students_visible_to(school.teacher_a)
    assert school.student_c in students_groupable_by(school.teacher_a)
    group, created = group_create(
        leader=school.teacher_a,
        competency=_topic(),
        students=[school.student_a, school.student_c],
        now=now,
        idempotency_key="k1",
    )
    assert created and group.status == GroupStatus.OPEN
    again, created = group_create(
        leader=school.teacher_a, competency=_topic(), students=[], now=now, idempotency_key="k1"
    )
    assert again == group and not created
    assert set(students_visible_to(school.teacher_a)) == {school.student_a, school.student_c}
    # One open group per competency and leader.
    with pytest.raises(GroupError, match="already lead an open group"):
        group_create(
            leader=school.teacher_a, competency=_topic(), students=[school.student_b], now=now
        )
    # Members change; the group is the leader's alone.
    assert group_members_set(group=group, students=[school.student_a], now=now) == (0, 1)
    assert school.student_c not in students_visible_to(school.teacher_a)
    with pytest.raises(GroupError, match="at least one"):
        group_members_set(group=group, students=[], now=now)
    with pytest.raises(Http404):
        access_group(user=school.teacher_b, group_id=group.pk)
    assert access_group(user=school.admin, group_id=group.pk) == group
    group_members_set(group=group, students=[school.student_a, school.student_c], now=now)
    group_end(group=group, now=now)
    assert group_end(group=group, now=now).ended_at == now
    assert set(students_visible_to(school.teacher_a)) == {school.student_a}
    with pytest.raises(GroupError, match="ended"):
        group_members_set(group=group, students=[school.student_a], now=now)


def test_holding_a_mini_lesson_records_exit_checks_as_evidence(school):
    make_stuck(school.student_a)
    make_ready(school.student_c)
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a,
        competency=_topic(),
        students=[school.student_a, school.student_b, school.student_c],
        now=now,
    )
    lesson, created = lesson_plan(
        group=group,
        date=now.date(),
        start_time=dt.time(10, 30),
        room="Library",
        notes="Area models.",
        materials_url="https://example.org/area",
        now=now,
        idempotency_key="plan-1",
    )
    assert (
        created
        and lesson_plan(group=group, date=now.date(), now=now, idempotency_key="plan-1")[0]
        == lesson
    )
    meetings = groups_meeting(teacher=school.teacher_a, day=now.date())
    assert [(m.lesson_id, m.members, m.room, m.held) for m in meetings] == [
        (lesson.pk, 3, "Library", False)
    ]
    assert groups_meeting(teacher=school.teacher_b, day=now.date()) == []
    before_a = LearnerState.objects.get(student=school.student_a, competency=_topic()).p_mastery
    records = [
        AttendanceInput(school.student_a, True, ExitResult.SHOWED, items_right=3, items_asked=3),
        AttendanceInput(school.student_b, False),
        AttendanceInput(school.student_c, True, ExitResult.NOT_YET),
    ]
    held, created = lesson_hold(lesson=lesson, teacher=school.teacher_a, records=records, now=now)
    assert created and held.status == LessonStatus.HELD
    rows = {r.student_id: r for r in LessonAttendance.objects.filter(lesson=lesson)}
    assert rows[school.student_a.pk].p_before == pytest.approx(before_a)
    assert rows[school.student_a.pk].p_after > before_a
    assert rows[school.student_b.pk].present is False and rows[school.student_b.pk].p_after is None
    assert rows[school.student_c.pk].p_before is None and rows[school.student_c.pk].p_after < 0.5
    # Three questions and an observation for A, an observation for C; none for the absent B.
    statements = Statement.objects.filter(context_extensions__mini_lesson=lesson.pk)
    assert statements.filter(actor=school.student_a).count() == 4
    assert statements.filter(actor=school.student_c).count() == 1
    assert not statements.filter(actor=school.student_b).exists()
    # A second submission records nothing again.
    _, created = lesson_hold(lesson=lesson, teacher=school.teacher_a, records=records, now=now)
    assert not created and statements.count() == 5
    assert groups_meeting(teacher=school.teacher_a, day=now.date())[0].held


def test_holding_refuses_bad_input_and_records_nothing(school):
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a, competency=_topic(), students=[school.student_a], now=now
    )
    lesson, _ = lesson_plan(group=group, date=now.date(), now=now)
    bad = [
        ([AttendanceInput(school.student_b, True, ExitResult.SHOWED)], "not in this group"),
        ([AttendanceInput(school.student_a, False, ExitResult.SHOWED)], "was absent"),
        ([AttendanceInput(school.student_a, True, items_right=4, items_asked=3)], "between 0"),
        ([AttendanceInput(school.student_a, True, items_right=1)], "both"),
    ]
    for records, message in bad:
        with pytest.raises(GroupError, match=message):
            lesson_hold(lesson=lesson, teacher=school.teacher_a, records=records, now=now)
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PLANNED
    assert not LessonAttendance.objects.exists() and not Statement.objects.exists()
    with pytest.raises(GroupError, match="from today on"):
        lesson_plan(group=group, date=now.date() - dt.timedelta(days=3), now=now)


def test_a_group_suggests_its_end_once_every_member_has_mastered_it(school):
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a,
        competency=_topic(),
        students=[school.student_a, school.student_c],
        now=now,
    )
    assert not group_ready_to_end(group_member_states(group=group, now=now))
    master(school.student_a, TOPIC)
    assert not group_ready_to_end(group_member_states(group=group, now=now))
    master(school.student_c, TOPIC)
    states = group_member_states(group=group, now=timezone.now())
    assert [s.student for s in states] and group_ready_to_end(states)
    assert PREREQUISITE != TOPIC


def _queries(callable_) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_suggestions_take_a_fixed_number_of_queries_whatever_the_school_size(school):
    from tandem.roster.constants import EnrollmentRole
    from tandem.roster.services import enrollment_create

    now = timezone.now()

    def suggest():
        return group_suggestions(teacher=school.teacher_a, scope=Scope.SCHOOL, now=now)

    make_stuck(school.student_a)
    make_ready(school.student_c)
    suggest()  # warms the in-memory caches (prerequisite graph, practisable competencies)
    small = _queries(suggest)
    for _ in range(4):
        extra = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=extra, school_class=school.class_b, role=EnrollmentRole.STUDENT)
        make_ready(extra)
    assert _queries(suggest) == small
    assert _suggestion(suggest()).size == 6
