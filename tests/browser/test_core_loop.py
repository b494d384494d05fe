"""The core loop in a real browser: a demo student answers five items, the teacher sees it.

A small demo school (the same seeding as ``tandem demo``, fewer students and days) keeps the
test quick while the pages show a real history before the student starts.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.content.models import Item
from tandem.core.demo import DEMO_PASSWORD, demo_seed
from tandem.evidence.models import Statement
from tandem.practice.models import Attempt
from tandem.roster.models import Enrollment, User

ITEMS = 5


@pytest.fixture
def demo_school(transactional_db: None) -> None:
    demo_seed(students=12, days=7, seed=11)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def new_page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    return context.new_page()


def fill_answer(page: Page, item: Item, *, correctly: bool, label: str = "Your answer") -> None:
    """Choose or type an answer to ``item`` the way a student would (not sent yet)."""
    if item.kind in ("single_choice", "multiple_choice"):
        right = {str(v) for v in item.answer}
        values = [str(i) for i in range(len(item.choices))]
        picks = sorted(right) if correctly else [next(v for v in values if v not in right)]
        for value in picks:
            page.locator(f"#choice-{value}").check()
    else:
        page.get_by_label(label).fill(str(item.answer[0]) if correctly else "999999")


def current_attempt(student: User) -> Attempt:
    return (
        Attempt.objects.filter(student=student, answered_at__isnull=True)
        .select_related("item", "competency")
        .latest("presented_at")
    )


def answer_current_item(page: Page, student: User, *, correctly: bool) -> str:
    """Answer the item on screen the way a student would; returns the competency code."""
    attempt = current_attempt(student)
    fill_answer(page, attempt.item, correctly=correctly)
    page.get_by_role("button", name="Check my answer").click()
    if correctly:
        expect(page.get_by_role("heading", name=re.compile("Correct"))).to_be_visible()
        expect(page.get_by_text("Worked solution")).to_be_visible()
    else:
        # A first wrong answer offers a second try; the worked solution waits for it.
        expect(page.get_by_role("heading", name=re.compile("Not quite"))).to_be_visible()
        expect(page.get_by_role("button", name="Check my second try")).to_be_visible()
        expect(page.get_by_text("Worked solution")).to_have_count(0)
    return str(attempt.competency.human_coding_scheme)


def test_student_answers_five_items_and_teacher_sees_it(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    student = User.objects.get(username="s001")
    enrollment = Enrollment.objects.select_related("school_class").filter(
        user=student, role="student"
    )[0]
    teacher = Enrollment.objects.get(school_class=enrollment.school_class, role="teacher").user
    class_id = enrollment.school_class.pk
    statements_before = Statement.objects.filter(actor=student).count()

    # The teacher's view before the student practises.
    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher.username)
    teacher_page.goto(f"/teach/class/{class_id}/")
    row = teacher_page.get_by_role("row").filter(
        has=teacher_page.get_by_role("link", name=student.display_name)
    )
    grid_before = row.inner_text()
    teacher_page.goto(f"/teach/student/{student.pk}/")
    table_before = teacher_page.locator(".mastery-table").inner_text()
    teacher_page.context.close()

    # The student answers five items: four right, one wrong.
    page = new_page(browser, live_server)
    sign_in(page, student.username)
    expect(page).to_have_url(re.compile(r"/learn/$"))
    practised = []
    for n in range(ITEMS):
        page.goto("/learn/practice/")
        expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
        practised.append(answer_current_item(page, student, correctly=n != 2))
        # What the answer did, in progress words: the percentages are on the teacher's pages.
        move = page.locator(".mastery-move")
        expect(move).to_contain_text(re.compile(r"progress on|mastered|less sure"))
        expect(move).not_to_contain_text("%")
    page.context.close()
    assert Statement.objects.filter(actor=student).count() == statements_before + ITEMS

    # The teacher signs in again: the grid row and the evidence timeline have changed.
    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher.username)
    teacher_page.goto(f"/teach/class/{class_id}/")
    row = teacher_page.get_by_role("row").filter(
        has=teacher_page.get_by_role("link", name=student.display_name)
    )
    expect(row).not_to_have_text(grid_before)

    row.get_by_role("link", name=student.display_name).click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text(student.display_name)
    timeline = teacher_page.locator("ol.timeline > li")
    for i, code in enumerate(reversed(practised)):  # newest first
        expect(timeline.nth(i)).to_contain_text(code)
        expect(timeline.nth(i)).to_contain_text("Practice")
    assert teacher_page.locator(".mastery-table").inner_text() != table_before
    teacher_page.context.close()
