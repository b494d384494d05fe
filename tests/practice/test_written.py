"""Written questions: a student writes, a teacher of theirs scores, the learner model moves.

Services and selectors against the database, the pages' HTTP contract (status codes, 404 for
other teachers' students, errors), and that nothing auto-scored ever serves a written item.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import Http404
from django.urls import reverse
from tests.factories import School
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.competencies.models import Competency
from tandem.content.answers import check_answer
from tandem.content.models import Item, ItemKind
from tandem.content.services import written_item_create
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.models import LearnerState
from tandem.placement.services import diagnostic_question_next, diagnostic_session_start
from tandem.practice.constants import WRITTEN_ANSWER_MAX
from tandem.practice.models import WrittenAnswer, WrittenScore
from tandem.practice.selectors import (
    written_answers_for_class,
    written_answers_of_student,
    written_items_for_student,
)
from tandem.practice.services import (
    WrittenAnswerError,
    practice_next,
    written_answer_score,
    written_answer_submit,
)
from tandem.privacy.models import AccessLog

__all__ = ["_fast_passwords", "grade_6_pack", "school"]

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
CODE = "6.RP.A.1"


@pytest.fixture
def question(school: School) -> Item:
    return written_item_create(
        stem="Explain what the ratio 3:2 of cats to dogs tells you.",
        competency_codes=[CODE],
        guidance="Shows understanding: for every 3 cats there are 2 dogs.",
        expected_lines=4,
    )


def _p(student, code: str = CODE) -> float | None:
    state = LearnerState.objects.filter(
        student=student, competency__human_coding_scheme=code
    ).first()
    return state.p_mastery if state else None


# ---------- services and selectors ----------


def test_submit_stores_once_and_refuses_empty_or_long(school: School, question: Item) -> None:
    student = school.student_a
    assert written_items_for_student(student=student) == [question]
    with pytest.raises(WrittenAnswerError, match="Write your answer or add a photo"):
        written_answer_submit(student=student, item_id=question.pk, text="   ", now=NOW)
    with pytest.raises(WrittenAnswerError, match="the limit is 5,000"):
        written_answer_submit(
            student=student, item_id=question.pk, text="x" * (WRITTEN_ANSWER_MAX + 1), now=NOW
        )
    assert not WrittenAnswer.objects.exists()
    answer, created = written_answer_submit(
        student=student, item_id=question.pk, text=" Three cats for two dogs. ", now=NOW
    )
    again, created_again = written_answer_submit(
        student=student, item_id=question.pk, text="something else", now=NOW
    )
    assert (created, created_again, again.pk) == (True, False, answer.pk)
    assert answer.text == "Three cats for two dogs."
    assert answer.school_class == school.class_a
    assert written_items_for_student(student=student) == []
    [view] = written_answers_of_student(student_id=student.pk)
    assert view.waiting and view.answer == answer
    assert [v.answer for v in written_answers_for_class(school_class=school.class_a)] == [answer]
    assert written_answers_for_class(school_class=school.class_b) == []


def test_only_written_items_on_pathway_or_grade_are_offered(school: School) -> None:
    at_grade = written_item_create(stem="Explain a ratio.", competency_codes=[CODE])
    # A grade 6 pack holds nothing above grade 6; a grade 5 student is not offered grade 6 work.
    school.student_b.grade = "05"
    school.student_b.save()
    assert written_items_for_student(student=school.student_a) == [at_grade]
    assert written_items_for_student(student=school.student_b) == []
    with pytest.raises(Http404):
        written_answer_submit(
            student=school.student_a,
            item_id=Item.objects.create(kind="numeric", stem="1+1").pk,
            text="2",
            now=NOW,
        )


def test_scores_become_evidence_and_rescoring_replaces_not_adds(
    school: School, question: Item
) -> None:
    student, teacher = school.student_a, school.teacher_a
    answer, _ = written_answer_submit(student=student, item_id=question.pk, text="3 to 2", now=NOW)
    assert _p(student) is None
    score = written_answer_score(
        teacher=teacher,
        answer=answer,
        level="shows_understanding",
        comment="Nice.",
        now=NOW,
        idempotency_key="k1",
    )
    statement = score.statement
    assert (statement.verb, statement.source) == (Verb.SCORED, Source.WRITTEN)
    assert (statement.result_success, statement.weight, statement.authority) == (True, 2.0, teacher)
    assert statement.item == question
    after_first = _p(student)
    assert after_first is not None and after_first > 0.3
    # The same submission again (a double click) makes no second score.
    repeat = written_answer_score(
        teacher=teacher,
        answer=answer,
        level="shows_understanding",
        comment="Nice.",
        now=NOW,
        idempotency_key="k1",
    )
    assert repeat.pk == score.pk and WrittenScore.objects.count() == 1

    later = NOW + dt.timedelta(minutes=5)
    rescore = written_answer_score(
        teacher=teacher, answer=answer, level="not_yet", comment="Say what 3:2 means.", now=later
    )
    assert rescore.statement.result_success is False
    # The first score's evidence is voided (appended, not edited) and no longer counts.
    assert Statement.objects.filter(voids=statement, verb=Verb.VOIDED).count() == 1
    assert Statement.objects.get(pk=statement.pk).result_success is True
    assert _p(student) < after_first
    [view] = written_answers_of_student(student_id=student.pk)
    assert view.score == rescore and answer.scores.count() == 2


def test_score_refuses_bad_level_long_comment_and_others_teachers(
    school: School, question: Item
) -> None:
    answer, _ = written_answer_submit(
        student=school.student_a, item_id=question.pk, text="3 to 2", now=NOW
    )
    with pytest.raises(WrittenAnswerError, match="Shows understanding"):
        written_answer_score(
            teacher=school.teacher_a, answer=answer, level="great", comment="", now=NOW
        )
    with pytest.raises(WrittenAnswerError, match="comment"):
        written_answer_score(
            teacher=school.teacher_a, answer=answer, level="partly", comment="x" * 2001, now=NOW
        )
    for outsider in (school.teacher_b, school.student_a, school.guardian_a):
        with pytest.raises(Http404):
            written_answer_score(
                teacher=outsider, answer=answer, level="partly", comment="", now=NOW
            )
    assert not WrittenScore.objects.exists() and not Statement.objects.exists()


def test_nothing_auto_scored_serves_or_checks_written_items(school: School) -> None:
    # Written questions on every competency there is: practice and the diagnostic still
    # present only generated, key-scored items.
    for competency in Competency.objects.all():
        written_item_create(stem=f"Explain {competency.code}.", competency_codes=[competency.code])
    student = school.student_a
    for minute in range(6):
        attempt = practice_next(student=student, now=NOW + dt.timedelta(minutes=minute))
        assert attempt is not None and attempt.item.kind != ItemKind.EXTENDED_TEXT
        attempt.delete()
    session = diagnostic_session_start(student=student, now=NOW)
    question = diagnostic_question_next(session=session, now=NOW)
    assert question is not None and question.item.kind != ItemKind.EXTENDED_TEXT
    with pytest.raises(ValueError, match="teacher"):
        check_answer(kind=ItemKind.EXTENDED_TEXT, answer=[], tolerance="", response="because")


# ---------- pages ----------


def test_student_pages_answer_wait_and_see_the_score(client, school: School, question) -> None:
    student = school.student_a
    client.force_login(student)
    listing = client.get(reverse("practice:written"))
    assert listing.status_code == 200 and question.stem in listing.content.decode()
    url = reverse("practice:written_question", args=[question.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert (
        'for="id_text"' in page.content.decode() and question.guidance not in page.content.decode()
    )

    empty = client.post(url, {"text": "  ", "idempotency_key": "x"})
    assert empty.status_code == 400
    assert "Write your answer or add a photo of your work first." in empty.content.decode()
    long = client.post(url, {"text": "y" * 5001})
    assert long.status_code == 400 and "keep it to 5,000 characters" in long.content.decode()
    assert not WrittenAnswer.objects.exists()

    sent = client.post(url, {"text": "Three cats for every two dogs."})
    answer = WrittenAnswer.objects.get()
    assert sent.status_code == 302 and sent.url == reverse(
        "practice:written_answer", args=[answer.pk]
    )
    twice = client.post(url, {"text": "Three cats for every two dogs."})
    assert twice.status_code == 302 and WrittenAnswer.objects.count() == 1
    waiting = client.get(sent.url)
    assert "Waiting for your teacher" in waiting.content.decode()
    assert re.search(r"Sent <time [^>]+>[^<]+</time>\.", waiting.content.decode())  # no " ."

    written_answer_score(
        teacher=school.teacher_a, answer=answer, level="partly", comment="Name the ratio.", now=NOW
    )
    scored = client.get(sent.url).content.decode()
    assert "Your teacher’s score: Partly" in scored and "Name the ratio." in scored

    client.force_login(school.student_b)
    assert client.get(sent.url).status_code == 404


def test_teacher_pages_list_score_and_audit(client, school: School, question) -> None:
    answer, _ = written_answer_submit(
        student=school.student_a, item_id=question.pk, text="3 cats, 2 dogs", now=NOW
    )
    class_a = school.class_a
    list_url = reverse("teaching:written", args=[class_a.pk])
    score_url = reverse("teaching:written_score", args=[class_a.pk, answer.pk])
    client.force_login(school.teacher_a)
    assert (
        reverse("teaching:written", args=[class_a.pk])
        in client.get(reverse("teaching:class", args=[class_a.pk])).content.decode()
    )
    listing = client.get(list_url)
    assert listing.status_code == 200 and score_url in listing.content.decode()
    page = client.get(score_url)
    body = page.content.decode()
    assert page.status_code == 200 and question.guidance in body and "3 cats, 2 dogs" in body
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="teaching:written"
    ).exists()

    missing = client.post(score_url, {"comment": "hm"})
    assert missing.status_code == 400 and "Choose “Shows understanding”" in missing.content.decode()
    done = client.post(
        score_url,
        {"level": "shows_understanding", "comment": "Clear.", "idempotency_key": "a" * 32},
    )
    assert done.status_code == 302 and done.url == list_url
    again = client.post(
        score_url,
        {"level": "shows_understanding", "comment": "Clear.", "idempotency_key": "a" * 32},
    )
    assert again.status_code == 302 and WrittenScore.objects.count() == 1
    assert "No written answers are waiting" in client.get(list_url).content.decode()

    # Another class's teacher: the class, the answer and a score are all 404.
    client.force_login(school.teacher_b)
    assert client.get(list_url).status_code == 404
    assert client.get(score_url).status_code == 404
    other_class_url = reverse("teaching:written_score", args=[school.class_b.pk, answer.pk])
    assert client.get(other_class_url).status_code == 404
    assert client.post(other_class_url, {"level": "not_yet"}).status_code == 404
    assert WrittenScore.objects.count() == 1


def test_demo_school_has_written_questions_answered_and_scored(db, client) -> None:
    from tandem.core.demo import WRITTEN_QUESTIONS, demo_seed

    demo_seed(students=12, days=7, seed=3)
    assert Item.objects.filter(kind=ItemKind.EXTENDED_TEXT).count() == len(WRITTEN_QUESTIONS)
    assert all(i.guidance for i in Item.objects.filter(kind=ItemKind.EXTENDED_TEXT))
    scored = WrittenAnswer.objects.filter(scores__isnull=False).distinct()
    pending = WrittenAnswer.objects.filter(scores__isnull=True)
    assert scored.exists() and pending.exists()
    assert Statement.objects.filter(source=Source.WRITTEN).count() == WrittenScore.objects.count()
    answer = pending.select_related("school_class").first()
    assert answer is not None and answer.school_class is not None
    teacher = answer.school_class.enrollments.get(role="teacher").user
    client.force_login(teacher)
    page = client.get(reverse("teaching:written", args=[answer.school_class.pk]))
    assert page.status_code == 200 and answer.student.display_name in page.content.decode()
