"""The goal pages' HTTP contract: who may open them, the student's week (add, done, remove,
reflect), repeated submissions, and the teacher's class and student views."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_user

from tandem.competencies.models import Competency
from tandem.goals.constants import GoalKind, GoalStatus
from tandem.goals.models import Reflection, WeeklyGoal
from tandem.goals.rules import current_week, previous_week
from tandem.goals.services import goal_create
from tandem.privacy.models import AccessLog
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create

pytestmark = pytest.mark.django_db
MISSING = 999_999


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _add(client, **fields):
    data = {"kind": "habit", "text": "Read for 20 minutes", "idempotency_key": str(uuid.uuid4())}
    data.update(fields)
    return client.post(reverse("goals:add"), data)


def _goal(student, text="Practice fractions daily", by=None, now=None):
    goal, _ = goal_create(
        student=student,
        kind=GoalKind.HABIT,
        text=text,
        created_by=by or student,
        now=now or timezone.now(),
    )
    return goal


def _staff_urls(school):
    return {
        "class_a": reverse("goals:class", args=[school.class_a.pk]),
        "student_a": reverse("goals:student", args=[school.student_a.pk]),
    }


# ---------- access ----------


def test_anonymous_is_sent_to_login(client, school):
    for url in [reverse("goals:home"), *_staff_urls(school).values()]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", ["teacher_a", "guardian_a", "admin"])
def test_only_students_have_a_goals_page(client, school, role):
    _login(client, getattr(school, role))
    assert client.get(reverse("goals:home")).status_code == 404
    assert _add(client).status_code == 404
    assert not WeeklyGoal.objects.exists()


def test_class_teacher_and_administrator_see_the_teacher_pages(client, school):
    for user in (school.teacher_a, school.admin):
        _login(client, user)
        for name, url in _staff_urls(school).items():
            response = client.get(url)
            assert response.status_code == 200, (user, name)
            assert b"<h1" in response.content


def test_reflections_are_hidden_from_guardians_students_and_other_teachers(client, school):
    reflection_week = previous_week(current_week(timezone.now()))
    Reflection.objects.create(
        student=school.student_a,
        week=reflection_week,
        did="Private thoughts",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    for user in (school.guardian_a, school.teacher_b, school.student_a, school.student_b):
        _login(client, user)
        for name, url in _staff_urls(school).items():
            response = client.get(url)
            assert response.status_code == 404, (user.role, name)
            assert b"Private thoughts" not in response.content
    _login(client, school.teacher_a)
    for url in (
        reverse("goals:class", args=[MISSING]),
        reverse("goals:student", args=[MISSING]),
        reverse("goals:class", args=[school.class_b.pk]),
        reverse("goals:student", args=[school.student_b.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("goals:student", args=[school.student_a.pk]))
    assert "Private thoughts" in response.content.decode()
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="goals:student"
    ).exists()


# ---------- the student's week ----------


def test_student_adds_a_goal_once_even_if_the_form_is_sent_twice(client, school):
    _login(client, school.student_a)
    page = client.get(reverse("goals:home"))
    assert page.status_code == 200
    assert "No goals yet this week" in page.content.decode()
    data = {"idempotency_key": str(uuid.uuid4())}
    first = _add(client, **data)
    assert first.status_code == 302 and first["Location"] == reverse("goals:home")
    again = _add(client, **data)
    assert again.status_code == 302
    goal = WeeklyGoal.objects.get(student=school.student_a)
    assert goal.text == "Read for 20 minutes"
    assert goal.week == current_week(timezone.now())
    html = client.get(reverse("goals:home")).content.decode()
    assert "Read for 20 minutes" in html
    assert "Goal added" in html


def test_a_competency_goal_from_the_select(client, school):
    _login(client, school.student_a)
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2.c")
    response = _add(client, kind="competency", competency=str(competency.pk), text="")
    assert response.status_code == 302
    goal = WeeklyGoal.objects.get()
    assert goal.kind == GoalKind.COMPETENCY and goal.competency == competency
    assert "6.EE.A.2.c" in client.get(reverse("goals:home")).content.decode()


def test_bad_input_is_explained_and_kept(client, school):
    _login(client, school.student_a)
    response = _add(client, kind="competency", competency="", text="My words stay here")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "Choose the competency this goal is about." in html
    assert 'value="My words stay here"' in html
    assert not WeeklyGoal.objects.exists()


def test_a_fourth_goal_is_refused_with_a_message(client, school):
    for n in range(3):
        _goal(school.student_a, text=f"Goal {n}")
    _login(client, school.student_a)
    html = client.get(reverse("goals:home")).content.decode()
    assert "the most a week can have" in html
    assert 'action="/goals/add/"' not in html
    response = _add(client, text="A fourth")
    assert response.status_code == 400
    assert "already 3 goals this week" in response.content.decode()
    assert WeeklyGoal.objects.count() == 3


def test_mark_done_and_remove(client, school):
    keep, drop = _goal(school.student_a, text="Keep me"), _goal(school.student_a, text="Drop me")
    agreed = _goal(school.student_a, text="Agreed next step", by=school.teacher_a)
    _login(client, school.student_a)
    html = client.get(reverse("goals:home")).content.decode()
    assert f"Agreed with {school.teacher_a.display_name} in a check-in" in html
    assert reverse("goals:remove", args=[agreed.pk]) not in html
    assert client.post(reverse("goals:done", args=[keep.pk])).status_code == 302
    keep.refresh_from_db()
    assert keep.status == GoalStatus.DONE
    assert client.post(reverse("goals:remove", args=[drop.pk])).status_code == 302
    assert not WeeklyGoal.objects.filter(pk=drop.pk).exists()
    again = client.post(reverse("goals:remove", args=[drop.pk]), follow=True)
    assert "already removed" in again.content.decode()
    # Someone else's goal: nothing happens.
    other = _goal(school.student_b, text="Not yours")
    client.post(reverse("goals:done", args=[other.pk]))
    client.post(reverse("goals:remove", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == GoalStatus.OPEN


def test_last_weeks_reflection_is_asked_for_until_written(client, school):
    now = timezone.now()
    last_week = previous_week(current_week(now))
    _goal(school.student_a, text="Last week's goal", now=now - dt.timedelta(days=7))
    _login(client, school.student_a)
    html = client.get(reverse("goals:home")).content.decode()
    assert f'value="{last_week.isoformat()}"' in html
    assert "What worked" in html
    empty = client.post(reverse("goals:reflect"), {"week": last_week.isoformat()})
    assert empty.status_code == 400
    assert "Write something in at least one of the three boxes." in empty.content.decode()
    data = {
        "week": last_week.isoformat(),
        "did": "Finished the survey",
        "worked": "Working with Sam",
        "next_steps": "Make the graph",
    }
    assert client.post(reverse("goals:reflect"), data).status_code == 302
    assert client.post(reverse("goals:reflect"), data).status_code == 302  # sent twice
    reflection = Reflection.objects.get(student=school.student_a, week=last_week)
    assert reflection.revisions.count() == 1
    html = client.get(reverse("goals:home")).content.decode()
    assert "Finished the survey" in html
    assert "0 of 1 goal done" in html  # last week's open goal was missed


def test_a_closed_weeks_reflection_is_refused_with_a_message(client, school):
    long_ago = previous_week(previous_week(current_week(timezone.now())))
    _login(client, school.student_a)
    response = client.post(reverse("goals:reflect"), {"week": long_ago.isoformat(), "did": "x"})
    assert response.status_code == 400
    assert "can no longer be written" in response.content.decode()
    assert not Reflection.objects.exists()


# ---------- the teacher's class view ----------


def test_class_page_says_who_has_not_set_goals_or_reflected(client, school):
    busy = make_user(Role.STUDENT, grade="06")
    enrollment_create(user=busy, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    _goal(busy, text="Set")
    Reflection.objects.create(
        student=busy,
        week=previous_week(current_week(timezone.now())),
        did="Did it",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    _login(client, school.teacher_a)
    url = reverse("goals:class", args=[school.class_a.pk])
    html = client.get(url).content.decode()
    assert school.student_a.display_name in html and busy.display_name in html
    assert "Has not set goals this week" in html
    assert "1 goal set this week, 0 done" in html
    assert "Reflected on last week" in html and "Has not reflected on last week" in html
    assert school.student_b.display_name not in html
    only = client.get(url, {"only": "missing"}).content.decode()
    assert school.student_a.display_name in only
    assert busy.display_name not in only
    assert 'name="only" value="missing" checked' in only
