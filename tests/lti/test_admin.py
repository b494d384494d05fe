"""The administrator's side: registering a platform shows the URLs to paste into the LMS, and
the tool's key can be rotated."""

from __future__ import annotations

import pytest

from tandem.lti.models import Deployment, Platform, ToolKey
from tandem.lti.services import tool_key_current

pytestmark = pytest.mark.django_db


def test_platform_form_shows_the_tool_urls_and_registers(admin_client):
    page = admin_client.get("/admin/lti/platform/add/").content.decode()
    for url in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"<code>http://testserver{url}</code>" in page
    response = admin_client.post(
        "/admin/lti/platform/add/",
        {
            "name": "Canvas",
            "issuer": "https://canvas.example.org",
            "client_id": "10000000000001",
            "auth_login_url": "https://canvas.example.org/api/lti/authorize_redirect",
            "auth_token_url": "https://canvas.example.org/login/oauth2/token",
            "jwks_url": "https://canvas.example.org/api/lti/security/jwks",
            "is_active": "on",
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "0",
            "deployments-0-deployment_id": "1:abc",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    platform = Platform.objects.get()
    assert list(Deployment.objects.values_list("deployment_id", flat=True)) == ["1:abc"]
    assert platform.client_id == "10000000000001"


def test_rotate_key_from_the_admin(admin_client):
    first = tool_key_current()
    response = admin_client.post(
        "/admin/lti/toolkey/", {"action": "rotate", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    assert ToolKey.objects.filter(is_active=True).count() == 2
    assert tool_key_current().pk != first.pk
    page = admin_client.get(f"/admin/lti/toolkey/{first.pk}/change/").content.decode()
    assert "PRIVATE KEY" not in page  # the private key never shows


def test_the_keyset_is_never_empty(client):
    # An LMS often reads the keyset while the tool is registered there, before any launch.
    assert not ToolKey.objects.exists()
    keys = client.get("/lti/jwks").json()["keys"]
    assert [key["kid"] for key in keys] == [tool_key_current().kid]
    assert {"kty", "n", "e", "alg", "use"} <= set(keys[0])
    assert "d" not in keys[0]  # never the private exponent
    assert client.get("/lti/jwks").json()["keys"] == keys  # one key, made once
