"""An LTI 1.3 launch in a real browser, through real form posts: the course link opens Tandem's
login initiation, the local platform's page auto-posts the signed id_token, the student lands
on practice for the linked competency, answers, and the platform's gradebook gets the score."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import answer_current_item
from tests.factories import make_school
from tests.lti.conftest import CODE, IMMEDIATE_TASKS, register
from tests.lti.platform import LEARNER, LocalPlatform

from tandem.mastery.models import LearnerState


@pytest.fixture
def platform(live_server: LiveServer, transactional_db: None) -> Iterator[LocalPlatform]:
    platform = LocalPlatform(tool_url=live_server.url)
    register(platform)
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield platform
    platform.close()


def test_course_link_launches_a_student_into_practice_and_grades_flow_back(
    page: Page, platform: LocalPlatform
) -> None:
    school = make_school()
    student = school.student_a
    message = platform.resource_link(
        sub="lms-student-a",
        roles=[LEARNER],
        person_sourcedid=student.sourced_id,
        section=school.class_a.sourced_id,
        custom={"tandem_target": f"competency:{CODE}"},
    )

    page.goto(platform.login_url(message))

    expect(page).to_have_url(re.compile(rf"/learn/practice/\?competency={re.escape(CODE)}$"))
    expect(page.get_by_text(student.display_name)).to_be_visible()
    code = answer_current_item(page, student, correctly=True)
    assert code == CODE
    page.get_by_role("link", name="Next item").click()
    expect(page).to_have_url(re.compile(rf"competency={re.escape(CODE)}$"))

    state = LearnerState.objects.get(student=student, competency__human_coding_scheme=CODE)
    assert platform.errors == []
    assert platform.scores[-1][1]["userId"] == "lms-student-a"
    assert platform.scores[-1][1]["scoreGiven"] == round(state.p_mastery * 100, 1)
