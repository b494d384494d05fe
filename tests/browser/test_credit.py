"""Course credit in a real browser: a teacher finds a student ready for Math 6 credit and signs
it off; the student's guardian opens the report card from the child page, reads it in plain
words at phone width and downloads the PDF."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from tests.browser.test_core_loop import demo_school, new_page, sign_in
from tests.factories import master

from tandem.credit.models import Credit, CreditRule
from tandem.credit.selectors import course_standards, standards_needed
from tandem.roster.models import Enrollment, GuardianLink

__all__ = ["demo_school"]


def test_teacher_signs_off_and_guardian_reads_the_report_card(
    browser: Browser, live_server: LiveServer, demo_school: None
) -> None:
    link = (
        GuardianLink.objects.select_related("guardian", "student")
        .filter(student__enrollments__school_class__course__course_code="MATH6")
        .order_by("student__username")
        .first()
    )
    assert link is not None
    student, guardian = link.student, link.guardian
    enrollment = Enrollment.objects.select_related("school_class__course").get(
        user=student, role="student"
    )
    school_class, course = enrollment.school_class, enrollment.school_class.course
    teacher = Enrollment.objects.get(school_class=school_class, role="teacher").user
    rule = CreditRule.objects.get(course=course)
    assert rule.requires_sign_off
    # The student has mastered enough of Math 6's standards (confirmed on a later day).
    standards = course_standards(course)
    needed = standards_needed(share=rule.share_required, total=len(standards))
    now = timezone.now()
    for competency in standards[:needed]:
        master(student, competency.code, now=now)

    # The teacher opens Credit, the class, and signs off.
    page = new_page(browser, live_server)
    sign_in(page, teacher.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credit").click()
    expect(page.get_by_role("heading", name="Course credit", level=1)).to_be_visible()
    page.get_by_role("link", name=school_class.title).click()
    expect(page.get_by_role("heading", name=re.compile(r"Ready for credit"))).to_be_visible()
    page.get_by_role(
        "button", name=f"Sign off credit for {student.display_name}", exact=True
    ).click()
    expect(
        page.get_by_text(f"{student.display_name} has earned the credit for {course.title}.")
    ).to_be_visible()
    earned = page.get_by_role("list", name=re.compile("Credit earned"))
    expect(earned.get_by_role("link", name=student.display_name, exact=True)).to_be_visible()
    expect(earned.get_by_text(teacher.display_name)).to_be_visible()
    credit = Credit.objects.get(student=student, course=course, revoked_at__isnull=True)
    assert credit.signed_off_by == teacher

    # The guardian, on a phone, goes from the child page to the report card.
    family = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 360, "height": 740}
    )
    family.set_default_timeout(10_000)
    guardian_page = family.new_page()
    sign_in(guardian_page, guardian.username)
    guardian_page.goto(f"/family/child/{student.pk}/")
    guardian_page.get_by_role("link", name="Report card").click()
    expect(
        guardian_page.get_by_role("heading", name=f"Report card: {student.display_name}")
    ).to_be_visible()
    section = guardian_page.get_by_role("region", name=course.title)
    expect(section.get_by_text("Credit earned")).to_be_visible()
    expect(section.get_by_text(f"earned the credit for {course.title}")).to_be_visible()
    name = student.first_name
    expect(
        section.get_by_role("heading", name=re.compile(f"What {name} can do \\({needed} of"))
    ).to_be_visible()
    expect(
        section.get_by_role("heading", name=f"What {name} is working on", exact=False)
    ).to_be_visible()
    expect(section.get_by_role("heading", name="What comes next")).to_be_visible()
    expect(section.get_by_text("Got it").first).to_be_visible()
    # The Print button is shown by the app's static script (the CSP allows no inline one).
    expect(guardian_page.get_by_role("button", name="Print")).to_be_visible()
    # Nothing wider than the phone.
    width = guardian_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    with guardian_page.expect_download() as download:
        guardian_page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
