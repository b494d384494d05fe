"""The check-in pages' HTTP contract: the role × page access matrix, private notes that only
the student's teachers and administrators read, and the plan, record and cancel forms."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, record_answer

from tandem.checkins.constants import CheckInStatus, Understanding
from tandem.checkins.models import CheckIn
from tandem.checkins.services import (
    NextStepInput,
    ObservationInput,
    checkin_record,
    checkin_schedule,
)
from tandem.competencies.models import Competency
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.goals.constants import GoalKind
from tandem.goals.models import WeeklyGoal
from tandem.mastery.models import LearnerState
from tandem.privacy.models import AccessLog

pytestmark = pytest.mark.django_db
CODE = "6.EE.A.2.c"  # practisable, so offered in the select
NOTE = "Worried about home; PRIVATE-NOTE-7731"
MISSING = 999_999


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def held(school):
    """A check-in with student A: private notes, one observation, one next step."""
    check_in, _ = checkin_record(
        teacher=school.teacher_a,
        student=school.student_a,
        now=timezone.now(),
        notes=NOTE,
        observations=[
            ObservationInput(Competency.objects.get(human_coding_scheme=CODE), Understanding.SHOWED)
        ],
        next_steps=[NextStepInput(GoalKind.HABIT, text="Explain each step aloud")],
    )
    return check_in


def _pages(school, check_in):
    a, b = school.student_a.pk, school.student_b.pk
    return {
        "today": reverse("checkins:today"),
        "student_a": reverse("checkins:student", args=[a]),
        "record_a": reverse("checkins:record", args=[a]),
        "student_b": reverse("checkins:student", args=[b]),
        "record_b": reverse("checkins:record", args=[b]),
        "student_missing": reverse("checkins:student", args=[MISSING]),
    }


ALLOWED = {
    "teacher_a": {"today", "student_a", "record_a"},
    "teacher_b": {"today", "student_b", "record_b"},
    "admin": {"today", "student_a", "record_a", "student_b", "record_b"},
    "student_a": set(),
    "guardian_a": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_access_matrix(client, school, held, role):
    _login(client, getattr(school, role))
    for name, url in _pages(school, held).items():
        response = client.get(url)
        expected = 200 if name in ALLOWED[role] else 404
        assert response.status_code == expected, (role, name)
        if expected == 404 or name == "today":
            assert NOTE not in response.content.decode(), (role, name)


def test_anonymous_is_sent_to_login(client, school, held):
    for name, url in _pages(school, held).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_notes_are_for_the_students_teachers_and_administrators_only(client, school, held):
    url = reverse("checkins:student", args=[school.student_a.pk])
    for user in (school.teacher_a, school.admin):
        _login(client, user)
        html = client.get(url).content.decode()
        assert NOTE in html, user.role
        assert "Explain each step aloud" in html
        assert "Showed understanding" in html
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="checkins:student"
    ).exists()

    # The student sees the next step as a goal, and the evidence, but never the notes.
    _login(client, school.student_a)
    goals_page = client.get(reverse("goals:home")).content.decode()
    assert "Explain each step aloud" in goals_page
    assert f"Agreed with {school.teacher_a.display_name} in a check-in" in goals_page
    for url in (
        reverse("goals:home"),
        reverse("practice:home"),
        f"/api/students/{school.student_a.pk}/evidence",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "PRIVATE-NOTE" not in response.content.decode(), url

    # Nor do the student's guardian ...
    _login(client, school.guardian_a)
    for url in (
        reverse("family:child", args=[school.student_a.pk]),
        f"/api/students/{school.student_a.pk}/evidence",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "PRIVATE-NOTE" not in response.content.decode(), url

    # ... or a teacher of another class.
    _login(client, school.teacher_b)
    response = client.get(reverse("checkins:student", args=[school.student_a.pk]))
    assert response.status_code == 404
    assert "PRIVATE-NOTE" not in response.content.decode()


def test_who_to_see_page_lists_my_students_with_reasons(client, school, held):
    record_answer(school.student_a, CODE, True)
    _login(client, school.teacher_a)
    html = client.get(reverse("checkins:today")).content.decode()
    assert "Who to see today" in html
    assert school.student_a.display_name in html
    assert school.student_b.display_name not in html
    assert "Last check-in today" in html
    assert reverse("checkins:record", args=[school.student_a.pk]) in html


def _record_data(**extra):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "notes": "Talked about ratios",
        "obs-0-competency": str(Competency.objects.get(human_coding_scheme=CODE).pk),
        "obs-0-understanding": Understanding.NEEDS_HELP.value,
        "step-0-kind": GoalKind.HABIT.value,
        "step-0-text": "Draw a diagram first",
    }
    data.update(extra)
    return data


def test_record_form_moves_mastery_and_sets_goals_once(client, school):
    record_answer(school.student_a, CODE, True)
    before = LearnerState.objects.get(student=school.student_a).p_mastery
    _login(client, school.teacher_a)
    url = reverse("checkins:record", args=[school.student_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="obs-0-competency"' in page.content.decode()
    data = _record_data()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("checkins:student", args=[school.student_a.pk])
    assert client.post(url, data).status_code == 302  # sent twice
    check_in = CheckIn.objects.get()
    assert check_in.status == CheckInStatus.HELD and check_in.notes == "Talked about ratios"
    assert check_in.teacher == school.teacher_a
    assert Statement.objects.filter(source=Source.CHECK_IN).count() == 1
    assert LearnerState.objects.get(student=school.student_a).p_mastery < before
    goal = WeeklyGoal.objects.get(student=school.student_a)
    assert goal.text == "Draw a diagram first" and goal.created_by == school.teacher_a
    html = client.get(response["Location"]).content.decode()
    assert f"Check-in with {school.student_a.display_name} recorded." in html
    assert "Talked about ratios" in html


def test_record_form_errors_keep_what_was_typed(client, school):
    _login(client, school.teacher_a)
    url = reverse("checkins:record", args=[school.student_a.pk])
    response = client.post(url, _record_data(**{"obs-0-understanding": "", "step-0-kind": ""}))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "Say what you observed about this competency." in html
    assert "Choose what kind of goal this next step is." in html
    assert "Talked about ratios" in html and 'value="Draw a diagram first"' in html
    assert not CheckIn.objects.exists()


def test_too_many_next_steps_are_refused_with_the_reason(client, school):
    data = _record_data(
        **{
            "step-1-kind": "habit",
            "step-1-text": "Two",
            "step-2-kind": "habit",
            "step-2-text": "Three",
        }
    )
    for text in ("Mine", "Also mine"):
        WeeklyGoal.objects.create(
            student=school.student_a,
            week=timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()),
            kind=GoalKind.HABIT,
            text=text,
            created_by=school.student_a,
            created_at=timezone.now(),
        )
    _login(client, school.teacher_a)
    response = client.post(reverse("checkins:record", args=[school.student_a.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "already has 2 goals this week" in html
    assert "Talked about ratios" in html
    assert not CheckIn.objects.exists()
    assert not Statement.objects.filter(source=Source.CHECK_IN).exists()


def test_plan_record_and_cancel(client, school):
    _login(client, school.teacher_a)
    student_url = reverse("checkins:student", args=[school.student_a.pk])
    when = timezone.localtime() + dt.timedelta(days=1)
    data = {"idempotency_key": str(uuid.uuid4()), "scheduled_for": when.strftime("%Y-%m-%dT%H:%M")}
    schedule_url = reverse("checkins:schedule", args=[school.student_a.pk])
    assert client.post(schedule_url, data).status_code == 302
    assert client.post(schedule_url, data).status_code == 302  # sent twice
    planned = CheckIn.objects.get()
    assert planned.status == CheckInStatus.SCHEDULED
    assert "Planned" in client.get(reverse("checkins:today")).content.decode()
    html = client.get(student_url).content.decode()
    assert f"?scheduled={planned.pk}" in html

    bad = client.post(schedule_url, {"idempotency_key": str(uuid.uuid4()), "scheduled_for": "soon"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()

    record_url = reverse("checkins:record", args=[school.student_a.pk])
    assert (
        f'value="{planned.pk}"'
        in client.get(record_url, {"scheduled": planned.pk}).content.decode()
    )
    response = client.post(record_url, _record_data(scheduled=str(planned.pk)))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == CheckInStatus.HELD
    assert CheckIn.objects.count() == 1

    other, _ = checkin_schedule(
        teacher=school.teacher_a,
        student=school.student_a,
        scheduled_for=timezone.now() + dt.timedelta(days=2),
        now=timezone.now(),
    )
    assert client.post(reverse("checkins:cancel", args=[other.pk])).status_code == 302
    other.refresh_from_db()
    assert other.status == CheckInStatus.CANCELLED
    # Another teacher cannot cancel or record it.
    _login(client, school.teacher_b)
    assert client.post(reverse("checkins:cancel", args=[planned.pk])).status_code == 404
    assert client.post(schedule_url, data).status_code == 404
    assert client.post(record_url, _record_data()).status_code == 404


def test_admin_shows_check_ins_and_reflections_read_only(client, school, held):
    from tandem.roster.models import User

    superuser = User.objects.create_superuser(
        username="root-checkins", password=PASSWORD, sourced_id="root-checkins"
    )
    _login(client, superuser)
    for url in (
        reverse("admin:checkins_checkin_changelist"),
        reverse("admin:checkins_checkin_change", args=[held.pk]),
        reverse("admin:goals_weeklygoal_changelist"),
        reverse("admin:goals_reflection_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:checkins_checkin_add")).status_code == 403
    assert client.get(reverse("admin:goals_reflection_add")).status_code == 403
