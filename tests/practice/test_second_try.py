"""Feedback that teaches: a second try after a wrong first answer (the first answer stays the
evidence), "Show me how", a mark on every choice of a multiple-select item, and the tip for a
typical wrong answer."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.competencies.selectors import competency_ids_for_codes
from tandem.content.generators import generate
from tandem.content.services import item_from_spec
from tandem.evidence.models import Statement
from tandem.mastery.models import LearnerState, StateChange
from tandem.practice.models import Attempt
from tandem.practice.services import (
    AnswerFormatError,
    attempt_answer,
    attempt_second_try,
    attempt_show_solution,
    practice_next,
)
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def attempt_of(student, key: str, seed: int = 1, difficulty: int = 1) -> Attempt:
    """An open attempt at the generated item ``key``/``seed``, as practice presents one."""
    spec = generate(key, seed, difficulty)
    item = item_from_spec(spec=spec, competency_ids=competency_ids_for_codes(spec.competency_codes))
    competency = item.competencies.get()
    return Attempt.objects.create(
        student=student,
        item=item,
        competency=competency,
        predicted_success=0.7,
        reason="chosen for the test",
        presented_at=timezone.now(),
    )


def numeric_wrong_first(student) -> Attempt:
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    attempt_answer(student=student, attempt_id=attempt.pk, response="999", now=timezone.now())
    return Attempt.objects.select_related("item", "statement").get(pk=attempt.pk)


def evidence_snapshot(student) -> tuple[int, int, list[float]]:
    return (
        Statement.objects.filter(actor=student).count(),
        StateChange.objects.filter(state__student=student).count(),
        sorted(LearnerState.objects.filter(student=student).values_list("p_mastery", flat=True)),
    )


# ---------- the services ----------


def test_a_second_try_is_recorded_on_the_attempt_and_does_not_move_mastery(student):
    attempt = numeric_wrong_first(student)
    before = evidence_snapshot(student)
    result = attempt_second_try(
        student=student, attempt_id=attempt.pk, response=attempt.item.answer[0], now=timezone.now()
    )
    assert not result.duplicate
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.second_correct is True
    assert stored.second_response == attempt.item.answer[0]
    assert stored.second_at is not None
    # The first answer is the evidence: no statement, no state change, the estimate unmoved.
    assert evidence_snapshot(student) == before
    assert Statement.objects.get(pk=attempt.statement_id).result_success is False


def test_a_second_try_is_taken_once(student):
    attempt = numeric_wrong_first(student)
    now = timezone.now()
    attempt_second_try(student=student, attempt_id=attempt.pk, response="998", now=now)
    again = attempt_second_try(
        student=student, attempt_id=attempt.pk, response=attempt.item.answer[0], now=now
    )
    assert again.duplicate
    assert again.attempt.second_correct is False
    assert again.attempt.second_response == "998"


def test_a_badly_formatted_second_try_records_nothing(student):
    attempt = numeric_wrong_first(student)
    with pytest.raises(AnswerFormatError):
        attempt_second_try(
            student=student, attempt_id=attempt.pk, response="abc", now=timezone.now()
        )
    assert Attempt.objects.get(pk=attempt.pk).second_at is None


def test_show_me_how_ends_the_second_try(student):
    attempt = numeric_wrong_first(student)
    before = evidence_snapshot(student)
    shown = attempt_show_solution(student=student, attempt_id=attempt.pk, now=timezone.now())
    assert not shown.duplicate and shown.attempt.second_correct is None
    # Seen the solution: a second try now is the one already ended, not a new answer.
    late = attempt_second_try(
        student=student, attempt_id=attempt.pk, response=attempt.item.answer[0], now=timezone.now()
    )
    assert late.duplicate and late.attempt.second_correct is None
    assert evidence_snapshot(student) == before


def test_no_second_try_after_a_right_answer_before_an_answer_or_for_others(student, other_student):
    from django.http import Http404

    right = attempt_of(student, "4.NF.B.4.b/fraction-times-whole", seed=2)
    with pytest.raises(Http404):  # not answered yet
        attempt_show_solution(student=student, attempt_id=right.pk, now=timezone.now())
    attempt_answer(
        student=student, attempt_id=right.pk, response=right.item.answer[0], now=timezone.now()
    )
    with pytest.raises(Http404):  # right the first time
        attempt_second_try(student=student, attempt_id=right.pk, response="1", now=timezone.now())
    wrong = numeric_wrong_first(student)
    with pytest.raises(Http404):  # someone else's
        attempt_second_try(
            student=other_student, attempt_id=wrong.pk, response="1", now=timezone.now()
        )
    assert Attempt.objects.get(pk=wrong.pk).second_at is None


def test_the_next_item_is_new_after_a_wrong_answer(student):
    # The second try is offered on the feedback, never by holding practice on the item.
    attempt = numeric_wrong_first(student)
    following = practice_next(student=student, now=timezone.now())
    assert following is not None and following.pk != attempt.pk


# ---------- the pages ----------


def post_answer(client, attempt, response, **extra):
    return client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": response}, **extra
    )


def test_wrong_answer_offers_a_second_try_and_show_me_how_not_the_solution(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    html = post_answer(student_client, attempt, "999").content.decode()
    assert "Not quite" in html
    assert "Have another go" in html
    assert reverse("practice:second_try", args=[attempt.pk]) in html
    assert reverse("practice:show_solution", args=[attempt.pk]) in html
    assert '<label for="answer">Your second answer</label>' in html
    assert "Worked solution" not in html
    assert "Try another like this" not in html
    assert re.search(
        r'<h2 id="feedback-heading" class="feedback-result" tabindex="-1" autofocus>', html
    )


def test_right_on_the_second_try_shows_the_solution(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    post_answer(student_client, attempt, "999")
    statements = Statement.objects.filter(actor=student).count()
    response = student_client.post(
        reverse("practice:second_try", args=[attempt.pk]), {"response": attempt.item.answer[0]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Right on the second try" in html and "✓" in html
    assert "Worked solution" in html
    assert "<dt>Your first answer</dt>\n    <dd>999</dd>" in html
    assert "Your progress counts your first answer" in html
    assert "autofocus>Next item</a>" in html
    assert "Try another like this" in html
    assert Statement.objects.filter(actor=student).count() == statements


def test_wrong_on_the_second_try_says_not_this_time_and_shows_the_solution(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    post_answer(student_client, attempt, "999")
    url = reverse("practice:second_try", args=[attempt.pk])
    html = student_client.post(url, {"response": "998"}, **HX).content.decode()
    assert html.lstrip().startswith('<section id="attempt-panel"')
    assert "Not this time" in html and "Worked solution" in html
    assert 'hx-swap-oob="innerHTML:#practice-status">Not this time.' in html
    # A double submission shows the same result and changes nothing.
    again = student_client.post(url, {"response": attempt.item.answer[0]}).content.decode()
    assert "Not this time" in again and "already recorded" in again
    assert Attempt.objects.get(pk=attempt.pk).second_response == "998"


def test_show_me_how_shows_the_solution(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    post_answer(student_client, attempt, "999")
    html = student_client.post(
        reverse("practice:show_solution", args=[attempt.pk])
    ).content.decode()
    assert "Here is how to solve it" in html and "Worked solution" in html
    assert "Have another go" not in html


def test_a_badly_formatted_second_try_keeps_the_input_and_says_why(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    post_answer(student_client, attempt, "999")
    html = student_client.post(
        reverse("practice:second_try", args=[attempt.pk]), {"response": "abc"}
    ).content.decode()
    assert 'role="alert"' in html and 'value="abc"' in html
    assert "Have another go" in html and "Worked solution" not in html


def test_second_try_pages_are_404_for_other_people(client, student, other_student, make_user):
    attempt = numeric_wrong_first(student)
    for user in (other_student, make_user(Role.TEACHER)):
        client.force_login(user)
        for name in ("practice:second_try", "practice:show_solution"):
            assert (
                client.post(reverse(name, args=[attempt.pk]), {"response": "1"}).status_code == 404
            )
    assert Attempt.objects.get(pk=attempt.pk).second_at is None


def test_a_typical_wrong_answer_gets_its_tip(student_client, student):
    attempt = attempt_of(student, "4.NF.B.4.b/fraction-times-whole")
    item = attempt.item
    wrong = next(w for w, _ in generate(item.generator, item.seed, item.difficulty).misconceptions)
    html = post_answer(student_client, attempt, wrong, **HX).content.decode()
    assert (
        '<p class="misconception" id="feedback-tip"><strong>A tip:</strong> It looks like' in html
    )
    # Screen readers hear the tip with the result.
    assert re.search(r'#practice-status">Not quite\. It looks like', html)


def test_multiple_select_marks_every_choice_in_words_and_symbols(student_client, student):
    attempt = attempt_of(student, "8.F.A.1/identify-functions")
    item = attempt.item
    assert item.kind == "multiple_choice"
    right = set(item.answer)
    wrong = next(str(i) for i in range(len(item.choices)) if str(i) not in right)
    chosen = [*sorted(right)[:1], wrong]
    html = post_answer(student_client, attempt, chosen).content.decode()
    # Before the second try: what was chosen is marked; the missed ones are only counted.
    assert html.count('class="choice-mark ') == len(item.choices)
    assert "You chose this, and it is right." in html
    assert "You chose this, but it is not right." in html
    assert "Missed: this one is right too." not in html
    if len(right) > 1:
        assert "that you did not choose" in html
    html = student_client.post(
        reverse("practice:show_solution", args=[attempt.pk])
    ).content.decode()
    if len(right) > 1:
        assert "Missed: this one is right too." in html
    assert '<span class="mark-symbol" aria-hidden="true">✗</span>' in html


def test_right_first_time_is_as_before_with_marks_for_multiple_select(student_client, student):
    attempt = attempt_of(student, "8.F.A.1/identify-functions")
    html = post_answer(student_client, attempt, list(attempt.item.answer)).content.decode()
    assert "Correct" in html and "Worked solution" in html and "Have another go" not in html
    assert "You chose this, but it is not right." not in html
    assert "Missed" not in html


# ---------- the hot path's queries ----------


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_answer_and_second_try_query_counts(student_client, student):
    """The answer page makes as many queries as before second tries (12, measured on the base
    commit with the same steps: the tip is computed from the generator, the marks from the
    item); a second try and "Show me how" are a read and one conditional update on top of the
    session's and the user's."""
    student_client.get(reverse("practice:practice"))
    key = "4.NF.B.4.b/fraction-times-whole"
    first = attempt_of(student, key)  # the first answer ever also creates the learner state
    post_answer(student_client, first, first.item.answer[0])
    right = attempt_of(student, key, seed=2)
    right_queries = _queries(
        student_client,
        "post",
        reverse("practice:answer", args=[right.pk]),
        {"response": right.item.answer[0]},
    )
    wrong = attempt_of(student, key, seed=3)
    wrong_queries = _queries(
        student_client, "post", reverse("practice:answer", args=[wrong.pk]), {"response": "999"}
    )
    assert right_queries == wrong_queries == ANSWER_QUERIES
    second = _queries(
        student_client,
        "post",
        reverse("practice:second_try", args=[wrong.pk]),
        {"response": wrong.item.answer[0]},
    )
    again = _queries(
        student_client,
        "post",
        reverse("practice:second_try", args=[wrong.pk]),
        {"response": wrong.item.answer[0]},
    )
    shown = attempt_of(student, key, seed=4)
    post_answer(student_client, shown, "999")
    show = _queries(student_client, "post", reverse("practice:show_solution", args=[shown.pk]))
    print(f"queries: answer {right_queries}, second try {second} (again {again}), show {show}")
    assert second == show == SECOND_TRY_QUERIES
    assert again < SECOND_TRY_QUERIES  # a repeat is only read


ANSWER_QUERIES = 12
SECOND_TRY_QUERIES = 4
