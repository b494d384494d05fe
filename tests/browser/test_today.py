"""The teacher's Today queue in a real browser: the teacher lands on it, approves the waiting
pathway and scores the waiting written answer from it, and the queue (and the count in the
navigation) empties. Also the class grid's folded earlier grades, sorting and CSV link, at phone
and desktop widths."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.factories import PASSWORD, make_user, record_answer

from tandem.competencies.services import framework_load_coherence_map
from tandem.content.services import written_item_create
from tandem.pathways.models import Pathway
from tandem.pathways.services import pathway_build
from tandem.practice.services import written_answer_submit
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.services import accommodation_create
from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import Course
from tandem.roster.services import class_create, enrollment_create, org_create

# Screenshots for a person to look at, when asked for (TANDEM_SCREENSHOTS=/tmp/dir).
SHOTS = os.environ.get("TANDEM_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def small_class(transactional_db: None):
    """A grade-6 class: one teacher, two students, one pathway and one written answer waiting."""
    framework_load_coherence_map()
    now = timezone.now()
    org = org_create(sourced_id="today-school", name="Today School", type=OrgType.SCHOOL)
    course = Course.objects.create(sourced_id="today-6", title="Math 6", org=org, grades=["06"])
    school_class = class_create(sourced_id="today-6a", title="Math 6 A", course=course, school=org)
    teacher = make_user(Role.TEACHER)
    enrollment_create(user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER)
    ava, ben = make_user(Role.STUDENT, grade="06"), make_user(Role.STUDENT, grade="06")
    for student in (ava, ben):
        enrollment_create(user=student, school_class=school_class, role=EnrollmentRole.STUDENT)
    for correct in (False, False, True, False):
        record_answer(ava, "5.NF.A.1", correct)
        record_answer(ava, "6.EE.A.2.c", correct)
    record_answer(ben, "6.RP.A.1", True)
    accommodation_create(
        actor=teacher, student=ava, kind=AccommodationKind.IEP, summary="Extra time", now=now
    )
    pathway_build(student=ava, now=now)
    item = written_item_create(
        stem="Explain what 3(x + 2) means.", competency_codes=["6.EE.A.2.c"], guidance="Fair."
    )
    written_answer_submit(student=ben, item_id=item.pk, text="Three groups of x + 2.", now=now)
    return school_class, teacher, ava, ben


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _page(browser: Browser, live_server: LiveServer, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def test_the_queue_empties_as_the_teacher_acts(
    browser: Browser, live_server: LiveServer, small_class
) -> None:
    _, teacher, ava, ben = small_class
    page = _page(browser, live_server)
    _sign_in(page, teacher.username)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"Today 2 waiting"))).to_be_visible()
    _shot(page, "today-desktop")

    # Approve Ava's pathway from the queue.
    pathways = page.locator("#queue-pathways")
    pathways.get_by_role("link", name=re.compile(f"Review and approve.*{ava.display_name}")).click()
    page.get_by_role("button", name="Approve this pathway").click()
    expect(page.get_by_text(f"Approved {ava.display_name}’s pathway.")).to_be_visible()
    assert Pathway.objects.get(student=ava).status == "approved"
    page.get_by_role("link", name=re.compile("^Today")).click()
    expect(page.locator("#queue-pathways")).to_contain_text("No pathway is waiting")
    expect(nav.get_by_role("link", name=re.compile(r"Today 1 waiting"))).to_be_visible()

    # Score Ben's written answer from the queue; a second click on Save does no harm.
    page.locator("#queue-score").get_by_role(
        "link", name=re.compile(f"Score.*{ben.display_name}")
    ).click()
    page.get_by_label("Shows understanding").check()
    page.get_by_role("button", name="Save score").click()
    expect(page.get_by_text(re.compile("Scored .*: Shows understanding"))).to_be_visible()
    page.get_by_role("link", name=re.compile("^Today")).click()
    expect(page.locator("#queue-score")).to_contain_text("Nothing is waiting for a score")
    expect(nav.get_by_role("link", name="Today", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Nothing is waiting for you to approve, score or hold.")
    ).to_be_visible()


@pytest.mark.parametrize("width", [360, 1280])
def test_grid_folds_earlier_grades_and_sorts_at_phone_and_desktop_width(
    browser: Browser, live_server: LiveServer, small_class, width: int
) -> None:
    school_class, teacher, ava, _ = small_class
    page = _page(browser, live_server, width)
    _sign_in(page, teacher.username)
    page.goto(f"/teach/class/{school_class.pk}/")
    grid = page.get_by_role("region", name=re.compile("Mastery"))
    expect(grid.get_by_role("link", name="NF gaps")).to_be_visible()
    row = grid.locator(f'tr[data-student="{ava.pk}"]')
    expect(row.get_by_text("IEP", exact=True)).to_be_visible()
    expect(row.locator("td.gap-cell").first).to_be_attached()
    _shot(page, f"grid-{width}")
    # The page itself does not scroll sideways; the grid scrolls inside its frame (its
    # visually hidden words too: they are positioned inside the frame, not the page).
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    # Sort by need with the keyboard: Ava (stuck or not, with earlier gaps) comes first.
    page.get_by_role("navigation", name="Sort students").get_by_role("link", name="Need").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=need"))
    first = page.locator("table.class-grid tbody tr").first
    expect(first).to_have_attribute("data-student", str(ava.pk))

    # Unfold the NF gaps: the grade-5 competencies appear as their own columns.
    page.get_by_role("navigation", name="Earlier grades").get_by_role(
        "link", name=re.compile(r"\(NF\)")
    ).click()
    expect(page.locator("table.class-grid thead")).to_contain_text("5.NF.A.1")
    _shot(page, f"grid-expanded-{width}")
    href = page.get_by_role("link", name="Download this grid (CSV)").get_attribute("href")
    assert href and "grid.csv" in href and "expand=NF" in href


def test_today_at_phone_width(browser: Browser, live_server: LiveServer, small_class) -> None:
    _, teacher, ava, _ = small_class
    page = _page(browser, live_server, 360)
    _sign_in(page, teacher.username)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    expect(page.locator("#queue-pathways")).to_contain_text(ava.display_name)
    _shot(page, "today-360")
