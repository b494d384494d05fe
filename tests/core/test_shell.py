"""The site shell's HTTP contract: health, sign-in, the front door, sign-out and error pages."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from tandem.core.demo import DEMO_PASSWORD, DEMO_SCHOOL
from tandem.roster.constants import OrgType, Role
from tandem.roster.models import Org, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def make_user(role: Role, **extra: Any) -> User:
    return User.objects.create_user(
        username=f"u-{role}",
        password=PASSWORD,
        role=role,
        sourced_id=f"shell-{role}",
        **extra,
    )


def test_health_reports_ok(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_fails(client: Client) -> None:
    with mock.patch("tandem.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_login_page_renders_accessible_form(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'aria-live="polite"' in html
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "vendor/htmx.min.js" in html
    assert "X-CSRFToken" in html


def test_login_error_is_summarised(client: Client) -> None:
    make_user(Role.TEACHER)

    response = client.post(reverse("login"), {"username": "u-teacher", "password": "wrong"})

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"There is a problem" in response.content


def test_demo_hint_shows_only_when_the_demo_is_seeded(client: Client) -> None:
    assert b"demo school" not in client.get(reverse("login")).content

    Org.objects.create(sourced_id=DEMO_SCHOOL, name="Riverside", type=OrgType.SCHOOL)

    html = client.get(reverse("login")).content.decode()
    assert "This is the demo school" in html
    assert DEMO_PASSWORD in html


def test_demo_hint_setting_overrides(client: Client, settings: Settings) -> None:
    settings.TANDEM_DEMO_HINT = True
    assert b"demo school" in client.get(reverse("login")).content
    Org.objects.create(sourced_id=DEMO_SCHOOL, name="Riverside", type=OrgType.SCHOOL)
    settings.TANDEM_DEMO_HINT = False
    assert b"demo school" not in client.get(reverse("login")).content


def test_home_sends_anonymous_users_to_login(client: Client) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.STUDENT, "practice:home"),
        (Role.TEACHER, "teaching:today"),
        (Role.GUARDIAN, "family:home"),
        (Role.ADMINISTRATOR, "leaders:growth"),
    ],
)
def test_home_redirects_by_role(client: Client, role: Role, landing: str) -> None:
    client.force_login(make_user(role))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_superuser_goes_to_admin_whatever_the_role(client: Client) -> None:
    client.force_login(make_user(Role.TEACHER, is_superuser=True, is_staff=True))

    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


def test_administrator_superuser_lands_on_leaders_pages_with_a_link_to_the_admin(
    client: Client,
) -> None:
    admin = make_user(Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    client.force_login(admin)

    landing = client.get(reverse("home"))["Location"]
    assert landing == reverse("leaders:growth")
    assert f'href="{reverse("admin:index")}"' in client.get(landing).content.decode()


def test_signed_in_page_shows_name_role_and_sign_out(client: Client) -> None:
    client.force_login(make_user(Role.TEACHER, first_name="Tess", last_name="Teacher"))

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Tess Teacher" in html
    assert "Teacher</span>" in html
    assert '<nav class="site-nav" id="site-nav" aria-label="Main">' in html
    assert f'action="{reverse("logout")}"' in html


def test_logout_is_post_only(client: Client) -> None:
    client.force_login(make_user(Role.STUDENT))

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_404_page_renders_without_debug(client: Client, settings: Settings) -> None:
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'<main id="main"' in response.content


def test_500_page_needs_no_context() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render()

    assert "Something went wrong" in html
    assert "{%" not in html
