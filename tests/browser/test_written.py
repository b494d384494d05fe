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
    expect(page.get_by_text("Write your answer or add a photo of your work first.")).to_be_visible()
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


def test_student_draws_an_answer_on_a_phone_and_the_teacher_sees_it(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    """The drawing pad (a static script, no inline code) puts a PNG into the photo field; the
    answer is sent with no text, and the scoring teacher sees the drawing."""
    from tests.browser.test_accessibility import describe, serious_violations

    student = User.objects.get(username="s002")
    school_class = Enrollment.objects.filter(user=student, role="student")[0].school_class
    teacher = Enrollment.objects.get(school_class=school_class, role="teacher").user
    question = written_items_for_student(student=student)[0]

    page = new_page(browser, live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, student.username)
    page.goto(f"/learn/written/question/{question.pk}/")
    photo = page.get_by_label("A photo or drawing of your work")
    expect(photo).to_have_attribute("accept", "image/*")
    canvas = page.locator("canvas.drawing-canvas")
    expect(canvas).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert not (violations := serious_violations(page)), describe(violations)

    page.get_by_role("button", name="Use my drawing").click()
    expect(page.get_by_text("Draw something first.")).to_be_visible()
    # The whole stroke must land on the canvas inside the viewport: the button click above
    # may have scrolled the page, so bring the pad back and draw within its box.
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(
            box["x"] + box["width"] * (0.1 + step * 0.08),
            box["y"] + box["height"] * (0.2 + step * 0.06),
            steps=2,
        )
    page.mouse.up()
    page.get_by_role("button", name="Use my drawing").click()
    expect(page.get_by_text("Your drawing will be sent with your answer.")).to_be_visible()
    assert photo.evaluate("input => input.files.length") == 1
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_role("heading", name="Waiting for your teacher")).to_be_visible()
    answer = WrittenAnswer.objects.get(student=student, item=question)
    assert answer.text == "" and answer.photo.name.endswith(".png")

    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher.username)
    teacher_page.goto(f"/teach/class/{school_class.pk}/written/{answer.pk}/")
    drawing = teacher_page.get_by_alt_text(re.compile("photo or drawing of their work"))
    expect(drawing).to_be_visible()
    assert drawing.evaluate("img => img.naturalWidth") == 640
