"""Grade passback records: failures are kept and never break practice; a teacher sees them and
can send grades again; other teachers cannot see the class's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import PASSWORD, record_answer
from tests.lti.conftest import CODE
from tests.lti.test_refusals import TOOL, post_launch, start, student

from tandem.interop.xapi.services import lrs_client_issue, statements_store
from tandem.lti.constants import PassbackStatus
from tandem.lti.models import Passback
from tandem.lti.models import Platform as LtiPlatform

pytestmark = pytest.mark.django_db


def test_failed_passback_is_recorded_shown_and_resent(
    client, school, make_platform, immediate_tasks, django_capture_on_commit_callbacks
):
    platform = make_platform(TOOL)
    message = student(platform, school)
    # The LMS's token endpoint is down: nothing listens there.
    LtiPlatform.objects.update(auth_token_url="http://127.0.0.1:9/token")
    query = start(client, platform, message)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_launch(
            client, platform.id_token(message, nonce=query["nonce"]), query["state"]
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        record_answer(school.student_a, CODE, True)  # practice goes on despite the failure
    failed = Passback.objects.filter(status=PassbackStatus.FAILED)
    assert failed.count() >= 2  # at launch, and after the answer (a failure is retried later)
    before = Passback.objects.count()
    assert "Could not reach" in failed.first().error
    assert failed.first().response_code is None

    teacher = Client()
    teacher.login(username=school.teacher_a.username, password=PASSWORD)
    url = f"/lti/class/{school.class_a.pk}/grades/"
    page = teacher.get(url)
    assert page.status_code == 200
    assert "Could not reach" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert teacher.post(url).status_code == 302
    assert Passback.objects.count() == before + 1  # forced, though the score did not change

    other = Client()
    other.login(username=school.teacher_b.username, password=PASSWORD)
    assert other.get(url).status_code == 404
    student_client = Client()
    student_client.login(username=school.student_a.username, password=PASSWORD)
    assert student_client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_only_a_changed_score_of_a_linked_student_is_sent(
    client, live_server, school, make_platform, immediate_tasks
):
    platform = make_platform(live_server.url)  # its token endpoint reads the live /lti/jwks
    message = student(platform, school)
    query = start(client, platform, message)
    post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"])
    record_answer(school.student_b, CODE, True)  # another student: nothing to send
    assert [s["scoreGiven"] for _, s in platform.scores] == [0.0], platform.errors
    record_answer(school.student_a, CODE, True)
    assert len(platform.scores) == 2 and platform.scores[-1][1]["scoreGiven"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_xapi_statements_moves_the_lms_grade(
    client, live_server, school, make_platform, immediate_tasks
):
    # A batch is applied with one bulk write of the states, which no model signal sees: the
    # mastery services announce the change themselves.
    platform = make_platform(live_server.url)
    message = student(platform, school)
    query = start(client, platform, message)
    post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"])
    assert [s["scoreGiven"] for _, s in platform.scores] == [0.0], platform.errors
    lrs, _ = lrs_client_issue(name="Quiz app")
    answered = {
        "actor": {
            "account": {"homePage": "https://quiz.example.org", "name": school.student_a.username}
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": f"urn:tandem:competency:{CODE}"},
        "result": {"success": True},
    }
    statements_store(client=lrs, statements=[answered] * 3, now=timezone.now())
    assert len(platform.scores) == 2, platform.errors
    assert platform.scores[-1][1]["scoreGiven"] > 0
