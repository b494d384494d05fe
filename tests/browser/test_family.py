"""The guardian's pages in a real browser, on a phone (360x740) and a desktop (1280x800): the
child's week fits about one desktop screen, nothing scrolls sideways, the full record opens from
its summary, and axe finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_accessibility import describe, serious_violations
from tests.browser.test_core_loop import demo_school, new_page, sign_in

from tandem.roster.models import User

__all__ = ["demo_school"]

GUARDIAN = "g001"
# "One screen" on a desktop: the page down to the end of its content (the site's footer, the
# same on every page, below it), at 1280 px wide. How much the week holds depends on the day
# the demo is seeded (a Saturday shows the whole week).
ONE_SCREEN_PX = 1200
SIZES = [(360, 740), (1280, 800)]


def _measure(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => ({
            height: document.documentElement.scrollHeight,
            content: document.getElementById("main").getBoundingClientRect().bottom + scrollY,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        })"""
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_guardian_pages_fit_and_pass_axe(
    browser: Browser, live_server: LiveServer, demo_school: None, width: int, height: int
) -> None:
    child = User.objects.filter(guardian_links__guardian__username=GUARDIAN).order_by("pk")[0]
    page = new_page(browser, live_server)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, GUARDIAN)

    page.goto("/family/")
    assert page.locator("h1").inner_text() == "My children"
    assert _measure(page)["overflow"] <= 0
    assert not (violations := serious_violations(page)), describe(violations)

    page.goto(f"/family/child/{child.pk}/")
    measured = _measure(page)
    assert measured["overflow"] <= 0, measured
    if width == 1280:
        assert measured["content"] <= ONE_SCREEN_PX, measured
    for heading in ("How the week went", "Goals this week", "Working on next"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert not (violations := serious_violations(page)), describe(violations)

    record = page.locator("details.family-record")
    assert not record.evaluate("el => el.open")
    record.locator("> summary").click()
    assert page.locator("#working-on-heading").is_visible()
    assert _measure(page)["overflow"] <= 0
    assert not (violations := serious_violations(page)), describe(violations)
    page.context.close()
