"""A mini-lesson group in a real browser: the teacher widens the suggestions to the whole
school, forms a group of a grade 6 and a grade 7 student (the grade 7 one from another
teacher's class) who share a need, plans and holds the mini-lesson, records the exit checks,
and sees both estimates move."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.factories import PASSWORD, make_school, make_user
from tests.groups.conftest import TOPIC, make_ready, make_stuck

from tandem.competencies.models import Competency
from tandem.groups.models import MiniLessonGroup
from tandem.mastery.models import LearnerState
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import class_create, enrollment_create


def _sign_in(page: Page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account__name")).to_have_text(user.display_name)


def _p(student, competency) -> float | None:
    state = LearnerState.objects.filter(student=student, competency=competency).first()
    return state.p_mastery if state is not None else None


@pytest.fixture
def cross_grade(transactional_db: None):
    school = make_school()
    grade_7 = class_create(
        sourced_id="class-7", title="Math 7", course=school.class_a.course, school=school.org
    )
    older = make_user(Role.STUDENT, grade="07")
    enrollment_create(user=school.teacher_b, school_class=grade_7, role=EnrollmentRole.TEACHER)
    enrollment_create(user=older, school_class=grade_7, role=EnrollmentRole.STUDENT)
    make_stuck(school.student_a)
    make_ready(older)
    return school, older


def test_teacher_forms_a_cross_grade_group_holds_it_and_sees_the_estimates_move(
    page: Page, cross_grade
) -> None:
    school, older = cross_grade
    younger, teacher = school.student_a, school.teacher_a
    topic = Competency.objects.get(human_coding_scheme=TOPIC)
    before = {younger.pk: _p(younger, topic), older.pk: _p(older, topic)}
    assert before[older.pk] is None  # ready for it, never tried it

    _sign_in(page, teacher)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Find students who need the same mini-lesson").click()
    # Within my classes, one student alone shares nothing; across the school, two grades do.
    expect(page.locator(f"#competency-{topic.pk}")).to_have_count(0)
    page.get_by_label("The whole school (all grades)").check()
    page.get_by_role("button", name="Show suggestions").click()
    card = page.locator(f"#competency-{topic.pk}")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(card).to_contain_text("grades 6, 7")
    expect(card).to_contain_text("1 stuck")
    expect(card.get_by_label(re.compile(older.display_name))).to_be_checked()
    card.get_by_role("button", name=f"Form a group on {TOPIC} with the ticked students").click()

    expect(page.get_by_role("heading", name=f"Mini-lesson group on {TOPIC}")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("formed with 2 students")
    group = MiniLessonGroup.objects.get(leader=teacher)
    assert set(group.members.values_list("student", flat=True)) == {younger.pk, older.pk}

    plan = page.locator("section").filter(
        has=page.get_by_role("heading", name="Plan a mini-lesson")
    )
    plan.get_by_label("Time").fill("10:30")
    plan.get_by_label("Room").fill("Library")
    plan.get_by_label("Plan").fill("Area models for 2(x + 3); exit check of three questions.")
    plan.get_by_role("button", name="Plan the mini-lesson").click()
    expect(page.locator("#messages")).to_contain_text("Mini-lesson planned")

    page.get_by_role("link", name=re.compile("Hold it now")).click()
    # Held on a phone: at 360 px nothing runs off the side of the form.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for student in (younger, older):
        row = page.get_by_role("group", name=re.compile(student.display_name))
        expect(row.get_by_label("Present")).to_be_checked()
        row.get_by_label("Showed it").check()
        row.get_by_label("Questions right").fill("3")
        row.get_by_label("out of").fill("3")
    page.get_by_role("button", name="Record the mini-lesson").click()
    expect(page.locator("#messages")).to_contain_text("Mini-lesson recorded: 2 of 2 present")

    held = page.locator("article.lesson")
    expect(held.get_by_role("row")).to_have_count(3)
    # The stuck student's estimate moved up; the ready one, never tried, has a first estimate.
    expect(
        held.get_by_role("row", name=re.compile(younger.display_name)).locator(".move-up")
    ).to_have_count(1)
    expect(held.get_by_role("row", name=re.compile(older.display_name))).to_contain_text(
        "No estimate yet"
    )
    expect(held.get_by_role("row", name=re.compile(older.display_name))).to_contain_text(
        "first estimate"
    )
    after = {younger.pk: _p(younger, topic), older.pk: _p(older, topic)}
    assert after[younger.pk] > before[younger.pk]
    assert after[older.pk] is not None and after[older.pk] > 0.5
    # The members' estimates now, on the group page, are those the learner model holds.
    members = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("Members"))
    )
    expect(members.get_by_role("row", name=re.compile(older.display_name))).to_contain_text(
        f"{round(after[older.pk] * 100)}%"
    )
