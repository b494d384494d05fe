"""A family's data requests end to end: a guardian asks for a copy of their child's data, an
administrator downloads the zip (opened and checked here); then the guardian asks for the
erasure, the administrator confirms it, and no page names the child any more."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_accessibility import describe, serious_violations
from tests.factories import PASSWORD
from tests.studentdata.conftest import FIRST, LAST, PDF, USERNAME, Learner, make_learner, names_in

from tandem.roster.models import User
from tandem.studentdata.models import DataRequest, Erasure


@pytest.fixture
def learner(transactional_db: None, settings, tmp_path) -> Learner:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_learner()


def new_page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, user: User) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def accessible(page: Page) -> None:
    violations = serious_violations(page)
    assert not violations, describe(violations)


def guardian_asks(page: Page, learner: Learner, kind: str) -> None:
    page.goto(f"/family/child/{learner.student.pk}/")
    page.get_by_role("link", name="Ask for a copy or erasure of this data").click()
    accessible(page)
    page.get_by_label(kind).check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#messages")).to_contain_text("Your request has been sent")


def open_latest_request(page: Page) -> None:
    page.goto("/privacy/requests/")
    page.get_by_role("table").get_by_role("link").first.click()


def test_a_guardians_export_then_erasure(browser: Browser, live_server: LiveServer, learner):
    school, student = learner.school, learner.student

    guardian = new_page(browser, live_server)
    sign_in(guardian, school.guardian_a)
    guardian_asks(guardian, learner, "Copy of the data (export)")

    admin = new_page(browser, live_server)
    sign_in(admin, school.admin)
    admin.goto("/privacy/requests/")
    accessible(admin)
    open_latest_request(admin)
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Copy of the data")
    accessible(admin)
    expect(admin.get_by_role("main")).to_contain_text(school.guardian_a.display_name)
    with admin.expect_download() as download_info:
        admin.get_by_role("button", name="Download the export (zip)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(download.path())
    summary = archive.read("summary.html").decode()
    assert f"{FIRST} {LAST}" in summary and "Who opened this record" in summary
    assert any(name.endswith(f"{LAST} rocket.pdf") for name in archive.namelist())
    assert archive.read(next(n for n in archive.namelist() if n.startswith("files/"))) == PDF
    assert "data/evidence.Statement.json" in archive.namelist()
    admin.reload()
    expect(admin.get_by_role("main")).to_contain_text("Done")

    guardian_asks(guardian, learner, "Erasure")
    open_latest_request(admin)
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Erasure")
    admin.get_by_label("Type the student's username to confirm").fill("not-the-username")
    admin.get_by_role("button", name="Erase permanently").click()
    expect(admin.get_by_role("alert")).to_contain_text("not the student's username")
    accessible(admin)
    assert not Erasure.objects.exists()
    admin.get_by_label("Type the student's username to confirm").fill(USERNAME)
    admin.get_by_role("button", name="Erase permanently").click()
    expect(admin.locator("#messages")).to_contain_text("has been erased")
    assert Erasure.objects.filter(student=student).count() == 1
    assert DataRequest.objects.filter(status="done").count() == 2
    assert not names_in(admin.content())
    admin.goto("/privacy/requests/")
    assert not names_in(admin.content())

    guardian.goto("/family/")
    assert not names_in(guardian.get_by_role("main").inner_text())
    guardian.goto(f"/family/child/{student.pk}/")
    assert not names_in(guardian.content())

    teacher = new_page(browser, live_server)
    sign_in(teacher, school.teacher_a)
    teacher.goto(f"/teach/class/{school.class_a.pk}/")
    expect(teacher.get_by_role("heading", level=1)).to_be_visible()
    assert not names_in(teacher.content())
    teacher.goto(f"/teach/student/{student.pk}/")
    assert not names_in(teacher.content())
