"""Every student and guardian page on a phone (360 x 740) and a laptop (1280 x 800).

Each page must fit the width (no sideways scroll), stay axe clean at that size and free of
small slips in its text ("2 December 2026 ." or "(optional) (optional)"), and the practice
page must show its question without scrolling. One signed-in browser context per
role and size visits all of that role's pages, so the whole module runs in seconds.

It shares the demo school of ``test_accessibility`` (seeded once for the module) and adds a
diagnostic for the student: one finished (for the result page) and one in progress (for the
question page).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker
from tests.browser.test_accessibility import (
    GUARDIAN,
    PROJECT_STUDENT,
    STUDENT,
    TEACHER,
    School,
    describe,
    school,
    serious_violations,
    sign_in,
)

from tandem.placement.models import DiagnosticQuestion
from tandem.placement.services import (
    diagnostic_question_answer,
    diagnostic_question_next,
    diagnostic_session_finish,
    diagnostic_session_start,
)
from tandem.roster.models import User

__all__ = ["school"]

pytestmark = pytest.mark.django_db

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
SIZES = [pytest.param(PHONE, id="360x740"), pytest.param(LAPTOP, id="1280x800")]
DIAGNOSTIC_ANSWERS = 4
# The phone header: one row of 44 px touch targets and its padding.
HEADER_ROW = 64

# The page's width against the window's, and (on overflow) the elements that stick out
# furthest, deepest first, so a failure names what to fix.
MEASURE = """() => {
  const width = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && ![...el.children].some(
          c => c.getBoundingClientRect().right > width + 1)) {
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
          + (el.className && typeof el.className === 'string'
             ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
        const text = (el.textContent || '').trim().slice(0, 60);
        out.push(`${name} right=${Math.round(box.right)}: ${text}`);
      }
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 6)};
}"""

# Slips a reader sees: a space before a full stop or comma, a word said twice in brackets.
TEXT_SLIPS = re.compile(r"\w [.,](?=\s|$)|\((\w+)\) \(\1\)", re.M)

Path = Callable[[School], str]


def _diagnostic_answer(question: DiagnosticQuestion, *, right: bool) -> str | list[str]:
    item = question.item
    if right:
        return list(item.answer) if item.kind == "multiple_choice" else str(item.answer[0])
    if item.kind in ("single_choice", "multiple_choice"):
        wrong = next(str(i) for i in range(len(item.choices)) if str(i) not in item.answer)
        return [wrong] if item.kind == "multiple_choice" else wrong
    return "987654321"


@pytest.fixture(scope="module")
def diagnostic(school: School, django_db_blocker: DjangoDbBlocker) -> None:
    """The student finished one diagnostic and is part way through the next."""
    with django_db_blocker.unblock():
        student, now = User.objects.get(pk=school.student_id), timezone.now()
        session = diagnostic_session_start(student=student, now=now)
        for n in range(DIAGNOSTIC_ANSWERS):
            question = diagnostic_question_next(session=session, now=now)
            if question is None:
                break
            diagnostic_question_answer(
                student=student,
                question_id=question.pk,
                response=_diagnostic_answer(question, right=n % 2 == 0),
                now=now,
            )
        diagnostic_session_finish(session=session, now=now)
        later = now + dt.timedelta(minutes=5)
        diagnostic_question_next(
            session=diagnostic_session_start(student=student, now=later), now=later
        )


STUDENT_PAGES: list[Path] = [
    lambda s: "/learn/",
    lambda s: "/learn/practice/",
    lambda s: "/learn/written/",
    lambda s: f"/learn/written/question/{s.written_item_id}/",
    lambda s: f"/learn/written/answer/{s.own_answer_id}/",
    lambda s: "/diagnostic/",
    lambda s: "/diagnostic/question/",
    lambda s: "/diagnostic/result/",
    lambda s: "/pathway/",
    lambda s: "/goals/",
    lambda s: "/projects/",
    lambda s: "/projects/propose/",
    lambda s: "/profile/",
    lambda s: "/wellbeing/check/",
    lambda s: "/flex/choose/",
    lambda s: f"/credit/report/{s.student_id}/",
]
PROJECT_STUDENT_PAGES: list[Path] = [lambda s: f"/projects/{s.project_id}/"]
GUARDIAN_PAGES: list[Path] = [
    lambda s: "/family/",
    lambda s: f"/family/child/{s.child_id}/",
    lambda s: f"/profile/child/{s.child_id}/",
    lambda s: f"/credit/report/{s.child_id}/",
    lambda s: f"/privacy/ask/{s.child_id}/",
]
# Staff pages a teacher opens on a phone between classes.
TEACHER_PAGES: list[Path] = [
    lambda s: "/checkins/",
    lambda s: "/teach/today/",
]


@pytest.fixture
def open_as(browser: Browser, school: School) -> Iterator[Callable[[str, dict[str, int]], Page]]:
    """A signed-in page for a role at a window size (a context of its own)."""
    contexts = []

    def open_page(role: str, size: dict[str, int]) -> Page:
        context = browser.new_context(base_url=school.url, locale="en-US", viewport=size)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, school.usernames[role])
        return page

    yield open_page
    for context in contexts:
        context.close()


def check_pages(page: Page, school: School, paths: list[Path], *, axe: bool = True) -> None:
    """Visit each page; collect every misfit and every axe violation, then fail once."""
    problems: list[str] = []
    for path in paths:
        url = path(school)
        response = page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        assert page.url.endswith(url), (url, page.url)  # no redirect (to sign-in or elsewhere)
        fit = page.evaluate(MEASURE)
        if fit["scroll"] > fit["width"]:
            problems.append(
                f"{url}: {fit['scroll']} px wide in a {fit['width']} px window\n    "
                + "\n    ".join(fit["out"])
            )
        text = page.locator("main").inner_text()
        problems.extend(f"{url}: {m.group(0)!r} in the text" for m in TEXT_SLIPS.finditer(text))
        if axe and (violations := serious_violations(page)):
            problems.append(f"{url}: axe\n{describe(violations)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", SIZES)
def test_student_pages_fit(
    open_as: Callable[[str, dict[str, int]], Page],
    school: School,
    diagnostic: None,
    size: dict[str, int],
) -> None:
    page = open_as(STUDENT, size)
    check_pages(page, school, STUDENT_PAGES)
    check_pages(open_as(PROJECT_STUDENT, size), school, PROJECT_STUDENT_PAGES)

    # The practice question is on the first screen, without scrolling.
    page.goto("/learn/practice/")
    stem = page.locator("#item-stem")
    expect(stem).to_be_visible()
    box = stem.bounding_box()
    assert box is not None
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] + box["height"] <= size["height"], (box, size)


@pytest.mark.parametrize("size", SIZES)
def test_guardian_pages_fit(
    open_as: Callable[[str, dict[str, int]], Page], school: School, size: dict[str, int]
) -> None:
    check_pages(open_as(GUARDIAN, size), school, GUARDIAN_PAGES)


def test_teacher_phone_pages_fit(
    open_as: Callable[[str, dict[str, int]], Page], school: School
) -> None:
    # axe for these pages runs in test_accessibility; here only the width.
    check_pages(open_as(TEACHER, PHONE), school, TEACHER_PAGES, axe=False)


def test_phone_navigation_is_one_row_with_a_menu(
    open_as: Callable[[str, dict[str, int]], Page], school: School
) -> None:
    """On a phone the header is one short row (the key links and "Menu"); the other links and
    the account are one tap away, and Escape folds them again."""
    page = open_as(STUDENT, PHONE)
    page.goto("/learn/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= HEADER_ROW, header
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Practice")).to_be_visible()
    pathway = nav.get_by_role("link", name="My pathway")
    expect(pathway).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(pathway).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    pathway.click()
    expect(page).to_have_url(re.compile("/pathway/$"))

    # In Spanish too ("Mi aprendizaje", "Práctica", "Menú" are longer words): one row.
    User.objects.filter(username=school.usernames[STUDENT]).update(language="es")
    page.goto("/learn/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= HEADER_ROW, header
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    User.objects.filter(username=school.usernames[STUDENT]).update(language="")

    # On a laptop every link shows and there is no menu button.
    wide = open_as(GUARDIAN, LAPTOP)
    wide.goto("/family/")
    expect(wide.get_by_role("button", name="Sign out")).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()
