"""Estimates that say honest things, in a real browser: a streak in one sitting is only
"probably mastered" until a later day confirms it, a wrong answer after a streak visibly lowers
the estimate, and the student's (in words), the teacher's and the "why" pages (in numbers) tell
the same story.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import answer_current_item, new_page, sign_in

from tandem.competencies.models import Competency
from tandem.core.demo import demo_seed
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.rules import progress_of
from tandem.roster.models import Enrollment, User

CODE = "6.NS.C.7.a"


@pytest.fixture
def demo_school(transactional_db: None) -> None:
    demo_seed(students=12, days=7, seed=11)


def test_a_one_sitting_streak_then_a_wrong_answer_reads_honestly_everywhere(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    student = User.objects.get(username="s001")
    competency = Competency.objects.get(human_coding_scheme=CODE)
    LearnerState.objects.filter(student=student, competency=competency).delete()
    enrollment = Enrollment.objects.select_related("school_class").filter(
        user=student, role="student"
    )[0]
    teacher = Enrollment.objects.get(school_class=enrollment.school_class, role="teacher").user

    page = new_page(browser, live_server)
    sign_in(page, student.username)
    # The student chooses the competency, then answers right in one sitting.
    moves = []
    for _ in range(9):
        page.goto(f"/learn/practice/?competency={CODE}")
        expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
        assert answer_current_item(page, student, correctly=True) == CODE
        moves.append(page.locator(".mastery-move").inner_text())
    state = LearnerState.objects.get(student=student, competency=competency)
    assert state.status == Status.PROBABLY_MASTERED, moves
    assert any("Probably mastered" in move and "another day" in move for move in moves)
    assert not any(move.startswith("Confirmed") for move in moves)
    page.goto("/learn/")
    row = page.get_by_role("row").filter(has_text=CODE)
    expect(row).to_contain_text("Probably mastered — check again later")

    # A wrong answer after the streak lowers the estimate visibly, and says so in words (the
    # student reads progress words; the numbers are on the teacher's pages).
    before = round(state.p_mastery * 100)
    page.goto(f"/learn/practice/?competency={CODE}")
    answer_current_item(page, student, correctly=False)
    move = page.locator(".mastery-move").inner_text()
    assert "%" not in move, move
    after_state = LearnerState.objects.get(student=student, competency=competency)
    after = round(after_state.p_mastery * 100)
    assert before - after >= 10, (before, after)
    assert re.search(r"less sure|went down|Not mastered any more", move), move
    page.goto("/learn/")
    expect(page.get_by_role("row").filter(has_text=CODE)).to_contain_text(
        str(progress_of(status=after_state.status, p_mastery=after_state.p_mastery).label)
    )
    page.context.close()

    # The teacher's student page and the "why" page show the same estimate and status.
    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher.username)
    teacher_page.goto(f"/teach/student/{student.pk}/")
    expect(teacher_page.locator(".mastery-table")).to_contain_text(f"{after}%")
    teacher_page.goto(f"/teach/student/{student.pk}/competency/{competency.pk}/")
    expect(teacher_page.get_by_text(f"{before}% → {after}%").first).to_be_visible()
    teacher_page.context.close()
