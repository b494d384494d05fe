"""Students and guardians read each learner state as one progress word (with its pattern), the
same word on every page they see; only staff pages show the estimate as a percentage."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_school, master, record_answer

from tandem.competencies.models import Competency
from tandem.mastery.constants import Progress, Status
from tandem.mastery.rules import NEARLY_THERE_AT, progress_of
from tandem.mastery.selectors import mastery_for_student


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("status", "p", "word"),
    [
        (Status.NOT_STARTED, 0.3, Progress.NOT_STARTED),
        (Status.LEARNING, 0.2, Progress.PRACTICING),
        (Status.LEARNING, NEARLY_THERE_AT - 0.01, Progress.PRACTICING),
        (Status.LEARNING, NEARLY_THERE_AT, Progress.NEARLY_THERE),
        (Status.LEARNING, 0.97, Progress.NEARLY_THERE),
        (Status.PROBABLY_MASTERED, 0.95, Progress.PROBABLY_MASTERED),
        (Status.MASTERED, 0.97, Progress.GOT_IT),
        (Status.NEEDS_REVIEW, 0.8, Progress.NEEDS_REVIEW),
    ],
)
def test_the_status_decides_the_word(status, p, word):
    assert progress_of(status=status, p_mastery=p) == word


def test_the_labels_an_eleven_year_old_reads():
    assert [p.label for p in Progress] == [
        "Not started",
        "Practicing",
        "Nearly there",
        "Probably mastered — check again later",
        "Got it",
        "Needs review",
    ]


def test_progress_tag_shows_a_pattern_and_the_word_and_no_number():
    html = Template("{% load tandem_ui %}{% progress view %}").render(Context({"view": None}))
    assert 'data-progress="not_started"' in html
    assert 'class="mastery m-not_started" aria-hidden="true"' in html
    assert "Not started" in html and "%" not in html


def _visible_text(html: str) -> str:
    """The page's words, less the standards' own text (some are about percents or ranges)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # The full standard folded under a short name (its math is markup, so no text match).
    html = re.sub(r'<details class="competency-more">.*?</details>', " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for statement in Competency.objects.values_list("full_statement", flat=True):
        text = text.replace(statement, " ").replace(statement[:100], " ")
    return text


def _progress_claims(html: str) -> list[tuple[str, str, str]]:
    """(code, data-status, data-progress) for each element marked with a competency that shows
    a progress word before the next marked element."""
    claims = []
    for chunk in html.split('data-competency="')[1:]:
        code = chunk[: chunk.index('"')]
        status = re.search(r'data-status="([^"]+)"', chunk)
        word = re.search(r'data-progress="([^"]+)"', chunk)
        if status and word:
            claims.append((code, status.group(1), word.group(1)))
    return claims


@pytest.mark.django_db
def test_student_and_guardian_pages_say_the_word_of_the_learner_state_and_no_percentages():
    school = make_school()
    student = school.student_a
    now = timezone.now()
    master(student, "6.EE.A.1", now=now)  # got it
    master(student, "6.EE.A.2", now=now - dt.timedelta(days=400))  # faded: needs review
    for minute in range(5):  # five right on one day: probably mastered
        record_answer(student, "6.NS.A.1", True, at=now - dt.timedelta(minutes=10 - minute))
    record_answer(student, "6.RP.A.1", False, at=now)  # practicing
    views = mastery_for_student(student_id=student.pk, now=now)
    by_code = {v.competency_id: v for v in views.values()}
    expected = {
        c.code: by_code[c.pk].progress.value for c in Competency.objects.filter(pk__in=by_code)
    }
    assert {"got_it", "needs_review", "probably_mastered", "practicing"} <= set(expected.values())

    student_client, guardian_client = Client(), Client()
    student_client.force_login(student)
    guardian_client.force_login(school.guardian_a)
    pages = [
        (student_client, reverse("practice:home")),
        (student_client, reverse("profiles:mine")),
        (guardian_client, reverse("family:child", args=[student.pk])),
        (guardian_client, reverse("profiles:child", args=[student.pk])),
    ]
    claimed = set()
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        text = _visible_text(html)
        assert not re.search(r"\d\s*%", text), (url, re.search(r".{40}\d\s*%.{20}", text))
        assert not re.search(r"\brange\b", text, re.I), url
        assert "likely mastered" not in html, url
        for code, status, word in _progress_claims(html):
            # A competency with no learner state (ready next) is "not started".
            assert word == expected.get(code, "not_started"), (url, code, status)
            claimed.add(code)
    assert set(expected) <= claimed

    # The plan's steps say the word too (its pace may count steps and days in percent).
    html = student_client.get(reverse("pathways:mine")).content.decode()
    assert "likely mastered" not in html
    assert 'data-progress="practicing"' in html  # 6.RP.A.1, a step in progress

    # Staff still see the estimate as a number.
    teacher = Client()
    teacher.force_login(school.teacher_a)
    html = teacher.get(reverse("teaching:student", args=[student.pk])).content.decode()
    assert re.search(r"\d+%", _visible_text(html))
    html = teacher.get(reverse("pathways:student", args=[student.pk])).content.decode()
    assert re.search(r"\d+% likely mastered", html) and "data-progress" not in html
