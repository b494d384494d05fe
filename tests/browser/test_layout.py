"""The page shell in a real browser: the footer ends the page, with no blank space under it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import demo_school, new_page, sign_in

__all__ = ["demo_school"]

# The extra pixels a page may scroll past its footer (rounding).
SLACK = 2


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_below_the_footer_on_the_student_home(
    browser: Browser, live_server: LiveServer, demo_school: None, width: int
) -> None:
    page = new_page(browser, live_server)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "s001")
    page.goto("/learn/")
    measured = page.evaluate(
        """() => ({
            footer: document.querySelector('.site-footer').getBoundingClientRect().bottom
                + window.scrollY,
            height: document.documentElement.scrollHeight,
            viewport: window.innerHeight,
        })"""
    )
    # The footer's bottom is the document's bottom (or the window's, on a short page).
    assert measured["height"] - max(measured["footer"], measured["viewport"]) <= SLACK, measured
    page.context.close()
