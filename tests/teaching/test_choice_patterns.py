"""The class page's "How students choose their work": planted behaviour is found and put in
plain words for the student's own teacher, never as a score; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import EvidenceDraft, evidence_record_many
from tandem.practice.models import Attempt, WrittenAnswer
from tandem.practice.policy import CHOSEN_REASON_PREFIX

pytestmark = pytest.mark.django_db

CODE = "6.EE.A.2"


def _practice(student, *, n: int, predicted: float, chosen: bool = False, hints: int = 0):
    """``n`` answered items as practice records them (evidence and attempts)."""
    competency = Competency.objects.get(human_coding_scheme=CODE)
    item = written_item_create(stem="Practice", competency_codes=[CODE])
    now = timezone.now()
    moments = [now - dt.timedelta(days=1, minutes=k) for k in range(n)]
    drafts = [
        EvidenceDraft(
            actor=student,
            verb=Verb.ANSWERED,
            object_id=f"urn:test:{CODE}",
            competencies=[competency],
            source=Source.PRACTICE,
            authority=student,
            timestamp=at,
            item=item,
            success=True,
            duration_ms=60_000,
        )
        for at in moments
    ]
    statements = [s for s, _ in evidence_record_many(drafts=drafts)]
    Attempt.objects.bulk_create(
        Attempt(
            student=student,
            item=item,
            competency=competency,
            predicted_success=predicted,
            reason=f"{CHOSEN_REASON_PREFIX} this competency" if chosen else "Next in your plan",
            presented_at=at - dt.timedelta(seconds=60),
            hints_shown=hints,
            answered_at=at,
            statement=statement,
        )
        for at, statement in zip(moments, statements, strict=True)
    )


def _wrote(student):
    item = written_item_create(stem="Explain your thinking", competency_codes=[CODE])
    WrittenAnswer.objects.create(
        student=student, item=item, text="Because ...", submitted_at=timezone.now()
    )


def test_planted_avoidance_is_shown_to_the_teacher_in_words(teacher_client, school, new_student):
    easy_chooser, hint_asker, quiet, steady = (new_student(school.class_a) for _ in range(4))
    _practice(easy_chooser, n=10, predicted=0.95, chosen=True)
    _practice(hint_asker, n=30, predicted=0.8, hints=1)
    for student in (easy_chooser, steady):
        _practice(student, n=30, predicted=0.78)
    for student in (easy_chooser, hint_asker, steady):
        _wrote(student)
    _practice(quiet, n=40, predicted=0.78)
    _practice(steady, n=10, predicted=0.75, chosen=True)  # chooses work in the stretch band

    url = reverse("teaching:class_choices", args=[school.class_a.pk])
    body = teacher_client.get(url).content.decode()
    section = body.split("<h1>")[1]
    assert f"{easy_chooser.first_name} chose what to practice, 10 of 10 choices" in section
    assert f"{hint_asker.first_name} asked for a hint before answering on 30 of 30" in section
    assert f"{quiet.first_name} answered 40 practice items but wrote no answer" in section
    assert steady.get_full_name() not in section
    assert "not a score or a ranking" in section
    assert "%" not in section  # counts in words, never a score or a rate

    # The class page loads the section (htmx) and links to it without JavaScript.
    page = teacher_client.get(reverse("teaching:class", args=[school.class_a.pk]))
    assert url in page.content.decode()
    partial = teacher_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and easy_chooser.first_name in partial


def test_only_the_students_teachers_see_it(client, school):
    client.force_login(school.teacher_b)
    url = reverse("teaching:class_choices", args=[school.class_a.pk])
    assert client.get(url).status_code == 404
    client.force_login(school.student_a)
    assert client.get(url).status_code in (302, 403, 404)


def test_a_fixed_number_of_queries(teacher_client, school, new_student, django_assert_num_queries):
    url = reverse("teaching:class_choices", args=[school.class_a.pk])
    for _ in range(3):
        _practice(new_student(school.class_a), n=12, predicted=0.95, chosen=True)
    teacher_client.get(url)
    # Session and user, the class, its students, the attempts' and the written answers' counts,
    # and the nav's count of work waiting.
    with django_assert_num_queries(7):
        teacher_client.get(url)
    for _ in range(10):
        _practice(new_student(school.class_a), n=12, predicted=0.95, chosen=True)
    with django_assert_num_queries(7):
        teacher_client.get(url)
