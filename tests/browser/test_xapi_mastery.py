"""Must-show of the LRS: statements another program sends move a student's mastery, and the
teacher sees it on the student's page and in the "why" explanation.

The statements travel over real HTTP to the live server, with the credentials an administrator
issued, exactly as a quiz app on the school's network would send them.
"""

from __future__ import annotations

import base64
import json
import urllib.request
import uuid

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import new_page, sign_in

from tandem.competencies.models import Competency
from tandem.core.demo import demo_seed
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.interop.xapi.services import lrs_client_issue
from tandem.mastery.models import LearnerState
from tandem.roster.models import Enrollment, User

ANSWERS = 4


@pytest.fixture
def demo_school(transactional_db: None) -> None:
    demo_seed(students=12, days=7, seed=11)


def send(live_server: LiveServer, auth: str, statements: list[dict[str, object]]) -> list[str]:
    request = urllib.request.Request(
        f"{live_server.url}/xapi/statements",
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Authorization": f"Basic {auth}",
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        ids: list[str] = json.loads(response.read())
    return ids


def test_statements_from_another_program_move_mastery_on_the_teacher_page(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    student = User.objects.get(username="s001")
    enrollment = Enrollment.objects.select_related("school_class").filter(
        user=student, role="student"
    )[0]
    teacher = Enrollment.objects.get(school_class=enrollment.school_class, role="teacher").user
    # A standard the student has no evidence on yet, so its row appears only through xAPI.
    practised = LearnerState.objects.filter(student=student).values("competency_id")
    competency = (
        Competency.objects.filter(human_coding_scheme__startswith="7.")
        .exclude(pk__in=practised)
        .order_by("human_coding_scheme")
        .first()
    )
    assert competency is not None
    code = competency.human_coding_scheme

    client, secret = lrs_client_issue(name="Fractions game", created_by=teacher)
    auth = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    statements: list[dict[str, object]] = [
        {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": "https://games.example.org", "name": student.sourced_id},
            },
            "verb": {
                "id": "http://adlnet.gov/expapi/verbs/answered",
                "display": {"en-US": "answered"},
            },
            "object": {
                "id": f"urn:tandem:competency:{code}",
                "definition": {"name": {"en-US": f"Fractions game level {n + 1}"}},
            },
            "result": {"success": True, "score": {"scaled": 1.0}},
        }
        for n in range(ANSWERS)
    ]
    ids = send(live_server, auth, statements)
    assert len(ids) == ANSWERS

    state = LearnerState.objects.get(student=student, competency=competency)
    assert state.n_attempts == ANSWERS and state.n_correct == ANSWERS
    assert Statement.objects.filter(actor=student, source=Source.IMPORT).count() == ANSWERS

    # The teacher sees the new row on the student's page and the xAPI answers in the "why" page.
    page = new_page(browser, live_server)
    sign_in(page, teacher.username)
    page.goto(f"/teach/student/{student.pk}/")
    row = page.locator(".mastery-table tbody tr").filter(
        has=page.get_by_role("link", name=code, exact=True)
    )
    expect(row).to_contain_text(f"{ANSWERS} / {ANSWERS}")
    expect(row).to_contain_text(f"{round(state.p_mastery * 100)}%")
    row.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_text("Import: Fractions game level 1")).to_be_visible()
    expect(page.get_by_text(f"Import: Fractions game level {ANSWERS}")).to_be_visible()
    page.context.close()
