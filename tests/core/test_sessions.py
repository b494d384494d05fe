"""Students' sessions end after a short idle time (classroom devices are shared); staff's last
a working day. And `check --deploy` is clean with an explicit secret key too."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse
from tests.core.test_security import _check_deploy
from tests.factories import PASSWORD, make_school

from tandem.core.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def _idle(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_a_students_session_ends_after_the_idle_time(client):
    school = make_school()
    _sign_in(client, school.student_a)
    client.get(reverse("home"))
    _idle(client, settings.TANDEM_STUDENT_IDLE_SECONDS + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_student_at_work_stays_signed_in(client):
    school = make_school()
    _sign_in(client, school.student_a)
    _idle(client, settings.TANDEM_STUDENT_IDLE_SECONDS - 120)
    client.get(reverse("home"))
    assert "_auth_user_id" in client.session
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5  # the clock restarts


def test_staff_are_not_held_to_the_students_idle_time(client):
    school = make_school()
    assert settings.TANDEM_STUDENT_IDLE_SECONDS < settings.SESSION_COOKIE_AGE
    _sign_in(client, school.teacher_a)
    _idle(client, settings.TANDEM_STUDENT_IDLE_SECONDS + 60)
    client.get(reverse("home"))
    assert "_auth_user_id" in client.session


def test_check_deploy_is_clean_with_an_explicit_secret_key(tmp_path):
    result = _check_deploy(
        tmp_path, TANDEM_HTTPS="1", TANDEM_SECRET_KEY="k" * 10 + "Q7#pZ2!wX9$eR4" * 4
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout  # security.W021, HSTS preload (settings.py)


def test_check_deploy_flags_a_weak_secret_key(tmp_path):
    result = _check_deploy(tmp_path, TANDEM_HTTPS="1", TANDEM_SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
