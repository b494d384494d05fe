"""The diagnostic's student pages over HTTP: the flow from start to result, answer errors,
double submits, stop and resume, and 404 for everyone but the student."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import record_answer

from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_ids_for_codes, prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.selectors import mastery_for_student
from tandem.mastery.services import active_parameters
from tandem.placement.constants import SessionStatus
from tandem.placement.models import DiagnosticQuestion, DiagnosticSession
from tandem.placement.selectors import placement_graph
from tandem.placement.services import (
    diagnostic_question_answer,
    diagnostic_question_next,
    diagnostic_session_finish,
    diagnostic_session_start,
)

from .conftest import right_answer, wrong_answer

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


class _ResultTables(HTMLParser):
    """The result page's per-domain lists: which group each standard's badge is in, and the
    evidence written beside it."""

    def __init__(self) -> None:
        super().__init__()
        self.placed: dict[str, list[str]] = {}
        self.evidence: dict[str, str] = {}
        self._group: str | None = None
        self._code: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and "data-placed" in attrs:
            self._group = attrs["data-placed"]
        elif tag == "li" and self._group is not None:
            self._text = ""
        elif tag == "span" and attrs.get("class") == "badge" and self._group is not None:
            self._code = ""

    def handle_endtag(self, tag):
        if tag == "ul":
            self._group = None
        elif tag == "span" and self._code is not None:
            self.placed.setdefault(self._code, []).append(self._group)
            self._last, self._code = self._code, None
        elif tag == "li" and self._group is not None:
            self.evidence[self._last] = self._text.strip()

    def handle_data(self, data):
        self._text += data
        if self._code is not None:
            self._code += data.strip()


LABEL_OF_STATUS = {
    Status.MASTERED: "Mastered",
    Status.PROBABLY_MASTERED: "Probably mastered — check again later",
    Status.NEEDS_REVIEW: "Due for review",
    Status.LEARNING: "To learn",
    Status.NOT_STARTED: "Not assessed yet",
}


def test_result_page_agrees_with_the_learner_state(student_client, school):
    """Every standard is filed by the learner state every other page reads, after the
    placement's seeds; the diagnostic's answers show only as the evidence beside it."""
    student, now = school.student_a, timezone.now()
    session = diagnostic_session_start(student=student, now=now)
    first = diagnostic_question_next(session=session, now=now)
    # Practice had already mastered the first standard asked; the diagnostic answer is wrong.
    for i in range(6):
        record_answer(student, first.competency.code, True, at=now - dt.timedelta(hours=6 - i))
    asked, on_first = {}, 0
    for i in range(8):
        question = diagnostic_question_next(session=session, now=now)
        right = i % 2 == 1
        response = right_answer(question) if right else wrong_answer(question)
        diagnostic_question_answer(
            student=student, question_id=question.pk, response=response, now=now
        )
        asked[question.competency.code] = right
        # An item can cover two standards (7.NS.A.1.b and .c share one): evidence on both.
        on_first += question.item.competencies.filter(pk=first.competency.pk).exists()
    diagnostic_session_finish(session=session, now=now)

    page = student_client.get(reverse("placement:result"))
    assert page.status_code == 200
    tables = _ResultTables()
    tables.feed(page.content.decode())
    mastery = mastery_for_student(student_id=student.pk, now=timezone.now())
    codes = Competency.objects.filter(grade_rank__range=(1, 9)).values_list(
        "pk", "human_coding_scheme"
    )
    assert len(codes) == len(tables.placed) == 317
    filed = {"Mastered": 0, "To learn": 0, "Not assessed yet": 0}
    for pk, code in codes:
        view = mastery.get(pk)
        expected = LABEL_OF_STATUS[view.status] if view else "Not assessed yet"
        # Once in the full table of its grade; never in two groups.
        assert set(tables.placed[code]) == {expected}, (code, tables.placed[code], view)
        filed[expected] = filed.get(expected, 0) + 1
    assert all(filed.values()), filed  # seeded, answered and untouched standards all appear
    for code, right in asked.items():
        assert f"(asked: {'right' if right else 'not right'})" in tables.evidence[code]
    # Six practice answers plus every diagnostic answer whose item covers it.
    assert on_first >= 1
    assert mastery[first.competency.pk].n_attempts == 6 + on_first

    content = page.content.decode()
    own = content.index("Your grade: Grade 6")
    assert own < content.index("Earlier grades") < content.index("Kindergarten", own)
    assert own < content.index("Later grades")


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
    for words in ("Mastered", "To learn", "Not assessed yet", "Kindergarten", "Grade 8"):
        assert words in content
    assert "Your grade: Grade 6" in content
    assert "Counting and Cardinality" in content
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
    """The engine state is replayed from the answers, read in one query however many; the
    graph is built once per process and then only checked for changes."""
    student_client.post(reverse("placement:start"))
    placement_graph()
    # The process caches the rest of the framework and the parameter set on first use too.
    active_parameters()
    practisable_competencies()
    prerequisites_map()
    competency_ids_for_codes([])
    counts = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as queries:
            assert student_client.get(reverse("placement:question")).status_code == 200
        counts.append(len(queries))
        question = open_question(school.student_a)
        post_answer(student_client, question, right_answer(question))
    # 18 at the time of writing: session, graph fingerprint (2), replay (1), item, question ...
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


def test_result_page_reads_in_spanish(student_client, school):
    """The result in the student's language, the groups counted in words that agree."""
    school.student_a.language = "es"
    school.student_a.save(update_fields=["language"])
    now = timezone.now()
    session = diagnostic_session_start(student=school.student_a, now=now)
    diagnostic_question_next(session=session, now=now)
    diagnostic_session_finish(session=session, now=now)
    content = student_client.get(reverse("placement:result")).content.decode()
    for words in (
        "Dónde te ubicó el diagnóstico",
        "Tu grado: Grado 6",
        "Grados anteriores",
        "Kínder",
        "sin evaluar todavía",
        "Qué quiere decir cada grupo",
    ):
        assert words in content, words
    for english in ("Where the diagnostic placed you", "Not assessed yet", "Earlier grades"):
        assert english not in content, english
    # "1 dominado", "2 dominados": the count and the word agree.
    assert not re.search(r"\b(?:[02-9]|\d\d+) dominado\b", content)
    content = student_client.get(reverse("placement:home")).content.decode()
    assert "Mira dónde te ubicó" in content


def test_result_counts_and_explains_the_standards_probably_mastered(student_client, school):
    """Asked, answered right and placed at the mastery line: probably mastered. The summary
    counts them, so its numbers add up to every standard, and "What the groups mean" says
    what confirms them."""
    student, now = school.student_a, timezone.now()
    session = diagnostic_session_start(student=student, now=now)
    for _ in range(8):
        question = diagnostic_question_next(session=session, now=now)
        diagnostic_question_answer(
            student=student, question_id=question.pk, response=right_answer(question), now=now
        )
    diagnostic_session_finish(session=session, now=now)
    probable = [
        view
        for view in mastery_for_student(student_id=student.pk, now=now).values()
        if view.status == Status.PROBABLY_MASTERED
    ]
    assert probable
    content = student_client.get(reverse("placement:result")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", content))
    summary = re.search(r"From Kindergarten to grade 8: (.*?) not assessed yet, of (\d+)", text)
    assert summary is not None
    # "N mastered, N probably mastered, [N due for review,] N to learn and N" (not assessed)
    counts = dict(
        (name, int(n))
        for n, name in re.findall(
            r"(\d+) (mastered|probably mastered|due for review|to learn)", summary.group(1)
        )
    )
    assert counts["probably mastered"] == len(probable)
    unseen = int(summary.group(1).rsplit(" ", 1)[1])
    assert sum(counts.values()) + unseen == int(summary.group(2)) == 317
    assert "One more right answer on another day makes each one mastered" in text
