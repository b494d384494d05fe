"""The credit pages over HTTP: sign off (twice), revoke with a reason, the report card as a page
and a PDF for each reader, the transcript for administrators, and fixed query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_user

from tandem.credit.models import Credit, CreditRevocation, CreditRule
from tandem.credit.selectors import course_standards
from tandem.credit.services import credit_award, credit_revoke
from tandem.privacy.models import AccessLog
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import Course
from tandem.roster.services import class_create, enrollment_create

from .conftest import master_standards

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def ready(school, course, rule):
    """Student A meets the rule (6 of 12 standards), student B does not."""
    now = timezone.now()  # the pages read mastery now: faded mastery would need review
    master_standards(school.student_a, course, 6, now=now)
    master_standards(school.student_b, course, 1, now=now)
    return school


def test_teacher_sees_who_is_ready_and_signs_off_once(client, ready):
    school = ready
    _login(client, school.teacher_a)
    page = client.get(reverse("credit:class", args=[school.class_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ready for credit (1)" in html and "Sign off credit" in html
    assert school.student_a.display_name in html
    assert school.student_b.display_name not in html  # another teacher's class
    url = reverse("credit:sign_off", args=[school.class_a.pk, school.student_a.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("credit:class", args=[school.class_a.pk])
    assert "has earned the credit for Math 6" in response.content.decode()
    assert "Credit earned (1)" in response.content.decode()
    # A double submit changes nothing and says so.
    again = client.post(url, follow=True)
    assert "already holds this credit" in again.content.decode()
    credit = Credit.objects.get()
    assert credit.signed_off_by == school.teacher_a and credit.school_class == school.class_a
    # Signing off is a POST.
    assert client.get(url).status_code == 405


def test_sign_off_for_a_student_who_does_not_meet_the_rule_is_refused(client, ready):
    school = ready
    _login(client, school.teacher_b)
    url = reverse("credit:sign_off", args=[school.class_b.pk, school.student_b.pk])
    response = client.post(url, follow=True)
    assert "mastered 1 of 12 standards; Math 6 asks for 6" in response.content.decode()
    assert not Credit.objects.exists()


def test_sign_off_outside_ones_class_is_a_404(client, ready):
    school = ready
    _login(client, school.teacher_b)
    # Student A through teacher B's class, and through class A which B does not teach.
    for class_id in (school.class_b.pk, school.class_a.pk):
        url = reverse("credit:sign_off", args=[class_id, school.student_a.pk])
        assert client.post(url).status_code == 404
    _login(client, school.guardian_a)
    url = reverse("credit:sign_off", args=[school.class_a.pk, school.student_a.pk])
    assert client.post(url).status_code == 404
    assert not Credit.objects.exists()


def test_revoke_needs_a_reason_and_keeps_it(client, ready, course):
    school = ready
    credit, _ = credit_award(
        student=school.student_a,
        course=course,
        now=timezone.now(),
        signed_off_by=school.teacher_a,
        school_class=school.class_a,
    )
    _login(client, school.teacher_a)
    url = reverse("credit:revoke", args=[credit.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    assert "Say why the credit is revoked" in empty.content.decode()
    assert Credit.objects.get().in_force
    done = client.post(url, {"reason": "Signed off the wrong student."}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("credit:class", args=[school.class_a.pk])
    assert "revoked; the reason is kept" in done.content.decode()
    assert CreditRevocation.objects.get().reason == "Signed off the wrong student."
    again = client.post(url, {"reason": "Again"}, follow=True)
    assert "already revoked" in again.content.decode()
    assert CreditRevocation.objects.count() == 1
    # The report card keeps the history for staff.
    report = client.get(reverse("credit:report", args=[school.student_a.pk])).content.decode()
    assert "Signed off the wrong student." in report
    # Teacher B may not revoke A's credit.
    _login(client, school.teacher_b)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("reader", ["student_a", "guardian_a", "teacher_a", "admin"])
def test_report_card_for_each_reader(client, ready, course, reader):
    school = ready
    _login(client, getattr(school, reader))
    response = client.get(reverse("credit:report", args=[school.student_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    name = school.student_a.first_name
    assert f"What {name} can do (6 of 12)" in html
    assert f"What {name} is working on" in html and "What comes next" in html
    assert 'data-progress="got_it"' in html and "Got it" in html
    assert "waiting for the teacher to confirm it" in html
    # Plain words for families: no percentages of mastery.
    assert "likely mastered" not in html
    pdf = client.get(reverse("credit:report_pdf", args=[school.student_a.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"attachment" in pdf["Content-Disposition"].encode()


def test_report_card_names_the_credit_once_earned(client, ready, course):
    school = ready
    credit_award(
        student=school.student_a, course=course, now=timezone.now(), signed_off_by=school.teacher_a
    )
    _login(client, school.guardian_a)
    html = client.get(reverse("credit:report", args=[school.student_a.pk])).content.decode()
    assert "Credit earned" in html and "earned the credit for Math 6" in html


def test_guardian_finds_the_report_card_on_the_child_page(client, ready):
    school = ready
    _login(client, school.guardian_a)
    html = client.get(reverse("family:child", args=[school.student_a.pk])).content.decode()
    assert reverse("credit:report", args=[school.student_a.pk]) in html
    _login(client, school.student_a)
    html = client.get(reverse("practice:home")).content.decode()
    assert reverse("credit:report", args=[school.student_a.pk]) in html


def test_opening_a_report_card_is_audited(client, ready):
    school = ready
    _login(client, school.guardian_a)
    client.get(reverse("credit:report", args=[school.student_a.pk]))
    assert AccessLog.objects.filter(
        actor=school.guardian_a, student=school.student_a, action="credit:report"
    ).exists()


def test_transcript_lists_every_credit_with_revocations(client, ready, course):
    school = ready
    now = timezone.now()
    first, _ = credit_award(
        student=school.student_a, course=course, now=now, signed_off_by=school.teacher_a
    )
    credit_revoke(credit=first, revoked_by=school.teacher_a, reason="=HYPERLINK(x)", now=now)
    credit_award(student=school.student_a, course=course, now=now, signed_off_by=school.teacher_a)
    _login(client, school.admin)
    response = client.get(reverse("credit:transcript"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["status"] for r in rows] == ["revoked", "in force"]
    assert rows[0]["revocation_reason"] == "'=HYPERLINK(x)"  # never a live formula
    assert rows[1]["standards_mastered"] == "6" and rows[1]["standards_total"] == "12"
    assert rows[0]["student_sourced_id"] == school.student_a.sourced_id
    _login(client, school.teacher_a)
    assert client.get(reverse("credit:transcript")).status_code == 404


def test_class_page_query_count_does_not_grow_with_students(client, ready, course):
    school = ready
    _login(client, school.teacher_a)
    url = reverse("credit:class", args=[school.class_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        student = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        master_standards(student, course, 2, now=timezone.now())
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(course_standards(course)) == 12


def test_report_card_query_count_does_not_grow_with_credits_or_courses(client, ready, course):
    school = ready
    _login(client, school.guardian_a)
    url = reverse("credit:report", args=[school.student_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    now = timezone.now()
    credit, _ = credit_award(
        student=school.student_a, course=course, now=now, signed_off_by=school.teacher_a
    )
    credit_revoke(credit=credit, revoked_by=school.teacher_a, reason="Mistake.", now=now)
    credit_award(student=school.student_a, course=course, now=now, signed_off_by=school.teacher_a)
    other = Course.objects.create(
        sourced_id="course-other", title="Math 6 Extension", org=school.org, grades=["06"]
    )
    CreditRule.objects.create(course=other, share_required=1.0)
    extension = class_create(
        sourced_id="class-ext", title="Math 6 Extension", course=other, school=school.org
    )
    enrollment_create(user=school.student_a, school_class=extension, role=EnrollmentRole.STUDENT)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Math 6 Extension" in html and "The credit asks for all of them" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
