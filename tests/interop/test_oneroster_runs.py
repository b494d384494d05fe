"""OneRoster import from the admin: upload a zip, import it in the background, read the report."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from tests.factories import make_user

from tandem.interop.models import OneRosterImportRun
from tandem.interop.tasks import OneRosterImportBusyError, oneroster_import_run_start
from tandem.mastery.constants import RunStatus
from tandem.roster.constants import Role
from tandem.roster.models import Org, User

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
UPLOAD = reverse("admin:interop_onerosterimportrun_upload")
RUNS = reverse("admin:interop_onerosterimportrun_changelist")

MANIFEST = (
    "propertyName,value\n"
    "manifest.version,1.0\n"
    "oneroster.version,1.1\n"
    "file.orgs,bulk\n"
    "file.users,bulk\n"
)
ORGS = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "org-1,,,Tiny School,school,TS1,\n"
)
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
)
USERS = (
    USERS_HEADER + "u-1,,,true,org-1,student,tiny.one,,Tiny,One,,,,,,,06,\n"
    "u-2,,,true,org-1,teacher,tiny.two,,Tiny,Two,,,,,,,,\n"
)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _bundle(**overrides: str) -> SimpleUploadedFile:
    files = {"manifest.csv": MANIFEST, "orgs.csv": ORGS, "users.csv": USERS}
    files.update({f"{name}.csv": text for name, text in overrides.items()})
    return SimpleUploadedFile("district.zip", _zip(files), content_type="application/zip")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _staff(*, superuser: bool = False, can_import: bool = False) -> User:
    user = make_user(Role.ADMINISTRATOR)
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    if can_import:
        user.user_permissions.add(Permission.objects.get(codename="import_oneroster"))
    return user


def _admin_client() -> Client:
    client = Client()
    client.force_login(_staff(superuser=True))
    return client


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_upload_imports_in_the_background_with_counts_and_report(tmp_path: Path) -> None:
    client = _admin_client()
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    response = client.post(UPLOAD, {"bundle": _bundle()})
    run = OneRosterImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:interop_onerosterimportrun_change", args=[run.pk])
    assert run.status == RunStatus.SUCCEEDED, run.report
    assert run.progress == 100 and run.task_id
    assert run.counts["users"]["created"] == 2 and run.counts["orgs"]["created"] == 1
    assert "2 created" in run.report and "3 changed" in run.report
    assert run.started_at is not None and run.finished_at is not None
    assert not run.bundle  # the uploaded bundle is not kept once imported
    assert not any((tmp_path / "media" / "interop" / "oneroster").iterdir())
    assert User.objects.get(sourced_id="u-1").grade == "06"
    assert Org.objects.filter(sourced_id="org-1").exists()

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"<progress" in detail.content and b"100%" in detail.content
    assert b"2 created" in detail.content
    assert b'http-equiv="refresh"' not in detail.content  # finished: no more reloading
    listing = client.get(RUNS)
    assert b"Import a OneRoster bundle" in listing.content


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_dry_run_saves_nothing() -> None:
    client = _admin_client()
    client.post(UPLOAD, {"bundle": _bundle(), "dry_run": "on"})
    run = OneRosterImportRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.dry_run
    assert "Dry run" in run.report and run.counts["users"]["created"] == 2
    assert not User.objects.filter(sourced_id="u-1").exists()


def test_a_file_that_is_not_a_zip_is_refused_with_a_message_and_no_run() -> None:
    client = _admin_client()
    fake = SimpleUploadedFile("district.zip", b"sourcedId,name\n1,x\n", content_type="text/csv")
    response = client.post(UPLOAD, {"bundle": fake})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"This is not a zip file" in response.content
    assert not OneRosterImportRun.objects.exists()


def test_a_bundle_over_the_size_limit_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tandem.interop.admin as interop_admin

    monkeypatch.setattr(interop_admin, "ONEROSTER_UPLOAD_MAX_BYTES", 10)
    response = _admin_client().post(UPLOAD, {"bundle": _bundle()})
    assert response.status_code == 200 and b"the limit is" in response.content
    assert not OneRosterImportRun.objects.exists()


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_defective_bundle_fails_with_line_reasons_and_imports_nothing() -> None:
    users = USERS + "u-3,,,true,org-404,student,tiny.three,,Tiny,Three,,,,,,,06,\n"
    users += "u-1,,,true,org-1,pilot,tiny.dup,,Tiny,Dup,,,,,,,,\n"
    _admin_client().post(UPLOAD, {"bundle": _bundle(users=users)})
    run = OneRosterImportRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "refused; nothing was imported" in run.error
    assert "users.csv line 4 [u-3]" in run.report and "org-404" in run.report
    assert "users.csv line 5" in run.report
    assert not User.objects.filter(sourced_id__in=["u-1", "u-2", "u-3"]).exists()
    assert not Org.objects.filter(sourced_id="org-1").exists()
    assert not run.bundle


def test_people_without_the_permission_cannot_upload_or_see_runs() -> None:
    client = Client()
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(make_user(Role.TEACHER))
    response = client.post(UPLOAD, {"bundle": _bundle()})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(_staff())
    assert client.post(UPLOAD, {"bundle": _bundle()}).status_code == 403
    assert client.get(RUNS).status_code == 403
    assert not OneRosterImportRun.objects.exists()


def test_a_staff_member_with_the_permission_may_upload() -> None:
    client = Client()
    client.force_login(_staff(can_import=True))
    assert client.get(UPLOAD).status_code == 200
    assert client.get(RUNS).status_code == 200


def test_a_second_import_is_refused_while_one_is_pending() -> None:
    # The database backend only queues: the first run stays queued (no worker in tests).
    first = oneroster_import_run_start(upload=_bundle(), dry_run=False, requested_by=None)
    assert first.status == RunStatus.QUEUED and first.bundle
    with pytest.raises(OneRosterImportBusyError):
        oneroster_import_run_start(upload=_bundle(), dry_run=False, requested_by=None)

    client = _admin_client()
    page = client.get(UPLOAD)
    assert b"is still queued" in page.content
    response = client.post(UPLOAD, {"bundle": _bundle()}, follow=True)
    assert b"No second import was started" in response.content
    assert b'http-equiv="refresh"' in response.content  # the list follows the pending run
    assert OneRosterImportRun.objects.count() == 1
