"""xAPI 2.0.0 (IEEE 9274.1.1) beside 1.0.3: the version a client sends decides the rules and the
version the LRS answers with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.interop.test_xapi_statements import Lrs, lrs, statement

__all__ = ["lrs"]  # the fixture, imported to be used here

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
