"""On a phone, the result of an answer is on screen when it arrives.

htmx gives the "Next item" link focus after an answer (keyboard users go straight on); on a
360 px screen that scrolled the result's heading ("Correct") above the top of the screen, so a
student saw buttons and not what happened to their answer.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import (
    current_attempt,
    demo_school,
    fill_answer,
    new_page,
    sign_in,
)

from tandem.roster.models import User

__all__ = ["demo_school"]


def test_the_result_heading_is_on_screen_after_an_answer_on_a_phone(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    student = User.objects.get(username="s001")
    page = new_page(browser, live_server)
    page.set_viewport_size({"width": 360, "height": 640})
    sign_in(page, student.username)
    for correctly in (True, False, True):
        page.goto("/learn/practice/")
        expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
        fill_answer(page, current_attempt(student).item, correctly=correctly)
        page.get_by_role("button", name="Check my answer").click()
        heading = page.locator("#feedback-heading")
        expect(heading).to_have_text(re.compile("Correct" if correctly else "Not quite"))
        expect(heading).to_be_in_viewport()
        if correctly:  # focus stays on "Next item": Enter goes on
            expect(page.get_by_role("link", name="Next item")).to_be_focused()
