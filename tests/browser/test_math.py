"""Math on the page in a real browser: a fraction item at 360 px draws its fractions as MathML
(Chromium's native MathML Core, no script), numerator stacked above denominator, and an answer
with π and a unit is accepted where the item declares them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_accessibility import describe, serious_violations
from tests.browser.test_core_loop import new_page, sign_in

from tandem.core.demo import demo_seed
from tandem.practice.models import Attempt
from tandem.roster.models import User

FRACTIONS = "5.NF.A.1"  # "What is 2/3 − 1/6?"


@pytest.fixture
def small_school(transactional_db: None) -> None:
    demo_seed(students=4, days=2, seed=5)


def test_a_fraction_item_draws_stacked_fractions_at_360px(
    browser: Browser, live_server: LiveServer, small_school: None
) -> None:
    page = new_page(browser, live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/login/", timeout=60_000)  # the live server's first page is slow on a busy box
    sign_in(page, "s001")
    page.goto(f"/learn/practice/?competency={FRACTIONS}")
    stem = page.locator("#item-stem")
    expect(stem).to_be_visible()

    fraction = stem.locator("math mfrac").first
    expect(fraction).to_be_visible()
    box = fraction.bounding_box()
    assert box is not None and box["height"] > 0 and box["width"] > 0
    top = fraction.locator(":scope > *").nth(0).bounding_box()
    bottom = fraction.locator(":scope > *").nth(1).bounding_box()
    assert top is not None and bottom is not None
    assert top["y"] + top["height"] <= bottom["y"] + 1  # numerator above the denominator
    # A screen reader hears it in words; no slash or caret is left in the visible text.
    label = stem.locator("math").first.get_attribute("aria-label")
    assert label is not None and re.fullmatch(
        r"\d+ (and \d+ )?over \d+|\d+ and \d+ over \d+", label
    )
    text = stem.evaluate(
        "el => { const c = el.cloneNode(true); c.querySelectorAll('math').forEach(m => m.remove());"
        " return c.textContent; }"
    )
    assert not re.search(r"\d/\d|\^", text), text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = serious_violations(page)  # axe, with the MathML and its labels on the page
    assert not violations, describe(violations)

    # The worked solution after an answer: fractions there too, and still no overflow.
    page.get_by_label("Your answer").fill("1/2")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#feedback-heading")).to_be_visible()
    show_me_how = page.get_by_role("button", name="Show me how")
    if show_me_how.count():  # a wrong first answer: the solution comes after the second try
        show_me_how.click()
    expect(page.locator(".solution math mfrac").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_an_answer_in_terms_of_pi_with_its_unit_is_accepted(
    browser: Browser, live_server: LiveServer, small_school: None
) -> None:
    student = User.objects.get(username="s001")
    page = new_page(browser, live_server)
    page.goto("/login/", timeout=60_000)
    sign_in(page, "s001")
    for _ in range(12):  # the volumes generator also asks for a height, in cm, without π
        page.goto("/learn/practice/?competency=8.G.C.9")
        expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
        attempt = Attempt.objects.filter(student=student, answered_at__isnull=True).latest(
            "presented_at"
        )
        if attempt.item.answer_unit == "π cm³":
            break
        page.get_by_label("Your answer").fill(attempt.item.answer[0])
        page.get_by_role("button", name="Check my answer").click()
        expect(page.get_by_role("link", name="Next item")).to_be_visible()
    else:
        pytest.fail("no volume in terms of π in 12 items")
    expect(page.locator("#answer-format")).to_contain_text("You can write π")
    expect(page.locator("#answer-format math msup")).to_be_visible()  # cm³
    # A unit the item does not ask for: a message, and nothing recorded.
    page.get_by_label("Your answer").fill(f"{attempt.item.answer[0]} m")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#answer-error")).to_contain_text("asks for cubic centimeters")
    attempt.refresh_from_db()
    assert attempt.answered_at is None
    page.get_by_label("Your answer").fill(f"{attempt.item.answer[0]}pi cm^3")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("heading", name=re.compile("Correct"))).to_be_visible()
