"""Who to see today raises a student whose self-check is worrying, with the reason in words,
for their teacher only; a conversation held since ends it; it costs one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_user

from tandem.checkins.selectors import who_to_see
from tandem.checkins.services import checkin_record
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create

from .conftest import answer

pytestmark = pytest.mark.django_db


def _needs(rows, student):  # type: ignore[no-untyped-def]
    return next(row for row in rows if row.student == student).needs


def test_a_worrying_answer_raises_the_student_with_the_reason(school) -> None:
    now = timezone.now()
    calm = make_user(Role.STUDENT, grade="06")
    enrollment_create(user=calm, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    for student in (school.student_a, calm):
        checkin_record(teacher=school.teacher_a, student=student, now=now - dt.timedelta(days=3))
    answer(calm, 0, 4, now=now)
    answer(school.student_a, 0, 4, "no", now=now)
    rows = who_to_see(teacher=school.teacher_a, now=now)
    (need,) = [n for n in _needs(rows, school.student_a) if n.key == "wellbeing"]
    assert need.detail == "Wellbeing: Said they have no one at school to ask for help"
    assert not [n for n in _needs(rows, calm) if n.key == "wellbeing"]
    # The need weighs like any other: the raised student now ranks above the calm one.
    assert [row.student for row in rows].index(school.student_a) < [
        row.student for row in rows
    ].index(calm)
    # Administrators see who to see, but never the self-checks.
    admin_rows = who_to_see(teacher=school.admin, now=now)
    assert not [n for n in _needs(admin_rows, school.student_a) if n.key == "wellbeing"]
    # A check-in held after the answer counts as following it up.
    checkin_record(teacher=school.teacher_a, student=school.student_a, now=now)
    rows = who_to_see(teacher=school.teacher_a, now=now + dt.timedelta(minutes=1))
    assert not [n for n in _needs(rows, school.student_a) if n.key == "wellbeing"]


def test_the_page_shows_the_reason_and_links_to_the_weeks(client, school) -> None:
    now = timezone.now()
    answer(school.student_a, 0, 1, now=now)
    assert client.login(username=school.teacher_a.username, password=PASSWORD)
    body = client.get(reverse("checkins:today")).content.decode()
    assert "Wellbeing: Said school felt really bad this week" in body
    assert reverse("wellbeing:student", args=[school.student_a.pk]) in body


def test_the_self_checks_cost_one_query_whatever_the_number(school) -> None:
    now = timezone.now()
    with CaptureQueriesContext(connection) as none_yet:
        who_to_see(teacher=school.teacher_a, now=now)
    for n in range(5):
        student = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        for weeks_ago in range(3):
            answer(student, weeks_ago, 1 + (n + weeks_ago) % 5, now=now)
    with CaptureQueriesContext(connection) as many:
        rows = who_to_see(teacher=school.teacher_a, now=now)
    assert len(rows) == 6 and any(n.key == "wellbeing" for row in rows for n in row.needs)
    assert len(many) == len(none_yet)
    with CaptureQueriesContext(connection) as admin:
        who_to_see(teacher=school.admin, now=now)
    assert len(admin) == len(many) - 1  # administrators skip the self-checks
