"""Every role against every profile page. Another class's or family's student is a 404, exactly
like a missing id; accommodations appear only for the student's teachers and administrators,
nowhere in anyone else's HTML; opening a student's profile is audited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from tandem.privacy.models import AccessLog
from tandem.profiles.models import Accommodation, ProfileRevision
from tandem.profiles.services import accommodation_create, profile_update

pytestmark = pytest.mark.django_db

MISSING = 999_999
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
SECRET_SUMMARY = "Seat near the door (plan 7731)"
SECRET_DETAILS = "Diagnosis on file with the counsellor 8842"


@pytest.fixture
def accommodations(school):
    """An accommodation for each student, each with distinctive words to look for."""
    made = {}
    for name in ("student_a", "student_b"):
        student = getattr(school, name)
        teacher = school.teacher_a if name == "student_a" else school.teacher_b
        made[name], _ = accommodation_create(
            actor=teacher,
            student=student,
            kind="iep",
            summary=f"{SECRET_SUMMARY} {name}",
            details=f"{SECRET_DETAILS} {name}",
            now=NOW,
        )
        profile_update(student=student, now=NOW, about_me=f"I am {name}", interests=["music"])
    return made


def _pages(school, accommodations):
    a, b = school.student_a.pk, school.student_b.pk
    acc_a, acc_b = accommodations["student_a"].pk, accommodations["student_b"].pk
    return {
        "mine": reverse("profiles:mine"),
        "student_a": reverse("profiles:student", args=[a]),
        "student_b": reverse("profiles:student", args=[b]),
        "student_missing": reverse("profiles:student", args=[MISSING]),
        "child_a": reverse("profiles:child", args=[a]),
        "child_b": reverse("profiles:child", args=[b]),
        "child_missing": reverse("profiles:child", args=[MISSING]),
        "accommodation_a": reverse("profiles:accommodation_edit", args=[acc_a]),
        "accommodation_b": reverse("profiles:accommodation_edit", args=[acc_b]),
        "accommodation_missing": reverse("profiles:accommodation_edit", args=[MISSING]),
    }


# Pages each role may open; every other page is a 404 (missing == forbidden).
ALLOWED = {
    "student_a": {"mine"},
    "guardian_a": {"child_a"},
    "teacher_a": {"student_a", "accommodation_a"},
    "teacher_b": {"student_b", "accommodation_b"},
    "admin": {"student_a", "student_b", "accommodation_a", "accommodation_b"},
}
# Who may see student A's accommodations.
SEES_ACCOMMODATIONS_OF_A = {"teacher_a", "admin"}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_against_every_profile_page(login, school, accommodations, role):
    client = login(getattr(school, role))
    for name, url in _pages(school, accommodations).items():
        response = client.get(url)
        expected = 200 if name in ALLOWED[role] else 404
        assert response.status_code == expected, (role, name, url, response.status_code)
        html = response.content.decode()
        if role not in SEES_ACCOMMODATIONS_OF_A:
            assert f"{SECRET_SUMMARY} student_a" not in html, (role, name)
            assert f"{SECRET_DETAILS} student_a" not in html, (role, name)
        if role != "admin" and role != "teacher_b":
            assert "student_b" not in html, (role, name)


@pytest.mark.parametrize("role", ["student_a", "guardian_a"])
def test_student_and_guardian_pages_say_nothing_about_accommodations(
    login, school, accommodations, role
):
    client = login(getattr(school, role))
    if role == "student_a":
        url = reverse("profiles:mine")
    else:
        url = reverse("profiles:child", args=[school.student_a.pk])
    html = client.get(url).content.decode()
    assert "I am student_a" in html  # the profile itself is there
    assert "accommodation" not in html.lower()
    assert "IEP" not in html


@pytest.mark.parametrize("role", ["teacher_a", "admin"])
def test_the_students_teacher_and_administrators_see_accommodations(
    login, school, accommodations, role
):
    client = login(getattr(school, role))
    html = client.get(reverse("profiles:student", args=[school.student_a.pk])).content.decode()
    assert f"{SECRET_SUMMARY} student_a" in html
    assert f"{SECRET_DETAILS} student_a" in html
    assert "I am student_a" in html
    assert reverse("profiles:accommodation_add", args=[school.student_a.pk]) in html


def test_anonymous_is_sent_to_login(client, school, accommodations):
    for name, url in _pages(school, accommodations).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("role", ["teacher_b", "student_a", "guardian_a"])
def test_nobody_else_can_write_accommodations(login, school, accommodations, role):
    client = login(getattr(school, role))
    acc = accommodations["student_a"]
    before = (Accommodation.objects.count(), ProfileRevision.objects.count())
    posts = [
        (
            reverse("profiles:accommodation_add", args=[school.student_a.pk]),
            {"kind": "504", "summary": "Forged", "idempotency_key": str(uuid.uuid4())},
        ),
        (
            reverse("profiles:accommodation_edit", args=[acc.pk]),
            {"kind": "504", "summary": "Forged"},
        ),
        (reverse("profiles:accommodation_end", args=[acc.pk]), {"end_date": "2025-03-11"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, (role, url)
    assert (Accommodation.objects.count(), ProfileRevision.objects.count()) == before
    acc.refresh_from_db()
    assert acc.active and acc.summary.startswith(SECRET_SUMMARY)


def test_opening_a_profile_is_audited(login, school, accommodations):
    client = login(school.teacher_a)
    client.get(reverse("profiles:student", args=[school.student_a.pk]))
    client.get(reverse("profiles:accommodation_edit", args=[accommodations["student_a"].pk]))
    actions = set(
        AccessLog.objects.filter(actor=school.teacher_a, student=school.student_a).values_list(
            "action", flat=True
        )
    )
    assert {"profiles:student", "profiles:accommodation"} <= actions
    client.get(reverse("profiles:student", args=[school.student_b.pk]))
    assert not AccessLog.objects.filter(student=school.student_b).exists()
    client = login(school.guardian_a)
    client.get(reverse("profiles:child", args=[school.student_a.pk]))
    assert AccessLog.objects.filter(
        actor=school.guardian_a, student=school.student_a, action="profiles:child"
    ).exists()
