"""A principal in a real browser: opens the equity page, sees the planted inequity flagged with
its size and interval, finds the same in the table, and the page passes axe at phone width."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import new_page
from tests.factories import PASSWORD
from tests.leaders.conftest import build_lead_school

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_principal_sees_the_planted_inequity(browser: Browser, live_server: LiveServer) -> None:
    school = build_lead_school()
    page = new_page(browser, live_server)
    page.set_default_timeout(30_000)  # the first page builds the school's figures
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/login/")
    page.get_by_label("Username").fill(school.school.admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/lead/")
    # On a phone the header's links other than the key ones are behind its Menu button.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Equity").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Equity of rigor and pace")
    flagged = page.locator("ul.flag-list li").filter(has_text="Hispanic or Latino")
    expect(flagged.first).to_contain_text("share of practice below grade level")
    expect(flagged.first).to_contain_text("95% interval")
    # The same finding in the table beside the chart, in words (not colour alone).
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name="Share of practice below grade level")
    )
    row = section.get_by_role("row").filter(has_text="Hispanic or Latino")
    expect(row).to_contain_text("Beyond chance")
    # The three Asian students are too few to show anywhere.
    expect(page.get_by_text("Too few students to show: Asian")).to_be_visible()
    # Nothing spills sideways at phone width, and axe finds no serious problem.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    page.evaluate(AXE.read_text())
    assert page.evaluate(RUN_AXE) == []
