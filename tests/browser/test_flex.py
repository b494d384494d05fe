"""The flex week in a real browser: an administrator makes the schedule, publishes it, and a
student sees their session on their home page; the flex pages pass axe's WCAG A/AA checks
and fit a 360 px phone screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG_TAGS
from tests.factories import PASSWORD, make_school, make_user

from tandem.flex.constants import SessionKind, Weekday
from tandem.flex.models import FlexPlacement
from tandem.flex.selectors import this_week
from tandem.flex.services import SessionInput, block_create, session_offer
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import User
from tandem.roster.services import enrollment_create


@dataclass(frozen=True)
class FlexWorld:
    admin: User
    student: User
    teacher: User


@pytest.fixture
def flex_world(transactional_db: None) -> FlexWorld:
    school = make_school()
    for _ in range(3):
        enrollment_create(
            user=make_user(Role.STUDENT, grade="07"),
            school_class=school.class_a,
            role=EnrollmentRole.STUDENT,
        )
    block = block_create(
        name="Tuesday flex",
        weekday=Weekday.TUESDAY,
        starts_at=dt.time(10, 5),
        ends_at=dt.time(10, 50),
        rooms=["Room 101", "Library"],
    )
    now = dt.datetime.now(dt.UTC)
    for teacher, title, kind, room in (
        (school.teacher_a, "Robotics club", SessionKind.ENRICHMENT, "Room 101"),
        (school.teacher_b, "Quiet study", SessionKind.STUDY, "Library"),
    ):
        session_offer(
            teacher=teacher,
            data=SessionInput(
                block=block,
                week_of=this_week(),
                title=title,
                kind=kind,
                capacity=10,
                grade_min=6,
                grade_max=8,
                room=room,
            ),
            now=now,
        )
    return FlexWorld(admin=school.admin, student=school.student_a, teacher=school.teacher_a)


def _page(browser: Browser, live_server: LiveServer, user: User, *, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def _axe(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.browser
def test_administrator_publishes_and_the_student_sees_the_session(
    browser: Browser, live_server: LiveServer, flex_world: FlexWorld
) -> None:
    admin = _page(browser, live_server, flex_world.admin)
    admin.goto("/flex/")
    expect(admin.get_by_role("heading", name="Flex schedule", level=1)).to_be_visible()
    admin.get_by_role("button", name="Make the schedule").click()
    expect(admin.get_by_text("Draft")).to_be_visible()
    expect(admin.get_by_role("heading", name="Robotics club")).to_be_visible()
    assert _axe(admin) == []
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("✓ Published")).to_be_visible()

    placement = FlexPlacement.objects.select_related("session").get(student=flex_world.student)
    student = _page(browser, live_server, flex_world.student, width=360)
    expect(student.get_by_role("heading", name="Flex this week")).to_be_visible()
    card = student.locator(".flex-week-card")
    expect(card.get_by_text(placement.session.title)).to_be_visible()
    expect(card.get_by_text("Tuesday")).to_be_visible()
    assert _fits(student)
    assert _axe(student) == []

    teacher = _page(browser, live_server, flex_world.teacher, width=360)
    teacher.goto("/flex/teach/")
    expect(teacher.get_by_role("heading", name="My flex sessions")).to_be_visible()
    assert _fits(teacher)
    assert _axe(teacher) == []
