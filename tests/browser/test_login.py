"""Signing in through a real browser: the role-based front door, errors, and keyboard access."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.leaders.services import figures_compute_all
from tandem.roster.constants import Role
from tandem.roster.models import User

PASSWORD = "a-long-test-password"


@pytest.fixture
def administrator(transactional_db: None) -> User:
    # The leaders' figures, as the background worker would have stored them (none runs here).
    figures_compute_all(now=timezone.now())
    return User.objects.create_user(
        username="ada",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        sourced_id="browser-admin-1",
        first_name="Ada",
        last_name="Admin",
        is_staff=True,
    )


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_administrator_lands_on_leaders_pages_and_reaches_the_admin(
    page: Page, administrator: User
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))

    sign_in(page, "ada", PASSWORD)

    expect(page).to_have_url(re.compile(r"/lead/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Growth"))).to_be_visible()
    page.get_by_role("link", name="Settings and data").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_bad_password_shows_an_error(page: Page, administrator: User) -> None:
    sign_in(page, "ada", "not-the-password")

    expect(page).to_have_url(re.compile(r"/login/$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("correct username and password")


def test_skip_link_is_the_first_tab_stop(page: Page, administrator: User) -> None:
    sign_in(page, "ada", PASSWORD)
    page.goto("/no-such-page/")  # a page in the shared layout, with navigation before the content

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Go to your home page")).to_be_focused()


def test_signed_in_header_and_sign_out(page: Page, administrator: User) -> None:
    sign_in(page, "ada", PASSWORD)
    page.goto("/no-such-page/")  # administrators land in Django's admin; see the shell here

    header = page.get_by_role("banner")
    expect(header).to_contain_text("Ada Admin")
    expect(header).to_contain_text("Administrator")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
