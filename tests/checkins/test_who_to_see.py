"""Who to see today: the ranking, the reasons in words, the overdue mark, and a query count
that does not grow with the number of students."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_user, record_answer

from tandem.checkins import constants
from tandem.checkins.selectors import _behind, who_to_see
from tandem.checkins.services import checkin_record, checkin_schedule
from tandem.goals.constants import GoalKind
from tandem.goals.services import goal_create
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.services import accommodation_create
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create

pytestmark = pytest.mark.django_db
CODE = "6.EE.A.2"
_names = itertools.count(1)


def _student(school_class, name):
    student = make_user(Role.STUDENT, grade="06")
    student.first_name, student.last_name = name, f"Test{next(_names)}"
    student.save(update_fields=["first_name", "last_name"])
    enrollment_create(user=student, school_class=school_class, role=EnrollmentRole.STUDENT)
    return student


def _seen(teacher, student, days_ago, now):
    checkin_record(teacher=teacher, student=student, now=now - dt.timedelta(days=days_ago))


@pytest.fixture
def ranked(school):
    """Five students of teacher A, each with one reason (or none) to be seen."""
    now = timezone.now()
    recent = _student(school.class_a, "Recent")
    overdue = _student(school.class_a, "Overdue")
    stuck = _student(school.class_a, "Stuck")
    missed = _student(school.class_a, "Missed")
    for student in (recent, overdue, missed):
        record_answer(student, CODE, True, at=now - dt.timedelta(hours=1))
    for _ in range(8):
        record_answer(stuck, CODE, False, at=now - dt.timedelta(hours=1))
    _seen(school.teacher_a, recent, 2, now)
    _seen(school.teacher_a, overdue, constants.CHECKIN_MAX_DAYS_UNSEEN + 6, now)
    _seen(school.teacher_a, stuck, 3, now)
    _seen(school.teacher_b, missed, 5, now)  # seen by anyone counts
    goal_create(
        student=missed,
        kind=GoalKind.HABIT,
        text="Not done",
        created_by=missed,
        now=now - dt.timedelta(days=7),
    )
    return {
        "now": now,
        "never": school.student_a,
        "recent": recent,
        "overdue": overdue,
        "stuck": stuck,
        "missed": missed,
    }


def test_ranks_by_days_unseen_and_need_with_reasons(school, ranked):
    rows = who_to_see(teacher=school.teacher_a, now=ranked["now"])
    by_student = {row.student.pk: row for row in rows}
    order = [row.student.pk for row in rows]
    expected = ["never", "overdue", "missed", "stuck", "recent"]
    assert order == [ranked[key].pk for key in expected]
    assert school.student_b.pk not in by_student  # another teacher's class

    never = by_student[ranked["never"].pk]
    assert never.days_since is None and never.overdue
    assert never.reasons[0] == (
        f"No check-in yet, more than {constants.CHECKIN_MAX_DAYS_UNSEEN} days"
    )
    assert "Falling behind: has not practiced yet" in never.reasons
    assert never.score == constants.DAYS_CAP + constants.NEED_POINTS + constants.OVERDUE_POINTS

    overdue = by_student[ranked["overdue"].pk]
    assert overdue.overdue and not overdue.needs
    assert overdue.days_since == constants.CHECKIN_MAX_DAYS_UNSEEN + 6

    stuck = by_student[ranked["stuck"].pk]
    assert [need.key for need in stuck.needs] == ["stuck"]
    assert f"Stuck: many recent answers on {CODE}" in stuck.reasons
    assert stuck.reasons[0] == "Last check-in 3 days ago"
    assert not stuck.overdue

    missed = by_student[ranked["missed"].pk]
    assert [need.key for need in missed.needs] == ["goals_missed"]
    assert "Missed 1 of 1 goal last week" in missed.reasons

    recent = by_student[ranked["recent"].pk]
    assert recent.needs == [] and recent.score == 2
    assert recent.classes == [school.class_a.title]


def test_anyone_overdue_comes_before_anyone_who_is_not(school, ranked):
    """Even a student with every need, seen at the limit, ranks below one just past it."""
    limit = constants.CHECKIN_MAX_DAYS_UNSEEN
    most_needs = limit + 3 * constants.NEED_POINTS
    just_overdue = limit + 1 + constants.OVERDUE_POINTS
    assert just_overdue > most_needs


def test_a_planned_check_in_shows_on_the_row(school, ranked):
    now = ranked["now"]
    planned, _ = checkin_schedule(
        teacher=school.teacher_a,
        student=ranked["recent"],
        scheduled_for=now + dt.timedelta(hours=2),
        now=now,
    )
    rows = {row.student.pk: row for row in who_to_see(teacher=school.teacher_a, now=now)}
    assert rows[ranked["recent"].pk].next_scheduled == planned
    assert rows[ranked["stuck"].pk].next_scheduled is None


def test_falling_behind_against_the_class_median():
    now = timezone.now()
    recent = now - dt.timedelta(days=1)
    classes = [(1, "Math 6 A")]
    assert _behind(mastered=1, classes=classes, median={1: 4}, last_work=recent, now=now) == (
        "Falling behind: 1 mastered, class median 4 (Math 6 A)"
    )
    assert _behind(mastered=2, classes=classes, median={1: 4}, last_work=recent, now=now) == ""
    # A median of 1 says too little to call anyone behind.
    assert _behind(mastered=0, classes=classes, median={1: 1}, last_work=recent, now=now) == ""
    idle = now - dt.timedelta(days=9)
    assert _behind(mastered=3, classes=classes, median={1: 3}, last_work=idle, now=now) == (
        "Falling behind: no practice for 9 days"
    )


def test_the_unseen_limit_comes_from_the_environment(monkeypatch):
    from tandem.config import Options

    monkeypatch.delenv("TANDEM_CHECKIN_DAYS", raising=False)
    assert Options.from_environment().checkin_days == 14
    monkeypatch.setenv("TANDEM_CHECKIN_DAYS", "21")
    assert Options.from_environment().checkin_days == 21
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv("TANDEM_CHECKIN_DAYS", bad)
        with pytest.raises(ValueError, match="TANDEM_CHECKIN_DAYS must be a whole number"):
            Options.from_environment()


def test_query_count_does_not_grow_with_students(school, ranked):
    now = ranked["now"]
    with CaptureQueriesContext(connection) as few:
        rows = who_to_see(teacher=school.teacher_a, now=now)
    assert len(rows) == 5
    # Four more students, in a second class of the same teacher, with evidence, goals, plans.
    enrollment_create(
        user=school.teacher_a, school_class=school.class_b, role=EnrollmentRole.TEACHER
    )
    for n in range(4):
        student = _student(school.class_b, f"More{n}")
        record_answer(student, CODE, n % 2 == 0, at=now - dt.timedelta(hours=2))
        _seen(school.teacher_a, student, n + 1, now)
        goal_create(
            student=student,
            kind=GoalKind.HABIT,
            text="Habit",
            created_by=student,
            now=now - dt.timedelta(days=7),
        )
        checkin_schedule(teacher=school.teacher_a, student=student, scheduled_for=now, now=now)
    with CaptureQueriesContext(connection) as many:
        rows = who_to_see(teacher=school.teacher_a, now=now)
    assert len(rows) == 10  # student_b came with class B
    assert len(many) == len(few)
    # 12: one for the self-checks (tandem.wellbeing), one for the accommodations of the
    # students in the teacher's classes, and the mastered counts and the learner states of
    # students with many recent answers read apart (not every state of every student).
    assert len(few) == 12, [q["sql"][:80] for q in few.captured_queries]


def test_rows_carry_accommodations_of_the_teachers_own_students(school, client):
    now = timezone.now()
    accommodation_create(
        actor=school.admin,
        student=school.student_a,
        kind=AccommodationKind.IEP,
        summary="Extra time on tests",
        now=now,
    )
    accommodation_create(
        actor=school.admin,
        student=school.student_b,
        kind=AccommodationKind.SECTION_504,
        summary="Seat near the front",
        now=now,
    )
    rows = {row.student: row for row in who_to_see(teacher=school.teacher_a, now=now)}
    assert rows[school.student_a].accommodations == ("IEP",)
    assert school.student_b not in rows
    client.force_login(school.teacher_a)
    html = client.get(reverse("checkins:today")).content.decode()
    assert 'class="badge accommodation-mark"' in html and ">IEP<" in html
    assert "504 plan" not in html
