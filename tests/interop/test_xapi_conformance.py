"""Regression tests for the ADL LRS conformance suite's findings (make conformance), each one
failing before its fix: validation gaps, response shapes and headers."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from tests.interop.test_xapi_statements import ACTIVITY, ANSWERED, Lrs, lrs, statement

from tandem.interop.models import LrsDocument, LrsStatement

__all__ = ["lrs"]  # the fixture, imported to be used here

CONSISTENT = "X-Experience-API-Consistent-Through"


@pytest.mark.parametrize("kind", [{"a": 1}, ["choice"], 7, True])
def test_a_non_string_interaction_type_is_a_400_not_a_500(lrs: Lrs, kind: Any) -> None:
    bad = statement(object={"id": ACTIVITY, "definition": {"interactionType": kind}})
    sub = statement(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:bob@example.org"},
            "verb": {"id": ANSWERED},
            "object": bad["object"],
        }
    )
    assert lrs.post(bad).status_code == 400
    assert lrs.post(sub).status_code == 400


@pytest.mark.parametrize(
    "ifi",
    [
        {"mbox": "mailto:group@example.org"},
        {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
        {"openid": "http://example.org/group"},
        {"account": {"homePage": "http://example.org", "name": "group"}},
    ],
)
def test_an_identified_group_is_refused_as_authority(lrs: Lrs, ifi: dict[str, Any]) -> None:
    members = [{"mbox": "mailto:app@example.org"}, {"mbox": "mailto:user@example.org"}]
    authority = {"objectType": "Group", "member": members, **ifi}
    assert lrs.post(statement(authority=authority)).status_code == 400
    assert LrsStatement.objects.count() == 0


@pytest.mark.parametrize(("duration", "status"), [("P4W1D", 400), ("P4WT1H", 400), ("P4W", 200)])
def test_weeks_stand_alone_in_a_duration(lrs: Lrs, duration: str, status: int) -> None:
    response = lrs.post(statement(result={"duration": duration}))
    assert response.status_code == status


def test_a_single_context_activity_is_returned_as_an_array(lrs: Lrs) -> None:
    single = {"objectType": "Activity", "id": "https://example.org/course"}
    context = {"contextActivities": {key: single for key in ("parent", "grouping", "category")}}
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:bob@example.org"},
        "verb": {"id": ANSWERED},
        "object": {"id": ACTIVITY},
        "context": {"contextActivities": {"other": single}},
    }
    (sid,) = lrs.post(statement(object=sub, context=context)).json()
    got = lrs.get({"statementId": sid}).json()
    for key in ("parent", "grouping", "category"):
        assert got["context"]["contextActivities"][key] == [single]
    assert got["object"]["context"]["contextActivities"]["other"] == [single]
    # The same statement sent again with the array form is the same statement, not a conflict.
    again = statement(
        id=sid,
        object={**sub, "context": {"contextActivities": {"other": [single]}}},
        context={"contextActivities": {key: [single] for key in context["contextActivities"]}},
    )
    assert lrs.post(again).status_code == 200


def test_format_ids_gives_an_activity_as_its_id_alone(lrs: Lrs) -> None:
    sub = {
        "objectType": "SubStatement",
        "actor": {"objectType": "Group", "mbox": "mailto:team@example.org", "name": "Team"},
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": ACTIVITY, "definition": {"name": {"en": "Q"}}},
    }
    (sid,) = lrs.post(statement(object=sub)).json()
    got = lrs.get({"statementId": sid, "format": "ids"}).json()
    assert got["object"]["object"] == {"id": ACTIVITY}
    assert got["object"]["actor"] == {"objectType": "Group", "mbox": "mailto:team@example.org"}


@pytest.mark.parametrize(
    "params",
    [
        {"statementId": str(uuid.uuid4()), "verb": ANSWERED},
        {"voidedStatementId": str(uuid.uuid4()), "limit": "1"},
        {"since": "not a time"},
    ],
)
def test_a_refused_statement_read_still_says_how_consistent_it_is(
    lrs: Lrs, params: dict[str, str]
) -> None:
    response = lrs.get(params)
    assert response.status_code == 400
    assert response[CONSISTENT]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/xapi/activities/profile", {"activityId": ACTIVITY, "profileId": "new"}),
        ("/xapi/agents/profile", {"agent": '{"mbox": "mailto:ada@example.org"}', "profileId": "n"}),
    ],
)
def test_a_new_profile_put_without_a_precondition_is_refused(
    lrs: Lrs, path: str, params: dict[str, str]
) -> None:
    url = f"{path}?{urlencode(params)}"
    body = json.dumps({"v": 1})
    bare = lrs.http.put(url, body, content_type="application/json", **lrs.headers)
    assert bare.status_code == 400
    assert bare.json()["error"]
    created = lrs.http.put(
        url, body, content_type="application/json", HTTP_IF_NONE_MATCH="*", **lrs.headers
    )
    assert created.status_code == 204


def test_a_profile_post_of_invalid_json_is_refused(lrs: Lrs) -> None:
    url = "/xapi/activities/profile?" + urlencode({"activityId": ACTIVITY, "profileId": "p"})
    response = lrs.http.post(url, "{not json", content_type="application/json", **lrs.headers)
    assert response.status_code == 400
    assert LrsDocument.objects.count() == 0


def test_a_request_without_a_version_is_answered_in_the_clients_last_version(lrs: Lrs) -> None:
    bare = {k: v for k, v in lrs.headers.items() if k != "HTTP_X_EXPERIENCE_API_VERSION"}
    refused = lrs.http.get("/xapi/statements", **bare)
    assert refused.status_code == 400
    assert refused["X-Experience-API-Version"] == "1.0.3"
    lrs.http.get("/xapi/statements", **{**bare, "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"})
    refused = lrs.http.get("/xapi/statements", **bare)
    assert refused.status_code == 400
    assert refused["X-Experience-API-Version"] == "2.0.0"
