"""Tandem as an xAPI 1.0.3 LRS: About, auth, Statements, voiding, and the evidence bridge."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from tests.factories import make_school

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source
from tandem.interop.models import LrsStatement
from tandem.interop.xapi.services import lrs_client_issue
from tandem.mastery.models import LearnerState

URL = "/xapi/statements"
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
ACTIVITY = "https://example.org/activities/quiz-1"


@pytest.fixture
def lrs(db: Any) -> tuple[Client, dict[str, str]]:
    client, secret = lrs_client_issue(name="Quiz app")
    token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    return Client(), {**VERSION, "HTTP_AUTHORIZATION": f"Basic {token}"}


def statement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": {"mbox": "mailto:ada@example.org", "name": "Ada"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"id": ACTIVITY},
        "result": {"success": True, "score": {"scaled": 0.5}, "duration": "PT30S"},
    }
    data.update(overrides)
    return data


def post(lrs: tuple[Client, dict[str, str]], body: Any) -> Any:
    client, headers = lrs
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_about_needs_no_auth_and_names_the_version(client: Client) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json() == {"version": ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]}
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_version_header_and_auth_required(lrs: tuple[Client, dict[str, str]]) -> None:
    client, headers = lrs
    no_version = {k: v for k, v in headers.items() if k != "HTTP_X_EXPERIENCE_API_VERSION"}
    assert client.get(URL, **no_version).status_code == 400
    response = client.get(URL, **VERSION)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    bad = base64.b64encode(b"nobody:wrong").decode()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Basic {bad}", **VERSION).status_code == 401
    response = client.get(URL, **headers)
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in response


def test_post_single_and_batch_then_get_by_id(lrs: tuple[Client, dict[str, str]]) -> None:
    response = post(lrs, statement())
    assert response.status_code == 200
    (first,) = response.json()
    given = str(uuid.uuid4())
    response = post(lrs, [statement(id=given), statement()])
    assert response.status_code == 200
    assert response.json()[0] == given and len(response.json()) == 2
    client, headers = lrs
    response = client.get(URL, {"statementId": first}, **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == first
    assert body["version"] == "1.0.0"  # none was sent
    assert body["authority"]["name"] == "Quiz app"
    assert "stored" in body and "timestamp" in body
    assert "Last-Modified" in response
    assert client.get(URL, {"statementId": str(uuid.uuid4())}, **headers).status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        statement(actor={"name": "no identifier"}),
        statement(actor={"mbox": "ada@example.org"}),
        statement(actor={"mbox": "mailto:a@b.org", "openid": "https://a.org/ada"}),
        statement(verb={"id": "answered"}),
        statement(object={"id": "not an iri"}),
        statement(result={"score": {"scaled": 1.5}}),
        statement(result={"success": "yes"}),
        statement(result={"duration": "30 seconds"}),
        statement(timestamp="yesterday"),
        statement(id="not-a-uuid"),
        statement(surprise=True),
    ],
)
def test_an_invalid_statement_in_a_batch_stores_nothing(
    lrs: tuple[Client, dict[str, str]], bad: dict[str, Any]
) -> None:
    response = post(lrs, [statement(), bad])
    assert response.status_code == 400
    assert LrsStatement.objects.count() == 0


def test_same_id_same_content_is_a_no_op_other_content_conflicts(
    lrs: tuple[Client, dict[str, str]],
) -> None:
    sid = str(uuid.uuid4())
    original = statement(id=sid, timestamp="2026-01-05T10:00:00Z")
    assert post(lrs, original).status_code == 200
    assert post(lrs, original).status_code == 200
    assert LrsStatement.objects.count() == 1
    changed = statement(id=sid, timestamp="2026-01-05T10:00:00Z", result={"success": False})
    assert post(lrs, changed).status_code == 409
    assert LrsStatement.objects.get().data["result"]["success"] is True


def test_put_stores_under_the_given_id(lrs: tuple[Client, dict[str, str]]) -> None:
    client, headers = lrs
    sid = str(uuid.uuid4())
    response = client.put(
        f"{URL}?statementId={sid}",
        json.dumps(statement()),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 204
    assert LrsStatement.objects.get().id == uuid.UUID(sid)
    missing = client.put(URL, json.dumps(statement()), content_type="application/json", **headers)
    assert missing.status_code == 400


def test_filters_and_more_paging(lrs: tuple[Client, dict[str, str]]) -> None:
    client, headers = lrs
    registration = str(uuid.uuid4())
    ids = post(lrs, [statement() for _ in range(5)]).json()
    post(
        lrs,
        statement(
            actor={"account": {"homePage": "https://quiz.example", "name": "bob"}},
            verb={"id": "http://adlnet.gov/expapi/verbs/completed"},
            object={"id": "https://example.org/activities/other"},
            context={"registration": registration},
        ),
    )
    agent = json.dumps({"mbox": "mailto:ada@example.org"})
    seen: list[str] = []
    response = client.get(URL, {"agent": agent, "limit": 2, "ascending": "true"}, **headers)
    while True:
        body = response.json()
        assert len(body["statements"]) <= 2
        seen += [row["id"] for row in body["statements"]]
        if not body["more"]:
            break
        response = client.get(body["more"], **headers)
        assert response.status_code == 200
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    for query in (
        {"verb": "http://adlnet.gov/expapi/verbs/completed"},
        {"activity": "https://example.org/activities/other"},
        {"registration": registration},
        {"agent": json.dumps({"account": {"homePage": "https://quiz.example", "name": "bob"}})},
    ):
        assert len(client.get(URL, query, **headers).json()["statements"]) == 1
    assert client.get(URL, {"since": "2999-01-01T00:00:00Z"}, **headers).json()["statements"] == []
    assert client.get(URL, {"agent": "{}"}, **headers).status_code == 400
    assert client.get(URL, {"bogus": "1"}, **headers).status_code == 400


def test_voiding(lrs: tuple[Client, dict[str, str]]) -> None:
    client, headers = lrs
    (target,) = post(lrs, statement()).json()
    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target},
    )
    voiding.pop("result")
    (voider,) = post(lrs, voiding).json()
    assert client.get(URL, {"statementId": target}, **headers).status_code == 404
    voided = client.get(URL, {"voidedStatementId": target}, **headers)
    assert voided.status_code == 200 and voided.json()["id"] == target
    listed = [row["id"] for row in client.get(URL, **headers).json()["statements"]]
    assert listed == [voider]
    # A voiding statement cannot be voided.
    again = {**voiding, "object": {"objectType": "StatementRef", "id": voider}}
    assert post(lrs, again).status_code == 400
    # And a voiding statement's object must be a StatementRef.
    assert post(lrs, {**voiding, "object": {"id": ACTIVITY}}).status_code == 400


def test_statements_about_a_known_student_and_competency_become_evidence(
    lrs: tuple[Client, dict[str, str]],
) -> None:
    school = make_school()
    student = school.student_a
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    actor = {"account": {"homePage": "https://sis.example", "name": student.sourced_id}}
    activity_ids = [
        f"urn:tandem:competency:{competency.human_coding_scheme}",
        f"https://case.example/ims/case/v1p0/CFItems/{competency.identifier}",
        f"urn:uuid:{competency.identifier}",
    ]
    for activity_id in activity_ids:
        assert post(lrs, statement(actor=actor, object={"id": activity_id})).status_code == 200
    state = LearnerState.objects.get(student=student, competency=competency)
    assert state.n_attempts == 3 and state.n_correct == 3
    rows = LrsStatement.objects.all()
    assert all(row.evidence is not None for row in rows)
    assert {row.evidence.source for row in rows if row.evidence} == {Source.IMPORT}
    # Resending the same statement records nothing more.
    first = rows.order_by("stored").first()
    assert first is not None
    assert post(lrs, first.data).status_code == 200
    state.refresh_from_db()
    assert state.n_attempts == 3
    # Unknown students and activities are stored but are not evidence.
    post(lrs, statement(object={"id": activity_ids[0]}))
    post(lrs, statement(actor=actor))
    assert LrsStatement.objects.filter(evidence__isnull=True).count() == 2


def test_admin_issues_credentials_and_shows_the_secret_once(client: Client, db: Any) -> None:
    from django.contrib.auth.hashers import check_password
    from django.urls import reverse
    from tests.factories import make_user

    from tandem.interop.models import LrsClient
    from tandem.interop.xapi.constants import DEFAULT_SCOPES
    from tandem.roster.constants import Role

    admin_user = make_user(Role.ADMINISTRATOR)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    # The form asks for scopes (the default ones are ticked); a browser sends the ticked ones.
    response = client.post(
        reverse("admin:interop_lrsclient_add"),
        {"name": "Quiz app", "active": "on", "scopes": DEFAULT_SCOPES},
        follow=True,
    )
    assert response.status_code == 200
    issued = LrsClient.objects.get()
    assert issued.created_by == admin_user
    text = response.content.decode()
    assert issued.key in text
    secret = text.split("secret <code>")[1].split("</code>")[0]
    assert check_password(secret, issued.secret_hash) and secret not in issued.secret_hash
    page = client.get(reverse("admin:interop_lrsclient_change", args=[issued.pk]))
    assert secret not in page.content.decode()
