"""xAPI 2.0.0 (IEEE 9274.1.1) beside 1.0.3: the version a client sends decides the rules and the
version the LRS answers with."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from tests.interop.test_xapi_statements import (
    ACTIVITY,
    BOUNDARY,
    Lrs,
    _signed,
    lrs,
    signer,
    statement,
)

__all__ = ["lrs", "signer"]  # the fixtures, imported to be used here

V2 = {"HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
PLAYER = {"objectType": "Agent", "mbox": "mailto:player-1@example.com"}
TEAM = {"objectType": "Group", "mbox": "mailto:team-1@example.com", "member": [PLAYER]}
ROLE = "https://example.com/xapi/activity-types/position/quarterback"
AS_PLAYER = {"objectType": "contextAgent", "agent": PLAYER}


def post_v2(lrs: Lrs, body: Any) -> Any:
    return lrs.http.post(
        "/xapi/statements",
        json.dumps(body),
        content_type="application/json",
        **{**lrs.headers, **V2},
    )


def test_a_2_0_client_is_served_and_answered_as_2_0(lrs: Lrs) -> None:
    response = post_v2(lrs, statement())
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "2.0.0"
    (sid,) = response.json()
    got = lrs.http.get("/xapi/statements", {"statementId": sid}, **{**lrs.headers, **V2})
    assert got.json()["version"] == "2.0.0"  # none was sent: a 2.0 statement
    assert lrs.get({"statementId": sid})["X-Experience-API-Version"] == "1.0.3"


def test_version_2_0_is_kept_under_2_0_and_refused_under_1_0_3(lrs: Lrs) -> None:
    assert lrs.post(statement(version="2.0.0")).status_code == 400
    (sid,) = post_v2(lrs, statement(version="2.0.0")).json()
    assert lrs.get({"statementId": sid}).json()["version"] == "2.0.0"
    assert post_v2(lrs, statement(version="3.0.0")).status_code == 400


def test_context_agents_and_groups_are_2_0_only(lrs: Lrs) -> None:
    context = {
        "contextAgents": [{"objectType": "contextAgent", "agent": PLAYER, "relevantTypes": [ROLE]}],
        "contextGroups": [{"objectType": "contextGroup", "group": TEAM}],
    }
    assert lrs.post(statement(context=context)).status_code == 400
    response = post_v2(lrs, statement(context=context))
    assert response.status_code == 200
    # Their agents count as related agents in queries.
    found = lrs.get({"agent": '{"mbox": "mailto:player-1@example.com"}', "related_agents": "true"})
    assert [s["id"] for s in found.json()["statements"]] == response.json()


@pytest.mark.parametrize(
    "context",
    [
        {"contextAgents": [{"objectType": "Should fail", "agent": PLAYER}]},
        {"contextAgents": [{"objectType": "contextAgent", "agent": {"key": "x"}}]},
        {"contextAgents": [{**AS_PLAYER, "relevantTypes": []}]},
        {"contextAgents": [{**AS_PLAYER, "relevantTypes": ["a"]}]},
        {"contextAgents": AS_PLAYER},
        {"contextGroups": [{"objectType": "contextGroup", "group": PLAYER}]},
        {"contextGroups": [{"objectType": "contextAgent", "group": TEAM}]},
    ],
)
def test_malformed_context_agents_and_groups_are_refused(lrs: Lrs, context: dict[str, Any]) -> None:
    assert post_v2(lrs, statement(context=context)).status_code == 400


def test_the_about_resource_names_2_0_0(lrs: Lrs) -> None:
    assert "2.0.0" in lrs.http.get("/xapi/about").json()["version"]


def test_under_2_0_a_state_put_over_an_existing_document_needs_a_precondition(lrs: Lrs) -> None:
    url = "/xapi/activities/state?" + urlencode(
        {"activityId": ACTIVITY, "agent": json.dumps(PLAYER), "stateId": "bookmark"}
    )
    v2 = {**lrs.headers, **V2}
    put = lrs.http.put
    assert put(url, '{"v": 1}', content_type="application/json", **v2).status_code == 204
    conflict = put(url, '{"v": 2}', content_type="application/json", **v2)
    assert conflict.status_code == 409 and conflict.json()["error"]
    assert lrs.http.get(url, **v2).json() == {"v": 1}
    # Under 1.0.3 a State PUT still replaces without one.
    assert put(url, '{"v": 3}', content_type="application/json", **lrs.headers).status_code == 204


def test_under_2_0_an_unknown_activity_is_still_an_activity_object(lrs: Lrs) -> None:
    unknown = "http://www.example.com/never-before-seen/1"
    got = lrs.http.get("/xapi/activities", {"activityId": unknown}, **{**lrs.headers, **V2})
    assert got.status_code == 200
    assert got.json() == {"objectType": "Activity", "id": unknown}
    assert lrs.get({"statementId": str(uuid.uuid4())}).status_code == 404


def test_2_0_has_no_alternate_request_syntax(lrs: Lrs) -> None:
    form = {
        "statementId": str(uuid.uuid4()),
        "content": json.dumps(statement()),
        "X-Experience-API-Version": "2.0.0",
        "Authorization": lrs.headers["HTTP_AUTHORIZATION"],
    }
    url = "/xapi/statements?method=PUT"
    kind = "application/x-www-form-urlencoded"
    assert lrs.http.post(url, urlencode(form), content_type=kind).status_code == 400
    form["X-Experience-API-Version"] = "1.0.3"
    assert lrs.http.post(url, urlencode(form), content_type=kind).status_code == 204


def test_a_signature_compares_durations_to_the_hundredth(lrs: Lrs, signer: tuple[Any, str]) -> None:
    signed = statement(result={"duration": "P1DT12H36M0.12S"})
    sent = statement(result={"duration": "P1DT12H36M0.1237S"})
    key, certificate = signer
    body = _signed(signed, key, x5c=certificate, sent=sent)
    response = lrs.http.post(
        "/xapi/statements",
        body,
        content_type=f'multipart/mixed; boundary="{BOUNDARY}"',
        **{**lrs.headers, **V2},
    )
    assert response.status_code == 200, response.content
