"""The student pages over HTTP: who may see them, the practice loop, feedback and hints."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.evidence.models import Statement
from tandem.practice.models import Attempt
from tandem.practice.services import attempt_answer, practice_next
from tandem.practice.views import progress_chart
from tandem.roster.constants import Role
from tandem.roster.models import User

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def right_answer(attempt: Attempt) -> str | list[str]:
    item = attempt.item
    if item.kind == "multiple_choice":
        return list(item.answer)
    return item.answer[0]


def open_attempt(student) -> Attempt:
    attempt = Attempt.objects.filter(student=student, statement__isnull=True).get()
    return Attempt.objects.select_related("item", "competency").get(pk=attempt.pk)


def numeric_attempt(student) -> Attempt:
    """Answer items through the service until a numeric one is open."""
    now = timezone.now()
    for _ in range(40):
        attempt = practice_next(student=student, now=now)
        if attempt.item.kind == "numeric":
            return attempt
        attempt_answer(
            student=student, attempt_id=attempt.pk, response=right_answer(attempt), now=now
        )
    pytest.fail("no numeric item in 40 tries")


# ---------- who may see the pages ----------

STUDENT_PAGES = ["practice:home", "practice:practice"]


@pytest.mark.parametrize("name", STUDENT_PAGES)
def test_student_pages_render_for_students(student_client, name):
    response = student_client.get(reverse(name))
    assert response.status_code == 200
    assert b"<h1>" in response.content


@pytest.mark.parametrize("name", STUDENT_PAGES)
@pytest.mark.parametrize("role", [Role.TEACHER, Role.GUARDIAN, Role.ADMINISTRATOR])
def test_student_pages_are_404_for_other_roles(client, framework, make_user, name, role):
    client.force_login(make_user(role))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", STUDENT_PAGES)
def test_student_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_answer_and_hint_are_404_for_other_roles(client, student, make_user):
    attempt = practice_next(student=student, now=timezone.now())
    client.force_login(make_user(Role.TEACHER))
    for name in ("practice:answer", "practice:hint"):
        url = reverse(name, args=[attempt.pk])
        assert client.post(url, {"response": "1"}).status_code == 404


# ---------- home ----------


def test_home_shows_sections_grade_and_chart(student_client, student):
    now = timezone.now()
    attempt = practice_next(student=student, now=now)
    attempt_answer(student=student, attempt_id=attempt.pk, response=right_answer(attempt), now=now)
    response = student_client.get(reverse("practice:home"))
    html = response.content.decode()
    for heading in (
        "What I’m working on",
        "Ready to learn next",
        "Mastered",
        "Needs review",
        "My recent progress",
    ):
        assert heading in html
    assert "Grade 7" in html
    assert reverse("practice:practice") in html
    assert attempt.competency.code in html
    assert re.search(r'data-progress="(practicing|nearly_there)"', html)
    # The chart is an SVG with a title, and its text alternative is a table of all 14 days.
    assert '<svg class="chart progress-chart"' in html
    assert '<title id="progress-chart-title">' in html
    assert "1 answer on 1 of 14 days" in html
    assert html.count('<th scope="row">', html.index("<caption>Answers per day")) == 14


def test_home_query_count_does_not_grow_with_history(
    student_client, student, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(12):
        attempt = practice_next(student=student, now=now)
        attempt_answer(
            student=student, attempt_id=attempt.pk, response=right_answer(attempt), now=now
        )
    # Eleven for the overview (one the diagnostic's placement of prerequisites without items),
    # six for what is new (the last visit, four news reads, the upsert of this visit; see
    # tests/family/test_week.py).
    with django_assert_max_num_queries(17):
        assert student_client.get(reverse("practice:home")).status_code == 200


def test_progress_chart_stacks_correct_below_not_correct():
    today = dt.date(2025, 3, 14)
    daily = [(today - dt.timedelta(days=13 - i), 0, 0) for i in range(14)]
    daily[-1] = (today, 4, 3)
    chart = progress_chart(daily)
    bar = chart.bars[-1]
    assert (bar.answers, bar.correct, bar.not_correct) == (4, 3, 1)
    assert bar.correct_y + bar.correct_height == pytest.approx(chart.plot_bottom)
    assert bar.wrong_y + bar.wrong_height == pytest.approx(bar.correct_y)
    assert bar.wrong_y == pytest.approx(chart.plot_top)  # 4 is the axis maximum
    assert [t.value for t in chart.ticks] == [0, 2, 4]
    assert chart.summary == "4 answers on 1 of 14 days from March 1 to March 14; 3 correct."


# ---------- the practice loop ----------


def test_practice_page_shows_item_with_a_labelled_form(student_client, student):
    html = student_client.get(reverse("practice:practice")).content.decode()
    attempt = open_attempt(student)
    assert attempt.competency.code in html
    assert attempt.reason in html
    assert re.search(r"you get about \d out of 10 questions like it right", html)
    assert reverse("practice:answer", args=[attempt.pk]) in html
    assert f'hx-post="{reverse("practice:answer", args=[attempt.pk])}"' in html
    if attempt.item.kind in ("single_choice", "multiple_choice"):
        assert "<legend>" in html
        kind = "radio" if attempt.item.kind == "single_choice" else "checkbox"
        assert html.count(f'type="{kind}"') == len(attempt.item.choices)
    else:
        assert '<label for="answer">Your answer</label>' in html


def test_numeric_item_keeps_a_full_keyboard_and_shows_the_format_hint(student_client, student):
    # A decimal keypad has no "/" or space, so fractions and mixed numbers could not be typed.
    numeric_attempt(student)
    html = student_client.get(reverse("practice:practice")).content.decode()
    assert 'inputmode="decimal"' not in html
    assert "e.g. 3/4, 0.75 or 1 1/2" in html


def test_right_answer_shows_correct_and_mastery_moved(student_client, student):
    student_client.get(reverse("practice:practice"))
    attempt = open_attempt(student)
    response = student_client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": right_answer(attempt)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "✓" in html and "Correct" in html
    assert re.search(
        rf"Your progress on {re.escape(attempt.competency.code)} went up: "
        "(Practicing|Nearly there)\\.",
        html,
    )
    assert "Worked solution" in html or not attempt.item.solution
    assert 'href="/learn/practice/" autofocus>Next item</a>' in html
    assert "<h1>" in html  # a full page without htmx
    assert Statement.objects.filter(actor=student).count() == 1


def test_wrong_answer_is_said_in_words(student_client, student):
    attempt = numeric_attempt(student)
    wrong = "123456789"
    response = student_client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": wrong}
    )
    html = response.content.decode()
    assert "✗" in html and "Not quite" in html
    assert f"<dd>{wrong}</dd>" in html


def test_malformed_numeric_answer_shows_error_keeps_input_records_nothing(student_client, student):
    attempt = numeric_attempt(student)
    before = Statement.objects.count()
    response = student_client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": "abc"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="[^"]*answer-error"', html)
    assert 'value="abc"' in html
    assert Statement.objects.count() == before
    assert Attempt.objects.get(pk=attempt.pk).statement_id is None


def test_double_submit_records_once_and_shows_same_result(student_client, student):
    student_client.get(reverse("practice:practice"))
    attempt = open_attempt(student)
    url = reverse("practice:answer", args=[attempt.pk])
    first = student_client.post(url, {"response": right_answer(attempt)})
    second = student_client.post(url, {"response": right_answer(attempt)})
    assert first.status_code == second.status_code == 200
    assert "Correct" in first.content.decode() and "Correct" in second.content.decode()
    assert "already recorded" in second.content.decode()
    assert Statement.objects.filter(actor=student).count() == 1


def test_another_students_attempt_is_404(client, student, other_student):
    attempt = practice_next(student=student, now=timezone.now())
    client.force_login(other_student)
    assert (
        client.post(reverse("practice:answer", args=[attempt.pk]), {"response": "1"}).status_code
        == 404
    )
    assert client.post(reverse("practice:hint", args=[attempt.pk])).status_code == 404
    assert Statement.objects.count() == 0


def test_hints_are_revealed_in_order(student_client, student):
    student_client.get(reverse("practice:practice"))
    attempt = open_attempt(student)
    hints = list(attempt.item.hints)
    assert hints, "generated items carry at least one hint"
    url = reverse("practice:hint", args=[attempt.pk])
    response = student_client.post(url)
    assert response.status_code == 302 and response.url == reverse("practice:practice")
    html = student_client.get(reverse("practice:practice")).content.decode()
    assert "Hint 1:" in html and "Hint 2:" not in html
    for _ in hints:
        student_client.post(url)
    html = student_client.get(reverse("practice:practice")).content.decode()
    positions = [html.index(f"Hint {i}:") for i in range(1, len(hints) + 1)]
    assert positions == sorted(positions)
    assert "No more hints" in html


def test_practice_page_when_nothing_to_practise(client, db, make_user):
    client.force_login(make_user(Role.STUDENT, grade="07"))  # no framework loaded
    response = client.get(reverse("practice:practice"))
    assert response.status_code == 200
    assert "Nothing to practice right now" in response.content.decode()


# ---------- htmx ----------


def test_htmx_answer_returns_the_feedback_partial(student_client, student):
    student_client.get(reverse("practice:practice"))
    attempt = open_attempt(student)
    response = student_client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": right_answer(attempt)}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="attempt-panel"')
    assert "<h1>" not in html and "<html" not in html
    assert "Correct" in html
    assert 'hx-swap-oob="innerHTML:#practice-status"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_malformed_answer_returns_the_item_partial_with_error(student_client, student):
    attempt = numeric_attempt(student)
    response = student_client.post(
        reverse("practice:answer", args=[attempt.pk]), {"response": "abc"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="attempt-panel"')
    assert "<h1>" not in html
    assert 'role="alert"' in html and 'value="abc"' in html


def test_htmx_hint_returns_the_hints_partial(student_client, student):
    student_client.get(reverse("practice:practice"))
    attempt = open_attempt(student)
    response = student_client.post(reverse("practice:hint", args=[attempt.pk]), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    # The hint as the page writes it: math notation (23/25) is MathML there.
    from tandem.content.templatetags.math_notation import math_filter

    assert "Hint 1:" in html and str(math_filter(attempt.item.hints[0])) in html
    assert "<h1>" not in html and "attempt-panel" not in html


def test_words_for_a_moved_estimate_match_the_numbers_and_status():
    from tandem.mastery.constants import Status
    from tandem.practice.services import AnswerOutcome
    from tandem.practice.views import mastery_move_words

    def words(before, after, status_before, status_after):
        outcome = AnswerOutcome(
            attempt=None,  # type: ignore[arg-type]
            correct=after > before,
            response="",
            p_before=before,
            p_after=after,
            duplicate=False,
            status_before=status_before,
            status_after=status_after,
        )
        return mastery_move_words(outcome, "6.EE.A.2")

    assert words(0.97, 0.91, Status.MASTERED, Status.NEEDS_REVIEW) == (
        "Not mastered any more for now: 6.EE.A.2 (Needs review). A little more practice will help."
    )
    assert words(0.97, 0.96, Status.MASTERED, Status.MASTERED) == (
        "Still mastered, but a little less sure: 6.EE.A.2."
    )
    assert words(0.9, 0.95, Status.LEARNING, Status.PROBABLY_MASTERED).startswith(
        "Probably mastered 6.EE.A.2. It will come back on another day"
    )
    assert words(0.95, 0.96, Status.PROBABLY_MASTERED, Status.MASTERED) == (
        "Confirmed on a second day: you have mastered 6.EE.A.2. Got it!"
    )
    assert words(0.4, 0.3, Status.LEARNING, Status.LEARNING) == (
        "Your progress on 6.EE.A.2 went down a little: Practicing."
    )
    assert words(0.6, 0.75, Status.LEARNING, Status.LEARNING) == (
        "Your progress on 6.EE.A.2 went up: Nearly there."
    )
    # Students read words, never the estimate as a number.
    for case in [
        (0.97, 0.91, Status.MASTERED, Status.NEEDS_REVIEW),
        (0.4, 0.5, "learning", "learning"),
    ]:
        assert "%" not in words(*case)


def wrong_answer(attempt: Attempt) -> str | list[str]:
    item = attempt.item
    if item.kind == "multiple_choice":
        return [str(i) for i in range(len(item.choices)) if str(i) not in item.answer][:1]
    if item.kind == "single_choice":
        return next(str(i) for i in range(len(item.choices)) if str(i) not in item.answer)
    return "123456789"


def test_a_missed_item_offers_another_like_it(student_client, student):
    student_client.get(reverse("practice:practice"))
    missed = open_attempt(student)
    student_client.post(
        reverse("practice:answer", args=[missed.pk]), {"response": wrong_answer(missed)}
    )
    # Offered with the worked solution, after the second try (here: "Show me how").
    response = student_client.post(reverse("practice:show_solution", args=[missed.pk]))
    html = response.content.decode()
    assert "Try another like this" in html
    page = student_client.get(reverse("practice:practice"), {"retry": str(missed.pk)})
    assert page.status_code == 200
    retry = open_attempt(student)
    assert retry.pk != missed.pk
    assert retry.item.generator == missed.item.generator
    assert retry.item.difficulty == missed.item.difficulty
    assert retry.competency_id == missed.competency_id
    assert retry.reason.startswith("You chose")
    # A double click makes one item; someone else's attempt is not found.
    student_client.get(reverse("practice:practice"), {"retry": str(missed.pk)})
    assert Attempt.objects.filter(student=student, statement__isnull=True).count() == 1
    other = User.objects.create_user(username="other-s", role=Role.STUDENT, grade="06")
    student_client.force_login(other)
    assert (
        student_client.get(reverse("practice:practice"), {"retry": str(missed.pk)}).status_code
        == 404
    )


def test_a_student_chooses_a_competency_from_home(student_client, student):
    home = student_client.get(reverse("practice:home")).content.decode()
    codes = re.findall(r'href="/learn/practice/\?competency=([^"]+)"', home)
    assert codes, "the home page offers competencies to choose"
    code = codes[0].replace("%2E", ".")
    student_client.get(reverse("practice:practice"), {"competency": code})
    chosen = open_attempt(student)
    assert chosen.competency.code == code
    assert chosen.reason.startswith("You chose")


def test_a_unit_or_pi_the_item_does_not_take_is_a_message_never_a_wrong_answer(
    student_client, student
):
    attempt = numeric_attempt(student)
    item = attempt.item
    before = Statement.objects.count()
    number = item.answer[0]
    said = "asks for" if item.answer_unit.replace("π", "").strip() else "Leave off the units"
    tries = [(f"{number} furlongs", said), ("3,,5", "“,,” cannot be in a number")]
    if "π" not in item.answer_unit:
        tries.append((f"{number}π", "without π"))
    for typed, message in tries:
        response = student_client.post(
            reverse("practice:answer", args=[attempt.pk]), {"response": typed}, **HX
        )
        assert response.status_code == 200
        assert message in response.content.decode(), typed
    assert Statement.objects.count() == before
    attempt.refresh_from_db()
    assert attempt.answered_at is None
