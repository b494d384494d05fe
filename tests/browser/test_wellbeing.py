"""The weekly self-check on a phone: the student follows the home page's prompt, is told what
is missing, answers with taps, and the page fits 360 px with no serious accessibility problem;
the counselor then finds the student raised with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.factories import PASSWORD, make_school, make_user

from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.wellbeing.models import SelfCheck

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""
PHONE = {"width": 360, "height": 740}


def _sign_in(browser: Browser, live_server: LiveServer, user: User, **options: object) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US", **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account__name")).to_have_text(user.display_name)
    return page


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _axe(page: Page) -> None:
    page.evaluate(AXE.read_text())
    assert page.evaluate(RUN_AXE) == [], page.url


@pytest.mark.django_db(transaction=True)
def test_a_student_fills_in_the_self_check_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    school = make_school()
    counselor = make_user(Role.COUNSELOR)
    counselor.orgs.add(school.org)
    student = school.student_a

    page = _sign_in(browser, live_server, student, viewport=PHONE, is_mobile=True, has_touch=True)
    prompt = page.get_by_role("region", name="How was your week?")
    expect(prompt).to_be_visible()
    prompt.get_by_role("link", name="Answer the two questions").click()
    expect(page.get_by_role("heading", level=1, name="How was your week?")).to_be_visible()
    _fits(page)
    _axe(page)

    # Only the note: the form says what is missing and keeps the note.
    note = page.get_by_label("Anything else you want to tell us?")
    note.fill("The bus is noisy.")
    page.get_by_role("button", name="Save my answers").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose how school felt this week.")
    expect(alert).to_contain_text("Choose yes, not sure or no.")
    expect(note).to_have_value("The bus is noisy.")
    _fits(page)

    feelings = page.get_by_role("group", name="How did school feel this week?")
    feelings.get_by_role("radio", name="Really bad").tap()
    expect(feelings.get_by_role("radio", name="Really bad")).to_be_checked()
    page.get_by_role("group", name="Is there someone at school you can ask for help?").get_by_role(
        "radio", name="Not sure"
    ).tap()
    page.get_by_role("button", name="Save my answers").tap()
    expect(page.locator("#messages")).to_contain_text("Your answers are saved for this week.")
    expect(page.get_by_role("heading", level=1, name="My learning")).to_be_visible()
    expect(page.get_by_role("region", name="How was your week?")).to_have_count(0)
    expect(page.get_by_role("link", name="Change my answers")).to_be_visible()
    check = SelfCheck.objects.get(student=student)
    assert (check.feeling, check.has_someone, check.note) == (1, "not_sure", "The bus is noisy.")
    page.context.close()

    # The counselor, on a phone too, finds the student and the reason, and reads the week.
    page = _sign_in(browser, live_server, counselor, viewport=PHONE, is_mobile=True)
    expect(page.get_by_role("heading", level=1, name="Students to see")).to_be_visible()
    expect(page.get_by_text("Said school felt really bad this week")).to_be_visible()
    _fits(page)
    _axe(page)
    page.get_by_role("link", name=student.display_name).click()
    expect(page.get_by_text("The bus is noisy.")).to_be_visible()
    _fits(page)
    _axe(page)
    page.get_by_role("button", name=f"I talked with {student.first_name}").click()
    expect(page.locator("#messages")).to_contain_text("Noted: you talked with")
    page.context.close()
