"""The diagnostic's student pages over HTTP: the flow from start to result, answer errors,
double submits, stop and resume, and 404 for everyone but the student."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.placement.constants import SessionStatus
from tandem.placement.models import DiagnosticQuestion, DiagnosticSession
from tandem.placement.services import (
    diagnostic_question_next,
    diagnostic_session_finish,
    diagnostic_session_start,
)

from .conftest import right_answer

pytestmark = pytest.mark.django_db

PAGES = ["placement:home", "placement:question", "placement:result"]
POSTS = ["placement:start", "placement:restart", "placement:stop"]


@pytest.fixture
def student_client(client, school):
    client.force_login(school.student_a)
    return client


def open_question(student) -> DiagnosticQuestion:
    return DiagnosticQuestion.objects.select_related("item").get(
        session__student=student, answered_at__isnull=True
    )


def post_answer(client, question, response):
    data = {"response": response}
    return client.post(reverse("placement:answer", args=[question.pk]), data)


def test_student_flow_start_answer_stop_resume(student_client, school):
    student = school.student_a
    home = student_client.get(reverse("placement:home"))
    assert home.status_code == 200
    assert b"Start the diagnostic" in home.content

    started = student_client.post(reverse("placement:start"))
    assert started.status_code == 302 and started["Location"] == reverse("placement:question")
    page = student_client.get(reverse("placement:question"))
    assert page.status_code == 200
    assert re.search(r"Question 1 — usually about 15–25", page.content.decode())
    assert b"Stop for now" in page.content

    first = open_question(student)
    answered = post_answer(student_client, first, right_answer(first))
    assert answered.status_code == 302 and answered["Location"] == reverse("placement:question")
    assert b"Question 2 " in student_client.get(reverse("placement:question")).content

    stopped = student_client.post(reverse("placement:stop"), follow=True)
    assert b"Stopped for now" in stopped.content
    assert b"Resume the diagnostic" in stopped.content
    assert b"You have answered 1 question" in stopped.content
    second = open_question(student)

    student_client.post(reverse("placement:start"))
    resumed = student_client.get(reverse("placement:question"))
    assert reverse("placement:answer", args=[second.pk]).encode() in resumed.content
    assert open_question(student).pk == second.pk
    assert DiagnosticSession.objects.filter(student=student).count() == 1


def test_a_malformed_answer_is_refused_with_its_message(student_client, school):
    student_client.post(reverse("placement:start"))
    student_client.get(reverse("placement:question"))
    question = open_question(school.student_a)
    response = post_answer(student_client, question, "")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content and 'aria-invalid="true"' in content
    assert not Statement.objects.exists()
    assert open_question(school.student_a).pk == question.pk


def test_a_double_submit_records_once(student_client, school):
    student_client.post(reverse("placement:start"))
    student_client.post(reverse("placement:start"))
    assert DiagnosticSession.objects.filter(status=SessionStatus.IN_PROGRESS).count() == 1
    student_client.get(reverse("placement:question"))
    question = open_question(school.student_a)
    for _ in range(2):
        response = post_answer(student_client, question, right_answer(question))
        assert response.status_code == 302
    assert Statement.objects.filter(source=Source.DIAGNOSTIC).count() == 1


def test_restart_abandons_and_begins_again(student_client, school):
    student_client.post(reverse("placement:start"))
    student_client.get(reverse("placement:question"))
    old = open_question(school.student_a)
    assert student_client.post(reverse("placement:restart")).status_code == 302
    assert DiagnosticSession.objects.get(pk=old.session_id).status == SessionStatus.ABANDONED
    assert post_answer(student_client, old, right_answer(old)).status_code == 404


def test_result_page_places_in_words(student_client, school):
    assert student_client.get(reverse("placement:result"))["Location"] == reverse("placement:home")
    now = timezone.now()
    session = diagnostic_session_start(student=school.student_a, now=now)
    diagnostic_question_next(session=session, now=now)
    diagnostic_session_finish(session=session, now=now)
    # Once finished, the question page leads to the result.
    assert student_client.get(reverse("placement:question"))["Location"] == reverse(
        "placement:result"
    )
    page = student_client.get(reverse("placement:result"))
    assert page.status_code == 200
    content = page.content.decode()
    for words in ("Already mastered", "Probably known", "To learn", "Kindergarten", "Grade 8"):
        assert words in content
    assert "Counting And Cardinality" in content
    assert (
        "see where it placed you"
        in student_client.get(reverse("placement:home")).content.decode().lower()
    )


@pytest.mark.parametrize("role", ["teacher_a", "guardian_a", "admin"])
def test_other_roles_get_404(client, school, role):
    client.force_login(getattr(school, role))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    for name in POSTS:
        assert client.post(reverse(name)).status_code == 404, name
    assert not DiagnosticSession.objects.exists()


def test_another_students_question_is_404_and_anonymous_must_sign_in(client, school):
    now = timezone.now()
    session = diagnostic_session_start(student=school.student_a, now=now)
    question = diagnostic_question_next(session=session, now=now)
    client.force_login(school.student_b)
    assert post_answer(client, question, right_answer(question)).status_code == 404
    missing = reverse("placement:answer", args=["00000000-0000-0000-0000-000000000000"])
    assert client.post(missing, {"response": "1"}).status_code == 404
    assert not Statement.objects.exists()
    client.logout()
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"], name


def test_question_page_queries_do_not_grow_with_the_answers(student_client, school):
    """The engine state is replayed from the answers, read in one query however many."""
    student_client.post(reverse("placement:start"))
    counts = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as queries:
            assert student_client.get(reverse("placement:question")).status_code == 200
        counts.append(len(queries))
        question = open_question(school.student_a)
        post_answer(student_client, question, right_answer(question))
    # 19 at the time of writing: session, graph (3), replay (1), item, question, evidence ...
    assert len(set(counts)) == 1 and counts[0] <= 20, counts


def test_the_teachers_why_page_explains_a_seeded_estimate(client, school):
    now = timezone.now()
    session = diagnostic_session_start(student=school.student_a, now=now)
    diagnostic_question_next(session=session, now=now)
    diagnostic_session_finish(session=session, now=now)
    session.refresh_from_db()
    seeded = session.placement_statement.competencies.order_by("pk").first()
    client.force_login(school.teacher_a)
    page = client.get(reverse("teaching:explain", args=[school.student_a.pk, seeded.pk]))
    assert page.status_code == 200
    assert "Placement from the diagnostic" in page.content.decode()
