"""Feedback that teaches, on a phone (360 × 740): a wrong answer, a second try that is right,
the worked solution; and "Show me how" instead of a second try. axe finds nothing serious."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_accessibility import describe, serious_violations
from tests.browser.test_core_loop import (
    current_attempt,
    demo_school,  # noqa: F401 - the fixture
    fill_answer,
    sign_in,
)

from tandem.evidence.models import Statement
from tandem.practice.models import Attempt
from tandem.roster.models import User

PHONE = {"width": 360, "height": 740}


def phone_page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    context.set_default_timeout(10_000)
    return context.new_page()


def assert_clean_and_fits(page: Page) -> None:
    violations = serious_violations(page)
    assert not violations, describe(violations)
    # The feedback panel fits the phone: nothing in it runs off the side.
    right = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('#attempt-panel, #attempt-panel *')]
                 .map(el => el.getBoundingClientRect().right))"""
    )
    assert right <= PHONE["width"], right


def answer_wrong(page: Page, student: User) -> Attempt:
    page.goto("/learn/practice/")
    expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
    attempt = current_attempt(student)
    fill_answer(page, attempt.item, correctly=False)
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("heading", name=re.compile("Not quite"))).to_be_visible()
    return attempt


def test_wrong_then_right_on_the_second_try_then_the_solution(
    browser: Browser,
    live_server: LiveServer,
    demo_school: None,  # noqa: F811
) -> None:
    student = User.objects.get(username="s001")
    statements = Statement.objects.filter(actor=student).count()
    page = phone_page(browser, live_server)
    sign_in(page, student.username)

    attempt = answer_wrong(page, student)
    # The result is said first: the heading has focus, and the solution waits.
    expect(page.locator("#feedback-heading")).to_be_focused()
    expect(page.get_by_role("heading", name="Have another go")).to_be_visible()
    expect(page.get_by_text("Worked solution")).to_have_count(0)
    assert_clean_and_fits(page)

    fill_answer(page, attempt.item, correctly=True, label="Your second answer")
    page.get_by_role("button", name="Check my second try").click()
    expect(page.get_by_role("heading", name=re.compile("Right on the second try"))).to_be_visible()
    expect(page.get_by_role("heading", name="Worked solution")).to_be_visible()
    expect(page.get_by_role("link", name="Next item")).to_be_focused()
    expect(page.locator("#practice-status")).to_have_text(re.compile("Right on the second try"))
    assert_clean_and_fits(page)

    # One statement, the first (wrong) answer; the second try is kept on the attempt.
    assert Statement.objects.filter(actor=student).count() == statements + 1
    stored = Attempt.objects.select_related("statement").get(pk=attempt.pk)
    assert stored.statement is not None and stored.statement.result_success is False
    assert stored.second_correct is True


def test_show_me_how_instead_of_a_second_try(
    browser: Browser,
    live_server: LiveServer,
    demo_school: None,  # noqa: F811
) -> None:
    student = User.objects.get(username="s002")
    page = phone_page(browser, live_server)
    sign_in(page, student.username)
    attempt = answer_wrong(page, student)
    page.get_by_role("button", name="Show me how").click()
    expect(page.get_by_role("heading", name=re.compile("Here is how to solve it"))).to_be_visible()
    expect(page.get_by_role("heading", name="Worked solution")).to_be_visible()
    expect(page.get_by_role("link", name="Try another like this")).to_be_visible()
    assert_clean_and_fits(page)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.second_at is not None and stored.second_correct is None
