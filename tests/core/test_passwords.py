"""Sign-ins take turns: a full set of sign-in slots answers 503 at once, holding no thread, and
passwords are checked one at a time across server processes."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from tandem.core import passwords
from tandem.roster.constants import Role
from tandem.roster.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def student() -> User:
    return User.objects.create_user(
        username="sign-in-student", password="a-long-password", role=Role.STUDENT, grade="06"
    )


def test_sign_in_works_through_the_turn_taking_backend(client, student):
    response = client.post(
        reverse("login"), {"username": "sign-in-student", "password": "a-long-password"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "tandem.core.passwords.TurnTakingModelBackend"


def test_a_busy_server_asks_to_try_again_without_checking_the_password(
    client, student, monkeypatch
):
    checked = []
    monkeypatch.setattr(
        passwords.TurnTakingModelBackend,
        "authenticate",
        lambda *args, **kwargs: checked.append(1),
    )
    taken = [passwords._slots.acquire() for _ in range(passwords.PER_PROCESS)]
    try:
        response = client.post(
            reverse("login"), {"username": "sign-in-student", "password": "a-long-password"}
        )
    finally:
        for _ in taken:
            passwords._slots.release()
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert "Lots of people are signing in right now" in response.content.decode()
    assert checked == []
    assert "_auth_user_id" not in client.session


def test_password_checks_take_turns(settings, tmp_path):
    settings.TANDEM_DATA_DIR = tmp_path
    inside = []
    overlap = []

    def check() -> None:
        with passwords.password_check_turn():
            overlap.append(len(inside))
            inside.append(1)
            threading.Event().wait(0.02)
            inside.pop()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == [0, 0, 0, 0]
