"""Tandem's LRS over HTTP: document resources, Activities and Agents, scopes, CORS and the
alternate request syntax (xAPI 1.0.3 communication 1.3, 2.2-2.7, 3.1, 4.1.9)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from tests.factories import make_school

from tandem.competencies.models import Competency
from tandem.interop.models import LrsClient, LrsDocument
from tandem.interop.xapi.constants import DEFAULT_SCOPES, Scope
from tandem.interop.xapi.documents import DOCUMENT_MAX_BYTES
from tandem.interop.xapi.services import lrs_client_issue

STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
ACTIVITY = "https://example.org/activities/quiz-1"
AGENT = {"objectType": "Agent", "account": {"homePage": "https://quiz.example", "name": "ada"}}
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


class Lrs:
    """A test client that sends one LRS client's credentials and the version header."""

    def __init__(self, scopes: list[str] | None = None, name: str = "Quiz app") -> None:
        self.client, secret = lrs_client_issue(name=name, scopes=scopes)
        self.token = base64.b64encode(f"{self.client.key}:{secret}".encode()).decode()
        self.http = Client()
        self.headers = {**VERSION, "HTTP_AUTHORIZATION": f"Basic {self.token}"}

    def url(self, path: str, params: dict[str, Any]) -> str:
        encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
        return f"{path}?{urlencode(encoded)}" if encoded else path

    def send(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        body: Any = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        data = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
        call = getattr(self.http, method.lower())
        extra = {**self.headers, **headers}
        if data is None:
            return call(self.url(path, params), **extra)
        return call(self.url(path, params), data, content_type=content_type, **extra)


@pytest.fixture
def lrs(db: Any) -> Lrs:
    return Lrs()


def state(**overrides: Any) -> dict[str, Any]:
    return {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **overrides}


def sha1_tag(content: bytes) -> str:
    return f'"{hashlib.sha1(content).hexdigest()}"'


# --- the three document resources ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (STATE, state()),
        (STATE, state(registration=str(uuid.uuid4()))),
        (ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": "settings"}),
        (AGENT_PROFILE, {"agent": AGENT, "profileId": "settings"}),
    ],
)
def test_put_get_delete_round_trip_with_etag_and_content_type(
    lrs: Lrs, path: str, params: dict[str, Any]
) -> None:
    content = b"<bookmark page='3'/>"
    # A new profile is created with If-None-Match: * (a State needs none).
    create = {} if path == STATE else {"HTTP_IF_NONE_MATCH": "*"}
    response = lrs.send("PUT", path, params, content, content_type="application/xml", **create)
    assert response.status_code == 204
    assert response["ETag"] == sha1_tag(content)
    response = lrs.send("GET", path, params)
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "application/xml"
    assert response["ETag"] == sha1_tag(content)
    assert "Last-Modified" in response
    assert response["X-Experience-API-Version"] == "1.0.3"
    head = lrs.send("HEAD", path, params)
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == sha1_tag(content)
    assert lrs.send("DELETE", path, params).status_code == 204
    assert lrs.send("GET", path, params).status_code == 404
    assert LrsDocument.objects.count() == 0


def test_post_stores_a_new_document_as_sent_then_merges_json_one_level(lrs: Lrs) -> None:
    params = state()
    first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale", "laps": 3}
    assert lrs.send("POST", STATE, params, first).status_code == 204
    assert lrs.send("GET", STATE, params).json() == first
    second = {"car": {"make": "Dodge"}, "driver": "Jeff"}
    response = lrs.send("POST", STATE, params, second)
    assert response.status_code == 204
    merged = {"car": {"make": "Dodge"}, "driver": "Jeff", "laps": 3}
    got = lrs.send("GET", STATE, params)
    assert got.json() == merged
    assert got["ETag"] == sha1_tag(got.content) == response["ETag"]


@pytest.mark.parametrize("body", ["1", "true", "plain words"])
def test_post_of_a_new_non_json_document_is_stored_as_sent(lrs: Lrs, body: str) -> None:
    params = state()
    response = lrs.send("POST", STATE, params, body, content_type="text/plain")
    assert response.status_code == 204
    got = lrs.send("GET", STATE, params)
    assert got.content == body.encode() and got["Content-Type"] == "text/plain"


@pytest.mark.parametrize(
    ("stored", "stored_type", "sent", "sent_type"),
    [
        ({"a": 1}, "application/json", "abc", "text/plain"),
        ({"a": 1}, "application/json", "[1, 2]", "application/json"),
        ({"a": 1}, "application/json", "{not json", "application/json"),
        ("abc", "text/plain", {"a": 1}, "application/json"),
        ("[1]", "application/json", {"a": 1}, "application/json"),
    ],
)
def test_post_over_a_document_that_is_not_a_json_object_is_refused_and_changes_nothing(
    lrs: Lrs, stored: Any, stored_type: str, sent: Any, sent_type: str
) -> None:
    params = {"activityId": ACTIVITY, "profileId": "p"}
    assert lrs.send("POST", ACTIVITY_PROFILE, params, stored, stored_type).status_code == 204
    before = lrs.send("GET", ACTIVITY_PROFILE, params).content
    response = lrs.send("POST", ACTIVITY_PROFILE, params, sent, sent_type)
    assert response.status_code == 400
    assert "error" in response.json()
    assert lrs.send("GET", ACTIVITY_PROFILE, params).content == before


def test_ids_list_with_since_and_registration_and_delete_of_a_whole_context(lrs: Lrs) -> None:
    registration = str(uuid.uuid4())
    for state_id in ("a", "b"):
        assert lrs.send("PUT", STATE, state(stateId=state_id), {"n": 1}).status_code == 204
    lrs.send("PUT", STATE, state(stateId="r", registration=registration), {"n": 1})
    lrs.send("PUT", STATE, state(stateId="other-agent", agent={"mbox": "mailto:b@x.org"}), {})
    lrs.send("PUT", STATE, state(stateId="other-activity", activityId=ACTIVITY + "/2"), {})
    context = {"activityId": ACTIVITY, "agent": AGENT}
    response = lrs.send("GET", STATE, context)
    assert response.status_code == 200
    assert response.json() == ["a", "b", "r"]
    assert lrs.send("GET", STATE, {**context, "registration": registration}).json() == ["r"]
    cutoff = max(LrsDocument.objects.values_list("updated", flat=True)).isoformat()
    time.sleep(0.01)
    lrs.send("PUT", STATE, state(stateId="a"), {"n": 2})
    assert lrs.send("GET", STATE, {**context, "since": cutoff}).json() == ["a"]
    assert lrs.send("GET", STATE, {**context, "since": "2999-01-01T00:00:00Z"}).json() == []
    assert lrs.send("GET", STATE, {**context, "since": "yesterday"}).status_code == 400
    # since is ignored when one document is asked for.
    single = lrs.send("GET", STATE, state(stateId="b", since="2999-01-01T00:00:00Z"))
    assert single.status_code == 200
    # DELETE without stateId empties the context (every registration), nothing else.
    assert lrs.send("DELETE", STATE, {**context, "registration": registration}).status_code == 204
    assert lrs.send("GET", STATE, context).json() == ["a", "b"]
    assert lrs.send("DELETE", STATE, context).status_code == 204
    assert lrs.send("GET", STATE, context).json() == []
    assert set(LrsDocument.objects.values_list("document_id", flat=True)) == {
        "other-agent",
        "other-activity",
    }


def test_profile_id_lists(lrs: Lrs) -> None:
    for profile_id in ("x", "y"):
        activity = {"activityId": ACTIVITY, "profileId": profile_id}
        lrs.send("PUT", ACTIVITY_PROFILE, activity, {}, HTTP_IF_NONE_MATCH="*")
        agent = {"agent": AGENT, "profileId": profile_id}
        lrs.send("PUT", AGENT_PROFILE, agent, {}, HTTP_IF_NONE_MATCH="*")
    assert lrs.send("GET", ACTIVITY_PROFILE, {"activityId": ACTIVITY}).json() == ["x", "y"]
    assert lrs.send("GET", AGENT_PROFILE, {"agent": AGENT}).json() == ["x", "y"]
    # The same agent written another way (name, objectType left out) is the same agent.
    same = {"account": AGENT["account"], "name": "Ada"}
    assert lrs.send("GET", AGENT_PROFILE, {"agent": same}).json() == ["x", "y"]


BAD_STATE_PARAMS = [
    {"agent": AGENT, "stateId": "s"},  # no activityId
    state(activityId="1"),
    state(activityId="true"),
    state(activityId='{"key": "value"}'),
    state(activityId="not an iri"),
    {"activityId": ACTIVITY, "stateId": "s"},  # no agent
    state(agent="not JSON"),
    state(agent="1"),
    state(agent={"name": "no identifier"}),
    state(agent={"mbox": "ada@example.org"}),
    state(agent={"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}),
    state(registration="not a UUID"),
    state(registration="1"),
    state(surprise="1"),
    state(since="2020-01-01T00:00:00Z"),  # since is for GET only
]


@pytest.mark.parametrize("params", BAD_STATE_PARAMS)
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_state_writes_with_bad_parameters_are_400_and_store_nothing(
    lrs: Lrs, method: str, params: dict[str, Any]
) -> None:
    body = None if method == "DELETE" else {"a": 1}
    response = lrs.send(method, STATE, params, body)
    assert response.status_code == 400, response.content
    assert LrsDocument.objects.count() == 0


@pytest.mark.parametrize("params", BAD_STATE_PARAMS[:-1])
def test_state_reads_with_bad_parameters_are_400(lrs: Lrs, params: dict[str, Any]) -> None:
    assert lrs.send("GET", STATE, params).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("PUT", STATE, {"activityId": ACTIVITY, "agent": AGENT}),
        ("POST", STATE, {"activityId": ACTIVITY, "agent": AGENT}),
        ("PUT", ACTIVITY_PROFILE, {"activityId": ACTIVITY}),
        ("POST", ACTIVITY_PROFILE, {"activityId": ACTIVITY}),
        ("DELETE", ACTIVITY_PROFILE, {"activityId": ACTIVITY}),
        ("PUT", ACTIVITY_PROFILE, {"profileId": "p"}),
        ("GET", ACTIVITY_PROFILE, {"profileId": "p"}),
        ("PUT", ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": "p", "agent": AGENT}),
        ("PUT", AGENT_PROFILE, {"agent": AGENT}),
        ("DELETE", AGENT_PROFILE, {"agent": AGENT}),
        ("GET", AGENT_PROFILE, {"profileId": "p"}),
        ("PUT", AGENT_PROFILE, {"agent": AGENT, "profileId": "p", "activityId": ACTIVITY}),
        ("PUT", AGENT_PROFILE, {"agent": {"mbox": "mailto:a@b.org", "openid": "https://a"}}),
    ],
)
def test_required_and_unknown_parameters(
    lrs: Lrs, method: str, path: str, params: dict[str, Any]
) -> None:
    body = None if method in ("GET", "DELETE") else {"a": 1}
    assert lrs.send(method, path, params, body).status_code == 400
    assert LrsDocument.objects.count() == 0


# --- concurrency: ETags and preconditions (communication 3.1) ------------------------------


def test_if_match_and_if_none_match(lrs: Lrs) -> None:
    params = {"agent": AGENT, "profileId": "prefs"}
    # If-None-Match: * creates only.
    assert (
        lrs.send("PUT", AGENT_PROFILE, params, {"v": 1}, HTTP_IF_NONE_MATCH="*").status_code == 204
    )
    tag = lrs.send("GET", AGENT_PROFILE, params)["ETag"]
    again = lrs.send("PUT", AGENT_PROFILE, params, {"v": 2}, HTTP_IF_NONE_MATCH="*")
    assert again.status_code == 412
    wrong = '"1111111111111111111111111111111111111111"'
    assert lrs.send("PUT", AGENT_PROFILE, params, {"v": 2}, HTTP_IF_MATCH=wrong).status_code == 412
    assert lrs.send("POST", AGENT_PROFILE, params, {"v": 2}, HTTP_IF_MATCH=wrong).status_code == 412
    assert lrs.send("DELETE", AGENT_PROFILE, params, HTTP_IF_MATCH=wrong).status_code == 412
    assert lrs.send("GET", AGENT_PROFILE, params).json() == {"v": 1}
    # The right tag (in a list, or *) replaces it.
    response = lrs.send("PUT", AGENT_PROFILE, params, {"v": 2}, HTTP_IF_MATCH=f'"x", {tag}')
    assert response.status_code == 204
    assert response["ETag"] != tag
    assert lrs.send("PUT", AGENT_PROFILE, params, {"v": 3}, HTTP_IF_MATCH="*").status_code == 204
    new_tag = lrs.send("GET", AGENT_PROFILE, params)["ETag"]
    stale = lrs.send("PUT", AGENT_PROFILE, params, {"v": 4}, HTTP_IF_NONE_MATCH=new_tag)
    assert stale.status_code == 412
    assert lrs.send("DELETE", AGENT_PROFILE, params, HTTP_IF_MATCH=new_tag).status_code == 204
    # If-Match on a document that does not exist fails; If-None-Match: * then succeeds.
    assert lrs.send("PUT", AGENT_PROFILE, params, {"v": 5}, HTTP_IF_MATCH="*").status_code == 412
    assert LrsDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": "p"}),
        (AGENT_PROFILE, {"agent": AGENT, "profileId": "p"}),
    ],
)
def test_put_over_an_existing_profile_without_a_precondition_is_409(
    lrs: Lrs, path: str, params: dict[str, Any]
) -> None:
    assert lrs.send("POST", path, params, {"v": 1}).status_code == 204
    response = lrs.send("PUT", path, params, {"v": 2})
    assert response.status_code == 409
    assert response.json()["error"]
    assert lrs.send("GET", path, params).json() == {"v": 1}


def test_state_put_replaces_without_a_precondition(lrs: Lrs) -> None:
    assert lrs.send("PUT", STATE, state(), {"v": 1}).status_code == 204
    assert lrs.send("PUT", STATE, state(), {"v": 2}).status_code == 204
    assert lrs.send("GET", STATE, state()).json() == {"v": 2}


def test_documents_over_the_size_limit_are_413(lrs: Lrs) -> None:
    big = b"x" * (DOCUMENT_MAX_BYTES + 1)
    assert lrs.send("PUT", STATE, state(), big, "text/plain").status_code == 413
    lrs.send("PUT", STATE, state(), {"a": "x" * (DOCUMENT_MAX_BYTES - 100)})
    # A merge that would grow past the limit is refused too.
    grown = lrs.send("POST", STATE, state(), {"b": "y" * 200})
    assert grown.status_code == 413
    assert set(lrs.send("GET", STATE, state()).json()) == {"a"}


# --- scopes (communication 4.1.9) ----------------------------------------------------------


def test_scopes_decide_who_may_do_what(db: Any) -> None:
    writer = Lrs(scopes=[Scope.STATEMENTS_WRITE])
    assert writer.send("PUT", STATE, state(), {"a": 1}).status_code == 403
    assert writer.send("GET", STATE, state()).status_code == 403
    assert writer.send("GET", AGENT_PROFILE, {"agent": AGENT}).status_code == 403
    assert writer.send("GET", "/xapi/statements", {}).status_code == 403
    assert LrsDocument.objects.count() == 0

    reader = Lrs(scopes=[Scope.ALL_READ])
    assert reader.send("PUT", STATE, state(), {"a": 1}).status_code == 403
    assert reader.send("GET", STATE, state()).status_code == 404
    assert reader.send("GET", "/xapi/statements", {}).status_code == 200
    statement = {
        "actor": {"mbox": "mailto:a@b.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": ACTIVITY},
    }
    assert reader.send("POST", "/xapi/statements", {}, statement).status_code == 403

    stateful = Lrs(scopes=[Scope.STATE])
    assert stateful.send("PUT", STATE, state(), {"a": 1}).status_code == 204
    assert (
        stateful.send(
            "PUT", AGENT_PROFILE, {"agent": AGENT, "profileId": "p"}, {}, HTTP_IF_NONE_MATCH="*"
        ).status_code
        == 403
    )

    everything = Lrs(scopes=[Scope.ALL])
    assert everything.send("POST", "/xapi/statements", {}, statement).status_code == 200
    assert (
        everything.send(
            "PUT", AGENT_PROFILE, {"agent": AGENT, "profileId": "p"}, {}, HTTP_IF_NONE_MATCH="*"
        ).status_code
        == 204
    )

    default = Lrs()
    assert sorted(default.client.scopes) == sorted(DEFAULT_SCOPES)
    assert default.send("GET", AGENT_PROFILE, {"agent": AGENT}).json() == ["p"]


def test_auth_and_version_come_before_anything_else(lrs: Lrs) -> None:
    no_version = {k: v for k, v in lrs.headers.items() if k != "HTTP_X_EXPERIENCE_API_VERSION"}
    assert lrs.http.get(lrs.url(STATE, state()), **no_version).status_code == 400
    for bad in ("0.9", "1.1.0", "1.0.x"):
        response = lrs.http.get(
            lrs.url(STATE, state()),
            HTTP_X_EXPERIENCE_API_VERSION=bad,
            HTTP_AUTHORIZATION=lrs.headers["HTTP_AUTHORIZATION"],
        )
        assert response.status_code == 400
    response = lrs.http.get(lrs.url(STATE, state()), **VERSION)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    LrsClient.objects.update(active=False)
    assert lrs.send("GET", STATE, state()).status_code == 401


# --- CORS and OPTIONS ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [STATE, ACTIVITY_PROFILE, AGENT_PROFILE, "/xapi/statements", "/xapi/about"]
)
def test_cors_preflight_needs_no_auth(client: Client, path: str) -> None:
    response = client.options(
        path,
        HTTP_ORIGIN="https://course.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-experience-api-version", "if-match"} <= allowed
    assert "GET" in response["Access-Control-Allow-Methods"]
    exposed = response["Access-Control-Expose-Headers"]
    for header in ("ETag", "Last-Modified", "X-Experience-API-Consistent-Through"):
        assert header in exposed


def test_every_answer_carries_cors_headers_even_errors(lrs: Lrs, client: Client) -> None:
    assert lrs.send("GET", STATE, state())["Access-Control-Allow-Origin"] == "*"
    assert client.get(STATE)["Access-Control-Allow-Origin"] == "*"  # 400, no version
    response = lrs.send("PATCH", STATE, state(), {})
    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" in response and "PUT" in response["Allow"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/xapi/statements"),
        ("DELETE", "/xapi/activities"),
        ("POST", "/xapi/activities"),
        ("PUT", "/xapi/agents"),
        ("DELETE", "/xapi/agents"),
        ("POST", "/xapi/about"),
    ],
)
def test_methods_a_resource_lacks_are_405_before_credentials_are_asked_for(
    client: Client, db: Any, method: str, path: str
) -> None:
    response = client.generic(method, f"{path}?activityId={ACTIVITY}", **VERSION)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_about_is_public_and_names_every_1_0_version_and_2_0_0(client: Client) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"]
    assert all(v.startswith("1.0.") or v == "2.0.0" for v in response.json()["version"])
    head = client.head("/xapi/about")
    assert head.status_code == 200 and head.content == b""


# --- alternate request syntax (communication 1.3) -------------------------------------------


def alternate(lrs: Lrs, path: str, method: str, form: dict[str, Any], **headers: str) -> Any:
    body = urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in form.items()})
    return lrs.http.post(
        f"{path}?method={method}",
        body,
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def test_alternate_syntax_carries_headers_parameters_and_content_in_the_form(lrs: Lrs) -> None:
    form = {
        **state(),
        "Authorization": f"Basic {lrs.token}",
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps({"page": 3}),
    }
    response = alternate(lrs, STATE, "PUT", form)
    assert response.status_code == 204
    assert lrs.send("GET", STATE, state()).json() == {"page": 3}
    tag = response["ETag"]
    got = alternate(
        lrs, STATE, "GET", {**state(), "Authorization": f"Basic {lrs.token}"}, **VERSION
    )
    assert got.status_code == 200 and got.json() == {"page": 3}
    # Preconditions travel in the form too.
    stale = {**form, "If-Match": '"' + "0" * 40 + '"', "content": json.dumps({"page": 4})}
    assert alternate(lrs, STATE, "PUT", stale).status_code == 412
    fresh = {**form, "If-Match": tag, "content": json.dumps({"page": 4})}
    assert alternate(lrs, STATE, "PUT", fresh).status_code == 204
    delete = {**state(), "Authorization": f"Basic {lrs.token}", "X-Experience-API-Version": "1.0.3"}
    assert alternate(lrs, STATE, "DELETE", delete).status_code == 204
    assert LrsDocument.objects.count() == 0


def test_alternate_syntax_for_statements_with_headers_sent_as_headers(lrs: Lrs) -> None:
    statement = {
        "actor": {"mbox": "mailto:a@b.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": ACTIVITY},
    }
    statement_id = str(uuid.uuid4())
    form = {"statementId": statement_id, "content": json.dumps(statement)}
    response = alternate(lrs, "/xapi/statements", "PUT", form, **lrs.headers)
    assert response.status_code == 204
    got = alternate(lrs, "/xapi/statements", "GET", {"statementId": statement_id}, **lrs.headers)
    assert got.status_code == 200 and got.json()["id"] == statement_id
    listed = alternate(lrs, "/xapi/statements", "GET", {"limit": "1"}, **lrs.headers)
    assert listed.status_code == 200 and set(listed.json()) >= {"statements", "more"}


def test_alternate_syntax_rules(lrs: Lrs) -> None:
    form = {**state(), "content": json.dumps({"a": 1})}
    # Other query parameters beside method.
    body = urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in form.items()})
    extra = lrs.http.post(
        f"{STATE}?method=PUT&stateId=x",
        body,
        content_type="application/x-www-form-urlencoded",
        **lrs.headers,
    )
    assert extra.status_code == 400
    # Not sent as POST.
    assert lrs.http.get(f"{STATE}?method=PUT", **lrs.headers).status_code == 400
    # Not form-encoded.
    as_json = lrs.http.post(
        f"{STATE}?method=PUT", json.dumps(form), content_type="application/json", **lrs.headers
    )
    assert as_json.status_code == 400
    # A PUT without content, and an unknown method.
    assert alternate(lrs, STATE, "PUT", state(), **lrs.headers).status_code == 400
    assert alternate(lrs, STATE, "PATCH", form, **lrs.headers).status_code == 400
    # Unknown form fields are parameters, and rejected as such.
    assert alternate(lrs, STATE, "PUT", {**form, "happy": "day"}, **lrs.headers).status_code == 400
    # Without credentials anywhere: 401; without a version anywhere: 400.
    assert alternate(lrs, STATE, "PUT", form, **VERSION).status_code == 401
    no_version = {"HTTP_AUTHORIZATION": lrs.headers["HTTP_AUTHORIZATION"]}
    assert alternate(lrs, STATE, "PUT", form, **no_version).status_code == 400
    assert LrsDocument.objects.count() == 0


# --- Activities and Agents resources (communication 2.4, 2.5) -------------------------------


def _statement(actor: dict[str, Any], definition: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"objectType": "Activity", "id": ACTIVITY}
    if definition is not None:
        obj["definition"] = definition
    return {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": obj,
    }


def test_activity_definition_comes_from_trusted_clients_only(db: Any) -> None:
    definer = Lrs(scopes=[Scope.STATEMENTS_WRITE, Scope.DEFINE], name="Author")
    other = Lrs(name="Other")
    assert other.send("GET", "/xapi/activities", {"activityId": ACTIVITY}).status_code == 404
    untrusted = {"name": {"en-US": "Spoofed"}}
    other.send("POST", "/xapi/statements", {}, _statement(AGENT, untrusted))
    response = other.send("GET", "/xapi/activities", {"activityId": ACTIVITY})
    assert response.status_code == 200
    assert response.json() == {"objectType": "Activity", "id": ACTIVITY}
    first = {"name": {"en-US": "Quiz 1"}, "type": "http://adlnet.gov/expapi/activities/assessment"}
    definer.send("POST", "/xapi/statements", {}, _statement(AGENT, first))
    definer.send("POST", "/xapi/statements", {}, _statement(AGENT, {"name": {"fr": "Quiz un"}}))
    response = other.send("GET", "/xapi/activities", {"activityId": ACTIVITY})
    assert response.json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"en-US": "Quiz 1", "fr": "Quiz un"},
            "type": "http://adlnet.gov/expapi/activities/assessment",
        },
    }
    for bad in ({}, {"activityId": "not an iri"}, {"activityId": ACTIVITY, "x": "1"}):
        assert other.send("GET", "/xapi/activities", bad).status_code == 400


def test_activity_of_a_tandem_competency(lrs: Lrs) -> None:
    make_school()
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    activity_id = f"urn:tandem:competency:{competency.human_coding_scheme}"
    response = lrs.send("GET", "/xapi/activities", {"activityId": activity_id})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == activity_id
    assert body["definition"]["description"] == {"en-US": competency.full_statement}
    assert body["definition"]["type"] == "http://adlnet.gov/expapi/activities/objective"


def test_agents_resource_returns_a_person_limited_to_what_the_client_may_read(db: Any) -> None:
    writer = Lrs(name="Writer")
    reader = Lrs(scopes=[Scope.STATEMENTS_READ], name="Reader")
    bystander = Lrs(scopes=[Scope.STATE], name="Bystander")
    named = {**AGENT, "name": "Ada Lovelace"}
    assert writer.send("POST", "/xapi/statements", {}, _statement(named)).status_code == 200
    asked = {"agent": AGENT}
    expected_account = [AGENT["account"]]
    for lrs in (writer, reader):
        response = lrs.send("GET", "/xapi/agents", asked)
        assert response.status_code == 200
        assert response.json() == {
            "objectType": "Person",
            "name": ["Ada Lovelace"],
            "account": expected_account,
        }
    # A client that may not read statements learns nothing it did not send.
    assert bystander.send("GET", "/xapi/agents", asked).json() == {
        "objectType": "Person",
        "account": expected_account,
    }
    # An unknown agent is still a Person: the one asked about.
    unknown = {"mbox": "mailto:nobody@example.org", "name": "N"}
    assert reader.send("GET", "/xapi/agents", {"agent": unknown}).json() == {
        "objectType": "Person",
        "name": ["N"],
        "mbox": ["mailto:nobody@example.org"],
    }
    assert reader.send("GET", "/xapi/agents", {}).status_code == 400
    assert reader.send("GET", "/xapi/agents", {"agent": "not JSON"}).status_code == 400
    group = {"objectType": "Group", "mbox": "mailto:class@example.org"}
    assert reader.send("GET", "/xapi/agents", {"agent": group}).status_code == 400


# --- the administrator picks the scopes ------------------------------------------------------


def test_admin_picks_scopes_with_the_default_preselected(client: Client, db: Any) -> None:
    from django.urls import reverse
    from tests.factories import make_user

    from tandem.roster.constants import Role

    admin_user = make_user(Role.ADMINISTRATOR)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:interop_lrsclient_add")).content.decode()
    for scope in Scope:
        (box,) = re.findall(rf'<input[^>]*name="scopes"[^>]*value="{scope.value}"[^>]*>', page)
        assert ("checked" in box) == (scope.value in DEFAULT_SCOPES)
    response = client.post(
        reverse("admin:interop_lrsclient_add"),
        {"name": "Reader", "active": "on", "scopes": [Scope.STATEMENTS_READ, Scope.DEFINE]},
        follow=True,
    )
    assert response.status_code == 200
    issued = LrsClient.objects.get()
    assert sorted(issued.scopes) == sorted([Scope.STATEMENTS_READ, Scope.DEFINE])
    assert "secret <code>" in response.content.decode()
    change = reverse("admin:interop_lrsclient_change", args=[issued.pk])
    client.post(change, {"name": "Reader", "active": "on", "scopes": [Scope.ALL_READ]})
    issued.refresh_from_db()
    assert issued.scopes == [Scope.ALL_READ]
    refused = client.post(change, {"name": "Reader", "active": "on", "scopes": ["root"]})
    assert refused.status_code == 200  # the form comes back with an error
    issued.refresh_from_db()
    assert issued.scopes == [Scope.ALL_READ]


def test_issuing_refuses_unknown_scopes(db: Any) -> None:
    with pytest.raises(ValueError, match="root"):
        lrs_client_issue(name="x", scopes=["root"])
    assert LrsClient.objects.count() == 0
