"""Every refused launch: a clear 4xx page naming the reason, and nobody signed in."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from django.test import Client, override_settings
from tests.lti.conftest import CODE
from tests.lti.platform import INSTRUCTOR, LEARNER, new_key

from tandem.lti.models import LoginState, ResourceLink, UserLink

pytestmark = pytest.mark.django_db

TOOL = "http://testserver"


@pytest.fixture
def platform(make_platform):
    return make_platform(TOOL)


def start(client: Client, platform, message) -> dict[str, str]:
    """Login initiation through the tool; returns the auth request's query (state, nonce)."""
    url = urllib.parse.urlsplit(platform.login_url(message))
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    assert client.cookies["lti_state"].value == query["state"]
    return query


def post_launch(client: Client, id_token: str, state: str):
    return client.post("/lti/launch", {"id_token": id_token, "state": state})


def student(platform, school, **kwargs):
    return platform.resource_link(
        sub="s-a",
        roles=[LEARNER],
        person_sourcedid=school.student_a.sourced_id,
        section=school.class_a.sourced_id,
        custom={"tandem_target": f"competency:{CODE}"},
        **kwargs,
    )


def refused(response, status: int, reason: str) -> None:
    assert response.status_code == status, response.content[:500]
    assert f"Reason: {reason}" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_valid_launch_signs_in(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    response = post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"])
    assert response.status_code == 302
    assert response["Location"] == f"/learn/practice/?competency={CODE}"
    assert client.session["_auth_user_id"] == str(school.student_a.pk)
    assert UserLink.objects.get().user == school.student_a


def test_bad_signature(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    _, other = new_key()  # same kid, another key: the signature cannot verify
    token = platform.id_token(message, nonce=query["nonce"], key_pem=other)
    refused(post_launch(client, token, query["state"]), 403, "bad signature")


def test_wrong_audience(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    token = platform.id_token(message, nonce=query["nonce"], aud="someone-else", azp="someone-else")
    refused(post_launch(client, token, query["state"]), 403, "wrong audience")


def test_several_audiences_need_azp(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    token = platform.id_token(
        message, nonce=query["nonce"], aud=[platform.client_id, "other"], azp="other"
    )
    refused(post_launch(client, token, query["state"]), 403, "wrong azp")


def test_expired_token(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    past = int(time.time()) - 3600
    token = platform.id_token(message, nonce=query["nonce"], iat=past, exp=past + 300)
    refused(post_launch(client, token, query["state"]), 403, "token expired")


def test_replayed_launch(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    token = platform.id_token(message, nonce=query["nonce"])
    assert post_launch(client, token, query["state"]).status_code == 302
    replay = Client()
    replay.cookies["lti_state"] = query["state"]
    refused(post_launch(replay, token, query["state"]), 400, "unknown or used state")


def test_nonce_of_another_login(client, school, platform):
    message = student(platform, school)
    first = start(client, platform, message)
    second = start(client, platform, message)
    token = platform.id_token(message, nonce=first["nonce"])
    refused(post_launch(client, token, second["state"]), 403, "nonce mismatch")


def test_unknown_deployment(client, school, platform):
    message = student(platform, school)
    message["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "not-registered"
    query = start(client, platform, message)
    refused(
        post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"]),
        403,
        "unknown deployment",
    )


def test_state_mismatch(client, school, platform):
    message = student(platform, school)
    query = start(client, platform, message)
    client.cookies["lti_state"] = "from-another-browser"
    token = platform.id_token(message, nonce=query["nonce"])
    refused(post_launch(client, token, query["state"]), 403, "state mismatch")
    assert LoginState.objects.filter(state=query["state"]).exists()  # not spent by a mismatch


def test_unknown_user_is_not_created(client, school, platform):
    message = student(platform, school)
    message["sub"] = "stranger"
    message["https://purl.imsglobal.org/spec/lti/claim/lis"]["person_sourcedid"] = "nobody-here"
    query = start(client, platform, message)
    response = post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"])
    assert response.status_code == 403
    assert "ask your teacher or the school office" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert not UserLink.objects.exists()


def test_role_mismatch(client, school, platform):
    message = student(platform, school)
    message["https://purl.imsglobal.org/spec/lti/claim/roles"] = [INSTRUCTOR]
    query = start(client, platform, message)
    refused(
        post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"]),
        403,
        "role mismatch",
    )


def test_student_of_another_class(client, school, platform):
    message = student(platform, school)
    message["https://purl.imsglobal.org/spec/lti/claim/lis"]["course_section_sourcedid"] = (
        school.class_b.sourced_id
    )
    query = start(client, platform, message)
    refused(
        post_launch(client, platform.id_token(message, nonce=query["nonce"]), query["state"]),
        403,
        "not in class",
    )
    assert not ResourceLink.objects.exists()


def test_unknown_platform_at_login(client, school, platform):
    response = client.get("/lti/login", {"iss": "https://elsewhere.example", "login_hint": "x"})
    assert response.status_code == 400
    assert "Reason: unknown platform" in response.content.decode()
    assert not LoginState.objects.exists()


def test_login_by_post_is_accepted(client, school, platform):
    response = client.post(
        "/lti/login",
        {"iss": platform.issuer, "login_hint": "h", "client_id": platform.client_id},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(platform.url + "/auth?")


def test_state_cookie_survives_the_cross_site_post_where_browsers_allow(client, school, platform):
    login = {"iss": platform.issuer, "login_hint": "h", "client_id": platform.client_id}
    over_https = client.get("/lti/login", login, secure=True).cookies["lti_state"]
    assert over_https["samesite"] == "None" and over_https["secure"] and over_https["httponly"]
    on_loopback = client.get("/lti/login", login, HTTP_HOST="localhost:8000").cookies["lti_state"]
    assert on_loopback["samesite"] == "None" and on_loopback["secure"]
    # Plain HTTP elsewhere: browsers refuse SameSite=None without Secure, so Lax it is.
    plain = client.get("/lti/login", login).cookies["lti_state"]
    assert plain["samesite"] == "Lax" and not plain["secure"]
    assert plain["path"] == "/lti/launch"


def test_behind_a_tls_proxy_the_site_url_names_the_tool(client, school, platform):
    login = {"iss": platform.issuer, "login_hint": "h", "client_id": platform.client_id}
    with override_settings(TANDEM_SITE_URL="https://tandem.school.example"):
        response = client.get("/lti/login", login)  # plain HTTP from the proxy
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    assert query["redirect_uri"] == "https://tandem.school.example/lti/launch"
    assert response.cookies["lti_state"]["samesite"] == "None"
    assert response.cookies["lti_state"]["secure"]
