"""The data-request pages: administrators only (404 for everyone else), recording a request,
downloading the export, erasing with a confirmation that is harmless when sent twice, and a
guardian asking from their child's page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import make_user
from tests.studentdata.conftest import FIRST, SOURCED_ID, USERNAME, names_in

from tandem.privacy.models import AccessLog
from tandem.roster.constants import Role
from tandem.studentdata.constants import RequestKind, RequestStatus
from tandem.studentdata.models import DataRequest, Erasure
from tandem.studentdata.services import data_request_create


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def export_request(learner) -> DataRequest:
    return data_request_create(
        student=learner.student,
        kind=RequestKind.EXPORT,
        recorded_by=learner.school.admin,
        requested_by=learner.school.guardian_a,
    )


@pytest.fixture
def erasure_request(learner) -> DataRequest:
    return data_request_create(
        student=learner.student,
        kind=RequestKind.ERASURE,
        recorded_by=learner.school.admin,
        requester_name="Mother, by letter",
    )


def test_only_administrators_reach_the_staff_pages(learner, export_request, erasure_request):
    school = learner.school
    pages = [
        ("get", reverse("studentdata:requests")),
        ("post", reverse("studentdata:requests")),
        ("get", reverse("studentdata:request", args=[export_request.pk])),
        ("post", reverse("studentdata:export", args=[export_request.pk])),
        ("post", reverse("studentdata:erase", args=[erasure_request.pk])),
        ("post", reverse("studentdata:decline", args=[erasure_request.pk])),
    ]
    for user in (school.teacher_a, school.guardian_a, learner.student, school.student_b):
        client = _client(user)
        for method, url in pages:
            response = getattr(client, method)(url, {"confirm": USERNAME, "reason": "x"})
            assert response.status_code == 404, (user.role, method, url)
            if user != learner.student:  # whose own name is in the page's header
                assert not names_in(response.content.decode())
    assert not Erasure.objects.exists()
    assert DataRequest.objects.filter(status=RequestStatus.OPEN).count() == 2
    assert AccessLog.objects.filter(refused=True, actor=school.teacher_a).exists()
    anonymous = Client().get(reverse("studentdata:requests"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_an_administrator_records_a_guardians_request(learner):
    school = learner.school
    client = _client(school.admin)
    assert client.get(reverse("studentdata:requests")).status_code == 200
    response = client.post(
        reverse("studentdata:requests"),
        {
            "student": SOURCED_ID,
            "kind": RequestKind.EXPORT,
            "guardian": school.guardian_a.username,
            "note": "Asked at the parents' evening.",
        },
    )
    made = DataRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{made.pk}/")
    assert made.requested_by == school.guardian_a and made.recorded_by == school.admin
    page = client.get(response["Location"]).content.decode()
    assert FIRST in page and "Download the export" in page
    unknown = client.post(
        reverse("studentdata:requests"), {"student": "nobody", "kind": "export", "guardian": ""}
    )
    assert unknown.status_code == 400 and DataRequest.objects.count() == 1


def test_downloading_the_export_hands_over_the_zip_and_closes_the_request(learner, export_request):
    school = learner.school
    response = _client(school.admin).post(reverse("studentdata:export", args=[export_request.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert SOURCED_ID not in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert FIRST in archive.read("summary.html").decode()
    export_request.refresh_from_db()
    assert export_request.status == RequestStatus.DONE
    assert export_request.handled_by == school.admin
    assert AccessLog.objects.filter(
        actor=school.admin, student=learner.student, action="privacy:export"
    ).exists()


def test_the_erasure_needs_its_confirmation_and_sending_it_twice_is_harmless(
    learner, erasure_request, django_capture_on_commit_callbacks
):
    client = _client(learner.school.admin)
    url = reverse("studentdata:erase", args=[erasure_request.pk])
    wrong = client.post(url, {"reason": "Asked by the family.", "confirm": "someone"})
    assert wrong.status_code == 400 and not Erasure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"reason": "Asked by the family.", "confirm": USERNAME})
        second = client.post(url, {"reason": "Asked by the family.", "confirm": USERNAME})
    assert first.status_code == second.status_code == 302
    assert Erasure.objects.count() == 1
    erasure_request.refresh_from_db()
    assert erasure_request.status == RequestStatus.DONE
    assert erasure_request.requester_name == ""  # the request's own free text goes too
    page = client.get(reverse("studentdata:request", args=[erasure_request.pk]))
    assert page.status_code == 200 and not names_in(page.content.decode())
    assert "already been erased" in page.content.decode()
    listing = client.get(reverse("studentdata:requests"))
    assert not names_in(listing.content.decode())


def test_a_guardian_asks_from_their_childs_page(learner):
    school, student = learner.school, learner.student
    guardian = _client(school.guardian_a)
    child_page = guardian.get(reverse("family:child", args=[student.pk])).content.decode()
    ask = reverse("studentdata:ask", args=[student.pk])
    assert ask in child_page
    assert guardian.get(ask).status_code == 200
    response = guardian.post(ask, {"kind": RequestKind.EXPORT, "note": "For our records."})
    assert response.status_code == 302
    made = DataRequest.objects.get()
    assert (made.student, made.requested_by, made.kind) == (
        student,
        school.guardian_a,
        RequestKind.EXPORT,
    )
    stranger = _client(make_user(Role.GUARDIAN))
    assert stranger.get(ask).status_code == 404
    assert stranger.post(ask, {"kind": RequestKind.ERASURE}).status_code == 404
    assert _client(school.teacher_a).get(ask).status_code == 404
    assert DataRequest.objects.count() == 1


def test_the_admin_offers_no_delete_for_a_student(learner):
    client = _client(learner.school.admin)
    change = client.get(reverse("admin:roster_user_change", args=[learner.student.pk]))
    assert change.status_code == 200
    delete = reverse("admin:roster_user_delete", args=[learner.student.pk])
    assert delete not in change.content.decode()
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    teacher_delete = reverse("admin:roster_user_delete", args=[learner.school.teacher_b.pk])
    assert client.get(teacher_delete).status_code == 200


def test_a_request_for_a_student_erased_meanwhile_is_closed_without_a_second_erasure(
    learner, erasure_request
):
    from tandem.studentdata.services import student_erase

    student_erase(student=learner.student, by=learner.school.admin, reason="From the shell.")
    client = _client(learner.school.admin)
    response = client.post(
        reverse("studentdata:erase", args=[erasure_request.pk]),
        {"reason": "x", "confirm": "whatever"},
    )
    assert response.status_code == 302
    erasure_request.refresh_from_db()
    assert erasure_request.status == RequestStatus.DONE
    assert Erasure.objects.get().reason == "From the shell."


def test_a_declined_request_erases_nothing(learner, erasure_request):
    client = _client(learner.school.admin)
    client.post(reverse("studentdata:decline", args=[erasure_request.pk]))
    client.post(
        reverse("studentdata:erase", args=[erasure_request.pk]),
        {"reason": "x", "confirm": USERNAME},
    )
    erasure_request.refresh_from_db()
    assert erasure_request.status == RequestStatus.DECLINED and not Erasure.objects.exists()


def test_the_admin_leads_to_the_request_pages_and_keeps_tombstones_read_only(learner):
    client = _client(learner.school.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:studentdata_datarequest_changelist") in index
    response = client.get(reverse("admin:studentdata_datarequest_changelist"))
    assert response.status_code == 302 and response["Location"] == reverse("studentdata:requests")
    assert client.get(reverse("admin:studentdata_erasure_add")).status_code == 403
