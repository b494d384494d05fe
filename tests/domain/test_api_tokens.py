"""API tokens for other software: scoped, revocable, expiring, hashed at rest, audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from tests.factories import make_school

from tandem.api.constants import Scope
from tandem.api.models import ApiToken
from tandem.api.services import api_token_issue, api_token_revoke
from tandem.privacy.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _issue(school, *, user=None, scopes=(Scope.READ_ROSTER,), expires_at=None):
    return api_token_issue(
        issued_by=school.admin,
        user=user or school.admin,
        name="gradebook sync",
        scopes=list(scopes),
        expires_at=expires_at,
    )


def test_a_token_reads_what_its_scope_allows_and_records_its_use(client, school):
    token, secret = _issue(school)
    assert token.last_used_at is None
    response = client.get("/api/students/", **_bearer(secret))
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()} == {school.student_a.pk, school.student_b.pk}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_is_refused_outside_its_scope_and_the_refusal_is_audited(client, school):
    _, secret = _issue(school, scopes=[Scope.READ_ROSTER])
    response = client.get(f"/api/students/{school.student_a.pk}/evidence", **_bearer(secret))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    refusal = AccessLog.objects.get(refused=True)
    assert refusal.actor == school.admin
    assert refusal.action == "api:scope:read:evidence"
    assert refusal.requested_id == str(school.student_a.pk)
    # A write scope is a scope of its own.
    posted = client.post(
        f"/api/students/{school.student_a.pk}/observations",
        {"competency": "6.EE.A.2", "kind": "needs_help"},
        content_type="application/json",
        **_bearer(secret),
    )
    assert posted.status_code == 403


def test_a_token_never_sees_more_than_its_user(client, school):
    """A teacher's token with every scope still sees only that teacher's students."""
    _, secret = _issue(school, user=school.teacher_a, scopes=list(Scope))
    rows = client.get("/api/students/", **_bearer(secret)).json()
    assert [row["id"] for row in rows] == [school.student_a.pk]
    other = client.get(f"/api/students/{school.student_b.pk}/mastery", **_bearer(secret))
    assert other.status_code == 404
    assert AccessLog.objects.filter(refused=True, action="api:mastery").exists()
    created = client.post(
        f"/api/students/{school.student_a.pk}/observations",
        {"competency": "6.EE.A.2", "kind": "needs_help"},
        content_type="application/json",
        **_bearer(secret),
    )
    assert created.status_code == 201, created.content


def test_practice_is_not_open_to_tokens(client, school):
    _, secret = _issue(school, user=school.student_a, scopes=list(Scope))
    assert client.post("/api/practice/next", **_bearer(secret)).status_code == 401


def test_revoked_and_expired_tokens_are_refused(client, school):
    token, secret = _issue(school)
    api_token_revoke(token=token, revoked_by=school.admin)
    response = client.get("/api/students/", **_bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert AccessLog.objects.filter(refused=True, action="api:token:revoked").exists()

    past = timezone.now() - dt.timedelta(minutes=1)
    _, expired = _issue(school, expires_at=past)
    assert client.get("/api/students/", **_bearer(expired)).status_code == 401
    assert AccessLog.objects.filter(refused=True, action="api:token:expired").exists()

    assert client.get("/api/students/", **_bearer("tdm_not-a-token")).status_code == 401
    assert client.get("/api/students/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(client, school):
    _, secret = _issue(school, user=school.teacher_a)
    school.teacher_a.is_active = False
    school.teacher_a.save()
    assert client.get("/api/students/", **_bearer(secret)).status_code == 401


def test_only_a_hash_of_the_secret_is_stored(school):
    token, secret = _issue(school)
    assert len(secret) >= 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert secret[8:] not in stored  # not even most of it


def test_unknown_scopes_are_refused(school):
    with pytest.raises(ValueError, match="unknown scope"):
        _issue(school, scopes=["read:everything"])


def test_the_manage_command_issues_lists_and_revokes(school, capsys):
    call_command(
        "api_token",
        "issue",
        "--user",
        school.admin.username,
        "--name",
        "sis",
        "--scope",
        "read:roster",
        "--expires-days",
        "30",
    )
    out = capsys.readouterr().out
    secret = next(word for word in out.split() if word.startswith("tdm_"))
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is not None
    call_command("api_token", "list")
    listed = capsys.readouterr().out
    assert "sis" in listed and secret not in listed
    call_command("api_token", "revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_shows_the_secret_once(client, school):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser(
        username="root", password="pw-long-enough-1", sourced_id="root"
    )
    client.force_login(superuser)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "lms",
            "user": school.teacher_a.pk,
            "scopes": ["read:roster", "read:mastery"],
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get()
    body = response.content.decode()
    secret = next(
        w for w in body.replace("<", " ").replace(">", " ").split() if w.startswith("tdm_")
    )
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.created_by == superuser
    change = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert secret not in change


def test_openapi_documents_the_error_responses_and_the_bearer_scheme(client):
    schema = client.get("/api/openapi.json").json()
    assert "ErrorOut" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422"):
                response = operation["responses"].get(status)
                assert response, f"{method} {path} lacks {status}"
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut")
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_api_docs_are_served_from_vendored_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui" in body
    assert "cdn" not in body.lower()
    assert "https://" not in body and "http://" not in body


def test_only_superusers_issue_tokens_acting_as_superusers(school):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser(
        username="root", password="pw-long-enough-1", sourced_id="root"
    )
    # An administrator without superuser rights (roster administrators are superusers unless
    # someone takes that away) may issue a token for a teacher, who sees no more than they...
    school.admin.is_superuser = False
    school.admin.save()
    api_token_issue(
        issued_by=school.admin, user=school.teacher_a, name="t", scopes=[Scope.READ_ROSTER]
    )
    # ...but not one acting as a superuser, and a teacher issues none at all.
    with pytest.raises(PermissionError):
        api_token_issue(
            issued_by=school.admin, user=superuser, name="t", scopes=[Scope.READ_ROSTER]
        )
    with pytest.raises(PermissionError):
        api_token_issue(
            issued_by=school.teacher_a, user=school.teacher_a, name="t", scopes=[Scope.READ_ROSTER]
        )
    api_token_issue(issued_by=superuser, user=superuser, name="t", scopes=[Scope.READ_ROSTER])


def test_a_staff_member_without_superuser_rights_cannot_pick_a_superuser_in_the_admin(
    client, school
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    superuser = get_user_model().objects.create_superuser(
        username="root", password="pw-long-enough-1", sourced_id="root"
    )
    school.admin.is_superuser = False
    school.admin.save()
    school.admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"])
    )
    client.force_login(school.admin)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"name": "x", "user": superuser.pk, "scopes": ["read:roster"]},
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_the_admin_revokes_tokens(client, school):
    token, secret = _issue(school)
    client.force_login(school.admin)
    response = client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == school.admin
    assert client.get("/api/students/", **_bearer(secret)).status_code == 401
