"""The coherence checker: every page of a student, of their teacher and of their guardian says
the same about each competency, and the checker notices when two do not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import make_school, record_answer

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


def _school_with_history():
    """A grade-6 student who took the diagnostic (knowing grade 4 and below) and then
    practised over three days, right on grade 5 and below; a teacher and a guardian."""
    school = make_school()
    student = school.student_a
    start = timezone.now() - dt.timedelta(days=4)
    session = diagnostic_session_start(student=student, now=start)
    while (question := diagnostic_question_next(session=session, now=start)) is not None:
        known = question.competency.grade_rank <= 5
        diagnostic_question_answer(
            student=student,
            question_id=question.pk,
            response=_response(question.item, known),
            now=start,
        )
    for day in range(1, 4):
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
    return school


def test_every_page_of_a_student_their_teacher_and_guardian_agree():
    school = _school_with_history()
    report = coherence_check(student=school.student_a)

    assert report.failures == []
    viewers = {(page.viewer, page.page.split("/")[1]) for page in report.pages}
    assert viewers >= {
        ("student", "learn"),
        ("student", "diagnostic"),
        ("teacher", "teach"),
        ("teacher", "api"),
        ("guardian", "family"),
    }
    explained = [p for p in report.pages if "/competency/" in p.page]
    state = mastery_for_student(student_id=school.student_a.pk, now=timezone.now())
    assert len(explained) == len(state) > 0  # a "why" page for every competency with a state
    assert report.n_claims > 2 * len(state)
    assert report.contradictions == [], "\n".join(map(str, report.contradictions))


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
