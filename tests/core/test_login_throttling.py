"""Sign-in throttling (django-axes): per account and per address, a clear message, and an
administrator can unlock."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from tests.factories import PASSWORD, make_user

from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_limit_is_small_enough_to_matter():
    assert 3 <= LIMIT <= 10


def test_an_account_is_locked_after_repeated_wrong_passwords(client):
    student = make_user(Role.STUDENT, grade="06")
    for n in range(LIMIT - 1):
        response = _login(client, student.username, "wrong", address=f"10.0.1.{n}")
        assert response.status_code == 200  # the ordinary "wrong password" form
    response = _login(client, student.username, "wrong", address="10.0.1.200")
    assert response.status_code == 429
    # Now even the right password, from another address, does not sign in.
    response = _login(client, student.username, PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "ask your teacher" in page.lower()
    # Another account is not affected.
    other = make_user(Role.STUDENT, grade="06")
    assert _login(client, other.username, PASSWORD, address="10.0.2.1").status_code == 302


def test_an_address_is_locked_after_repeated_failures_on_many_accounts(client):
    for n in range(LIMIT):
        _login(client, f"nobody{n}", "wrong", address="10.0.3.3")
    victim = make_user(Role.TEACHER)
    assert _login(client, victim.username, PASSWORD, address="10.0.3.3").status_code == 429
    assert not _signed_in(client)
    # The same account signs in from elsewhere.
    assert _login(client, victim.username, PASSWORD, address="10.0.3.4").status_code == 302


def test_an_administrator_unlocks_an_account_in_the_admin(client):
    student = make_user(Role.STUDENT, grade="06")
    admin = make_user(Role.ADMINISTRATOR)
    for _ in range(LIMIT):
        _login(client, student.username, "wrong", address="10.0.4.4")
    assert _login(client, student.username, PASSWORD, address="10.0.5.5").status_code == 429
    attempts = AccessAttempt.objects.filter(username=student.username)
    assert attempts.exists()
    client.force_login(admin)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and student.username in changelist.content.decode()
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert _login(client, student.username, PASSWORD, address="10.0.5.5").status_code == 302
    assert _signed_in(client)
