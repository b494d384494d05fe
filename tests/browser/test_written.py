"""Written questions in a real browser: a demo student writes an answer, their teacher scores it
"Shows understanding" with a comment, the estimate moves, and the student reads the comment."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import demo_school, new_page, sign_in

from tandem.mastery.models import LearnerState
from tandem.practice.models import WrittenAnswer
from tandem.practice.selectors import written_items_for_student
from tandem.roster.models import Enrollment, User

__all__ = ["demo_school"]

COMMENT = "Clear reasoning with common denominators. Well done!"


def test_student_writes_teacher_scores_and_mastery_moves(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    student = User.objects.get(username="s002")
    enrollment = Enrollment.objects.select_related("school_class").filter(
        user=student, role="student"
    )[0]
    school_class = enrollment.school_class
    teacher = Enrollment.objects.get(school_class=school_class, role="teacher").user
    question = written_items_for_student(student=student)[0]
    competency = question.competencies.get()

    def estimate() -> float | None:
        state = LearnerState.objects.filter(student=student, competency=competency).first()
        return state.p_mastery if state else None

    before = estimate()

    # The student finds the question, sends an empty answer (refused), then a real one.
    page = new_page(browser, live_server)
    sign_in(page, student.username)
    page.get_by_role("link", name="Written questions").click()
    expect(page.get_by_role("heading", name="Written questions", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(re.escape(question.stem[:30]))).click()
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_text("Write your answer first.")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Your answer").fill(
        "I used common denominators and compared the numerators, as my drawing shows."
    )
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_role("heading", name="Waiting for your teacher")).to_be_visible()
    answer = WrittenAnswer.objects.get(student=student, item=question)

    # The teacher opens the class, the answers to score, and this student's answer.
    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher.username)
    teacher_page.goto(f"/teach/class/{school_class.pk}/")
    teacher_page.get_by_role("link", name="Written answers to score").click()
    teacher_page.get_by_role(
        "link", name=re.compile(f"Read and score {re.escape(student.display_name)}")
    ).click()
    expect(teacher_page.get_by_text("I used common denominators")).to_be_visible()
    expect(teacher_page.get_by_role("heading", name="Scorer guidance")).to_be_visible()
    teacher_page.get_by_label("Shows understanding").check()
    teacher_page.get_by_label("Comment to the student").fill(COMMENT)
    teacher_page.get_by_role("button", name="Save score").click()
    expect(teacher_page.get_by_text(re.compile("Scored .*: Shows understanding"))).to_be_visible()

    after = estimate()
    assert after is not None and (before is None or after > before), (before, after)
    assert answer.scores.get().level == "shows_understanding"

    # The teacher's "why" page lists the score as evidence.
    teacher_page.goto(f"/teach/student/{student.pk}/competency/{competency.pk}/")
    expect(teacher_page.get_by_text("Shows understanding").first).to_be_visible()

    # The student sees the score and the comment.
    page.reload()
    expect(
        page.get_by_role("heading", name="Your teacher’s score: Shows understanding")
    ).to_be_visible()
    expect(page.get_by_text(COMMENT)).to_be_visible()
