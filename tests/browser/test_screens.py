"""Screenshots of what students and guardians see, for the README (``make screens``).

Skipped unless ``SCREENS=1``: it writes PNGs under docs/screens/ rather than checking
anything. It runs on the demo school of ``test_phone_fit`` (seeded once, with a finished
diagnostic), at a phone's size and a laptop's. Each shot is the window only, not the whole
page, reduced to 256 colours to keep the repository small.

The practice shots answer an item right, then one wrong; where the page then offers a second
try, that try is answered too and shot ("second-try"); where it does not, that shot is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from tests.browser.test_phone_fit import (
    GUARDIAN,
    LAPTOP,
    PHONE,
    STUDENT,
    School,
    diagnostic,
    open_as,
    school,
)

from tandem.practice.models import Attempt

__all__ = ["diagnostic", "open_as", "school"]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(os.environ.get("SCREENS") != "1", reason="SCREENS=1 makes screenshots"),
]

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(LAPTOP, id="laptop")]
WRONG_NUMBER = "999999"


def shoot(page: Page, name: str, size: dict[str, int]) -> None:
    """The window as it is, saved as docs/screens/<name>-<width>.png in 256 colours."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}-{size['width']}.png"
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)


def answer(page: Page, school: School, *, correctly: bool, second: bool = False) -> None:
    """Answer the item on screen (right or wrong), or its second try, and wait for the reply."""
    attempts = Attempt.objects.filter(student_id=school.student_id)
    if not second:
        attempts = attempts.filter(answered_at__isnull=True)
    attempt = attempts.select_related("item").latest("presented_at")
    item = attempt.item
    panel = page.locator("#attempt-panel")
    if item.kind in ("single_choice", "multiple_choice"):
        right = {str(v) for v in item.answer}
        values = [str(i) for i in range(len(item.choices))]
        picks = sorted(right) if correctly else [next(v for v in values if v not in right)]
        for box in panel.locator("input[name=response]").all():
            if box.get_attribute("type") == "checkbox" and box.is_checked():
                box.uncheck()
        for value in picks:
            panel.locator(f"input[name=response][value='{value}']").check()
    else:
        field = panel.locator("input[name=response]").first
        field.fill(str(item.answer[0]) if correctly else WRONG_NUMBER)
    with page.expect_response(lambda r: ("/second-try/" if second else "/answer/") in r.url):
        panel.locator("button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def offers_second_try(page: Page) -> bool:
    return page.locator("#attempt-panel input[name=response]").count() > 0


Shot = Callable[[Page, School, dict[str, int]], None]


@pytest.mark.parametrize("size", SIZES)
def test_student_screens(
    open_as: Callable[[str, dict[str, int]], Page],
    school: School,
    diagnostic: None,
    size: dict[str, int],
) -> None:
    page = open_as(STUDENT, size)
    page.goto("/learn/")
    shoot(page, "student-home", size)

    page.goto("/learn/practice/")
    expect(page.locator("#item-stem")).to_be_visible()
    shoot(page, "practice-question", size)
    answer(page, school, correctly=True)
    shoot(page, "practice-right", size)

    page.goto("/learn/practice/")
    expect(page.locator("#item-stem")).to_be_visible()
    answer(page, school, correctly=False)
    shoot(page, "practice-wrong", size)
    if offers_second_try(page):
        answer(page, school, correctly=True, second=True)
        shoot(page, "practice-second-try", size)

    page.goto("/diagnostic/result/")
    shoot(page, "diagnostic-result", size)


@pytest.mark.parametrize("size", SIZES)
def test_guardian_screens(
    open_as: Callable[[str, dict[str, int]], Page], school: School, size: dict[str, int]
) -> None:
    page = open_as(GUARDIAN, size)
    page.goto("/family/")
    shoot(page, "guardian-home", size)
    page.goto(f"/family/child/{school.child_id}/")
    shoot(page, "guardian-child", size)
