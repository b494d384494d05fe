"""Deployment hardening: TANDEM_HTTPS and `check --deploy`, the Content-Security-Policy,
no caching of record pages, short student sessions, and oversized bodies refused unread."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from tests.factories import PASSWORD, make_school

from tandem.config import Options
from tandem.core.middleware import MAX_ADMIN_REQUEST_BYTES, MAX_REQUEST_BYTES

SRC = Path(__file__).resolve().parents[2] / "src"


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        # Not the test run's own settings, nor the browser tests' async escape hatch (their
        # conftest sets it in this process), which a deployment must not have.
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TANDEM_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_ALLOWED_HOSTS": "tandem.school.example",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_tandem_https(tmp_path):
    result = _check_deploy(tmp_path, TANDEM_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_https(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stdout + result.stderr, check


def test_tandem_https_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TANDEM_HTTPS", raising=False)
    assert Options.from_environment().https is False
    monkeypatch.setenv("TANDEM_HTTPS", "1")
    assert Options.from_environment().https is True


# ---------- Content-Security-Policy ----------


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    header = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in header.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header


def _templates() -> list[Path]:
    return sorted(SRC.glob("tandem/**/templates/**/*.html"))


def test_no_template_has_inline_scripts_or_styles():
    """What the policy would block: inline <script>, <style>, style="" and on*="" handlers.
    The 500 page's style is the one exception, allowed by its hash."""
    offenders = []
    for path in _templates():
        text = path.read_text()
        inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        handler = re.search(r"\son[a-z]+\s*=", text)
        style_attr = re.search(r"\sstyle\s*=", text)
        style_block = "<style" in text and path.name != "500.html"
        if inline_script or handler or style_attr or style_block:
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
    assert len(_templates()) > 20


def test_the_500_pages_style_is_allowed_by_its_hash():
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert any(source.startswith("'sha256-") for source in style_src)


# ---------- caching, sessions, body size ----------


@pytest.mark.django_db
def test_record_pages_and_the_api_are_not_stored(client):
    school = make_school()
    assert client.login(username=school.teacher_a.username, password=PASSWORD)
    for url in (
        reverse("teaching:student", args=[school.student_a.pk]),
        reverse("teaching:class", args=[school.class_a.pk]),
        f"/api/students/{school.student_a.pk}/evidence",
        reverse("checkins:student", args=[school.student_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


@pytest.mark.django_db
def test_student_sessions_are_short_and_staff_sessions_a_working_day(client):
    school = make_school()
    login = reverse("login")
    client.post(login, {"username": school.student_a.username, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    assert client.session.get_expiry_age() <= 4 * 60 * 60
    client.post(reverse("logout"))
    client.post(login, {"username": school.teacher_a.username, "password": PASSWORD})
    assert 4 * 60 * 60 < client.session.get_expiry_age() <= 12 * 60 * 60


class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, limit",
    [
        ("/projects/", MAX_REQUEST_BYTES),
        ("/api/practice/next", MAX_REQUEST_BYTES),
        ("/xapi/statements", MAX_REQUEST_BYTES),
        ("/admin/interop/onerosterimportrun/upload/", MAX_ADMIN_REQUEST_BYTES),
    ],
)
def test_an_oversized_body_is_refused_before_it_is_read(client, path, limit):
    response = client.generic(
        "POST",
        path,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(limit + 1),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "no-store" in response.get("Cache-Control", "no-store")


def test_the_limits_fit_the_largest_uploads():
    from tandem.interop.models import ONEROSTER_UPLOAD_MAX_BYTES
    from tandem.projects.constants import UPLOAD_MAX_BYTES

    assert UPLOAD_MAX_BYTES < MAX_REQUEST_BYTES <= 12 * 1024 * 1024
    assert ONEROSTER_UPLOAD_MAX_BYTES < MAX_ADMIN_REQUEST_BYTES
