"""The coherence checker: every page of a student, of their teacher and of their guardian says
the same about each competency, and the checker notices when two do not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import make_school, make_user, master, record_answer

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.core.coherence import (
    LEARNER_STATE,
    PageClaims,
    coherence_check,
    contradictions_between,
    statuses_in_html,
)
from tandem.mastery.constants import Status
from tandem.mastery.selectors import mastery_for_student
from tandem.placement.services import (
    diagnostic_question_answer,
    diagnostic_question_next,
    diagnostic_session_start,
)
from tandem.practice.services import attempt_answer, practice_next
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import User
from tandem.roster.services import enrollment_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The factories set real passwords; hashing them at full strength dominates these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _response(item: Item, right: bool) -> str | list[str]:
    if right:
        return list(item.answer) if item.kind == "multiple_choice" else str(item.answer[0])
    if item.kind in ("single_choice", "multiple_choice"):
        wrong = next(str(i) for i in range(len(item.choices)) if str(i) not in item.answer)
        return [wrong] if item.kind == "multiple_choice" else wrong
    return "987654321" if item.kind == "numeric" else "not the answer"


def _diagnostic(student: User, *, known_up_to_rank: int, now: dt.datetime) -> None:
    session = diagnostic_session_start(student=student, now=now)
    while (question := diagnostic_question_next(session=session, now=now)) is not None:
        known = question.competency.grade_rank <= known_up_to_rank
        diagnostic_question_answer(
            student=student,
            question_id=question.pk,
            response=_response(question.item, known),
            now=now,
        )


def _practice(student: User, *, start: dt.datetime, days: int) -> None:
    """Twelve items a day, right on grade 5 and below and on every third item above it."""
    for day in range(1, days + 1):
        for step in range(12):
            now = start + dt.timedelta(days=day, minutes=step)
            attempt = practice_next(student=student, now=now)
            assert attempt is not None
            right = attempt.competency.grade_rank <= 6 or step % 3 == 0
            attempt_answer(
                student=student,
                attempt_id=attempt.pk,
                response=_response(attempt.item, right),
                now=now + dt.timedelta(seconds=40),
            )


def _classmate_on_the_grid(school, student: User) -> None:
    """A classmate who got wrong everything the student has a state on: any row of the class
    grid read as the student's would disagree."""
    classmate = make_user(Role.STUDENT, grade="06")
    enrollment_create(user=classmate, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    practised = Competency.objects.filter(learner_states__student=student).distinct()
    for competency in practised[:8]:
        for _ in range(3):
            record_answer(classmate, competency.code, False)


def _assert_coherent(student: User, *, diagnostic: bool) -> None:
    report = coherence_check(student=student)

    assert report.failures == []
    viewers = {(page.viewer, page.page.split("/")[1]) for page in report.pages}
    assert viewers >= {
        ("student", "learn"),
        ("teacher", "teach"),
        ("teacher", "api"),
        ("guardian", "family"),
    }
    assert (("student", "diagnostic") in viewers) == diagnostic
    explained = [p for p in report.pages if "/competency/" in p.page]
    state = mastery_for_student(student_id=student.pk, now=timezone.now())
    assert len(explained) == len(state) > 0  # a "why" page for every competency with a state
    assert len({s for p in report.pages for c in p.claims.values() for s in c}) >= 3
    assert report.contradictions == [], "\n".join(map(str, report.contradictions))


def test_every_page_of_a_student_their_teacher_and_guardian_agree():
    """Three days of practice; the student, the teacher (class grid, student page, every
    "why" page, the API) and the guardian see the same status on every competency."""
    school = make_school()
    student = school.student_a
    _practice(student, start=timezone.now() - dt.timedelta(days=4), days=3)
    master(student, "3.OA.C.7")  # a mastered one too: five right answers and a later check
    _classmate_on_the_grid(school, student)
    _assert_coherent(student, diagnostic=False)


def test_after_the_diagnostic_every_page_agrees(monkeypatch):
    """Right after the diagnostic (a fixed session seed; the student knows grade 4 and below)
    the result page must agree with the learner state on every standard."""
    monkeypatch.setattr("tandem.placement.services.secrets.randbelow", lambda _: 20261202)
    school = make_school()
    student = school.student_a
    start = timezone.now() - dt.timedelta(days=4)
    _diagnostic(student, known_up_to_rank=5, now=start)
    _classmate_on_the_grid(school, student)
    _assert_coherent(student, diagnostic=True)


def test_the_checker_finds_pages_that_disagree_with_each_other_and_with_the_state():
    school = make_school()
    student = school.student_a
    record_answer(student, "6.EE.A.2", True)
    state = mastery_for_student(student_id=student.pk, now=timezone.now())
    assert {v.status for v in state.values()} == {Status.LEARNING}
    home = PageClaims("/learn/", "student", {"6.EE.A.2": frozenset({"mastered"})})
    grid = PageClaims("/teach/class/1/", "teacher", {"6.EE.A.2": frozenset({"learning"})})
    unseen = PageClaims("/family/child/1/", "guardian", {"6.RP.A.1": frozenset({"learning"})})

    found = contradictions_between(
        student_id=student.pk, pages=[home, grid, unseen], state=state, session_ended_at=None
    )

    assert {(c.code, c.page_a, c.page_b) for c in found} == {
        ("6.EE.A.2", LEARNER_STATE, "student /learn/"),
        ("6.EE.A.2", "student /learn/", "teacher /teach/class/1/"),
        ("6.RP.A.1", "guardian /family/child/1/", LEARNER_STATE),
    }
    assert (
        contradictions_between(
            student_id=student.pk, pages=[grid], state=state, session_ended_at=None
        )
        == []
    )


def test_the_diagnostic_snapshot_is_compared_only_where_nothing_happened_since():
    school = make_school()
    student = school.student_a
    finished = timezone.now() - dt.timedelta(days=2)
    record_answer(student, "6.EE.A.2", True, at=finished - dt.timedelta(minutes=5))
    record_answer(student, "6.RP.A.1", True, at=finished + dt.timedelta(days=1))
    state = mastery_for_student(student_id=student.pk, now=timezone.now())
    result = PageClaims(
        "/diagnostic/result/",
        "student",
        {
            "6.EE.A.2": frozenset({"mastered"}),  # asked, one right answer: still learning
            "6.RP.A.1": frozenset({"mastered"}),  # practised since: not compared
            "6.NS.A.1": frozenset({"to_learn"}),  # no state: not started, agrees
        },
        snapshot=True,
    )
    found = contradictions_between(
        student_id=student.pk, pages=[result], state=state, session_ended_at=finished
    )
    assert [(c.code, c.status_a, c.status_b) for c in found] == [
        ("6.EE.A.2", "learning", "mastered")
    ]


def test_statuses_are_read_from_data_attributes():
    html = (
        '<table><tr data-competency="6.EE.A.2" data-status="mastered"><td>x</td></tr>'
        '<td data-competency="7.G.A.1" data-status="not_started"></td>'
        '<li data-competency="8.F.A.1">no status</li></table>'
    )
    assert statuses_in_html(html) == [("6.EE.A.2", "mastered"), ("7.G.A.1", "not_started")]


def test_rows_about_other_students_are_left_out():
    html = (
        '<tr data-student="7"><td data-competency="6.EE.A.2" data-status="mastered"></td></tr>'
        '<tr data-student="8"><td data-competency="6.EE.A.2" data-status="learning"></td></tr>'
    )
    assert statuses_in_html(html, student_id=8) == [("6.EE.A.2", "learning")]
    assert statuses_in_html(html, student_id=9) == []
