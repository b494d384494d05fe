"""End to end against the live server and a local LTI 1.3 platform on loopback: launches of a
student and a teacher, a score reaching the platform's gradebook after an answer, and a deep
linking round trip."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from tests.lti.conftest import CODE
from tests.lti.platform import INSTRUCTOR, LEARNER, LocalPlatform
from tests.lti.useragent import UserAgent, forms

from tandem.lti.constants import PassbackStatus
from tandem.lti.models import Passback, ResourceLink, ToolKey
from tandem.mastery.models import LearnerState
from tandem.practice.models import Attempt

pytestmark = pytest.mark.django_db(transaction=True)


def launch(agent: UserAgent, platform: LocalPlatform, message: dict) -> object:
    """Login initiation, the platform's auth answer, and its auto-posted id_token."""
    auth_answer = agent.get(platform.login_url(message))
    assert auth_answer.status == 200, (auth_answer.text, platform.errors)
    assert agent.cookie("lti_state")
    return agent.submit(auth_answer)


def student_message(platform, school, **kwargs):
    return platform.resource_link(
        sub="lms-student-a",
        roles=[LEARNER],
        person_sourcedid=school.student_a.sourced_id,
        section=school.class_a.sourced_id,
        **kwargs,
    )


def test_student_launch_lands_on_practice_for_the_linked_competency(
    live_server, school, make_platform, immediate_tasks
):
    platform = make_platform(live_server.url)
    agent = UserAgent()
    page = launch(
        agent,
        platform,
        student_message(platform, school, custom={"tandem_target": f"competency:{CODE}"}),
    )

    assert page.status == 200, page.text
    path = urllib.parse.urlsplit(page.url)
    assert path.path == "/learn/practice/" and urllib.parse.parse_qs(path.query) == {
        "competency": [CODE]
    }
    assert school.student_a.display_name in page.text
    attempt = Attempt.objects.get(student=school.student_a, statement__isnull=True)
    assert attempt.competency.code == CODE
    assert attempt.school_class == school.class_a
    link = ResourceLink.objects.get()
    assert link.competency.code == CODE and link.context.school_class == school.class_a
    assert link.ags_lineitem == platform.url + "/lineitems/lineitem-1"
    # The auth request carried everything the OIDC flow needs, and no state cookie is left.
    auth = platform.auth_requests[-1]
    assert auth["redirect_uri"] == live_server.url + "/lti/launch" and auth["prompt"] == "none"
    assert agent.cookie("lti_state") is None


def test_answer_sends_mastery_to_the_platform_gradebook(
    live_server, school, make_platform, immediate_tasks
):
    platform = make_platform(live_server.url)
    agent = UserAgent()
    page = launch(
        agent,
        platform,
        student_message(platform, school, custom={"tandem_target": f"competency:{CODE}"}),
    )
    # The launch itself sends the current standing (nothing practised yet).
    assert [s["scoreGiven"] for _, s in platform.scores] == [0.0], platform.errors
    attempt = Attempt.objects.get(student=school.student_a, statement__isnull=True)
    item = attempt.item
    answer = list(item.answer) if item.kind == "multiple_choice" else item.answer[0]
    action, hidden = next((a, f) for a, f in forms(page.text) if a.endswith("/answer/"))
    assert hidden["focus"] == CODE
    feedback = agent.post(live_server.url + action, {**hidden, "response": answer})
    assert feedback.status == 200 and "Correct" in feedback.text
    assert f"?competency={CODE}" in feedback.text  # "Next item" stays on the linked set

    state = LearnerState.objects.get(student=school.student_a, competency=attempt.competency)
    assert platform.errors == []
    lineitem, score = platform.scores[-1]
    assert lineitem == "lineitem-1"
    assert score["userId"] == "lms-student-a"
    assert score["scoreGiven"] == round(state.p_mastery * 100, 1) > 0
    assert score["scoreMaximum"] == 100
    assert score["activityProgress"] == "InProgress" and score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"]
    sent = Passback.objects.filter(status=PassbackStatus.SENT)
    assert sent.count() == len(platform.scores) == 2
    assert sent.first().response_code == 204
    # One token was obtained (client assertion checked against /lti/jwks) and then reused.
    assert len(platform.token_requests) == 1


def test_teacher_launch_lands_on_the_class_page(live_server, school, make_platform):
    platform = make_platform(live_server.url)
    agent = UserAgent()
    message = platform.resource_link(
        sub="lms-teacher-a",
        roles=[INSTRUCTOR],
        person_sourcedid=school.teacher_a.sourced_id,
        section=school.class_a.sourced_id,
    )
    page = launch(agent, platform, message)
    assert page.status == 200
    assert urllib.parse.urlsplit(page.url).path == f"/teach/class/{school.class_a.pk}/"
    assert school.class_a.title in page.text
    # The course is now linked to the class, so its page leads to what was sent to the LMS.
    assert f'href="/lti/class/{school.class_a.pk}/grades/"' in page.text


def test_deep_linking_round_trip(live_server, school, make_platform):
    platform = make_platform(live_server.url)
    agent = UserAgent()
    message = platform.deep_linking(
        sub="lms-teacher-a",
        person_sourcedid=school.teacher_a.sourced_id,
        section=school.class_a.sourced_id,
    )
    picker = launch(agent, platform, message)
    assert picker.status == 200 and re.search(r"/lti/deep-link/[0-9a-f-]+/$", picker.url)
    assert f'value="competency:{CODE}"' in picker.text and 'value="pathway"' in picker.text

    returned = agent.submit(picker, {"target": f"competency:{CODE}"})
    assert returned.status == 200
    action, fields = forms(returned.text)[-1]
    assert action == platform.url + "/deep-link-return"
    # Choosing again (a double submit) signs nothing new: the same response comes back.
    again = agent.submit(picker, {"target": "pathway"})
    assert forms(again.text)[-1][1]["JWT"] == fields["JWT"]

    landed = agent.submit(returned)
    assert landed.status == 200, platform.errors
    [claims] = platform.deep_link_responses
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    [item] = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == live_server.url + "/lti/launch"
    assert item["custom"] == {"tandem_target": f"competency:{CODE}"}
    assert item["lineItem"] == {
        "scoreMaximum": 100,
        "label": f"Practice {CODE}",
        "resourceId": f"competency:{CODE}",
    }

    # The placed link then launches a student straight into that practice set.
    student = UserAgent()
    message = student_message(platform, school, link_id="placed", custom=item["custom"])
    page = launch(student, platform, message)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"competency": [CODE]}


def test_jwks_publishes_the_tool_key_and_keeps_the_previous_one_after_rotation(live_server, school):
    from tandem.lti.services import tool_key_current, tool_key_rotate

    first = tool_key_current()
    second = tool_key_rotate()
    third = tool_key_rotate()
    agent = UserAgent()
    import json

    keys = json.loads(agent.get(live_server.url + "/lti/jwks").text)["keys"]
    assert [k["kid"] for k in keys] == [third.kid, second.kid]
    assert all("d" not in k for k in keys)  # public parts only
    assert not ToolKey.objects.get(pk=first.pk).is_active
