"""The Content-Security-Policy in a real browser: pages, htmx and the admin run without a
single violation (a blocked script or style would otherwise fail silently)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

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
        sourced_id="browser-csp-admin",
        is_staff=True,
        is_superuser=True,
    )


def test_login_and_admin_pages_break_no_policy(page: Page, administrator: User) -> None:
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto("/login/")
    assert page.evaluate("() => typeof htmx") == "object"
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Administrators land on the leaders' pages (their charts are SVG drawn on the server).
    expect(page.get_by_role("heading", name=re.compile(r"^Growth"))).to_be_visible()
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    for path in (
        "/lead/equity/",
        "/flex/",
        "/admin/roster/user/",
        f"/admin/roster/user/{administrator.pk}/change/",
        "/admin/mastery/calibrationrun/",
        "/admin/privacy/accesslog/",
        "/api/docs",
    ):
        page.goto(path)
        # The admin's own scripts ran (the theme toggle is added by script).
        page.wait_for_load_state("load")
    # The API docs (the last page) rendered: Swagger UI ran from Tandem's static files.
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Tandem API")
    assert violations == []
