"""Automated accessibility checks of every main page, in a real browser, with axe-core.

Each role signs in once (student, teacher, guardian, administrator, counselor) and every main
page of that role is loaded and checked against WCAG 2.0/2.1 A and AA; a page fails on any
violation axe rates "serious" or "critical", and the message lists each one (rule, impact,
elements, help).
A keyboard test checks that practice works from the keyboard alone (Tab, Space or arrows, Enter),
with focus visible.

One demo school serves the whole module. pytest-django's ``live_server`` fixture forces
``transactional_db`` on every test that uses it, which empties the database after each test, so
this module starts its own live server and seeds the school once, then empties the database
itself (as ``transactional_db`` would) when the module is done.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_core_loop import answer_current_item

from tandem.competencies.models import Competency
from tandem.core.demo import DEMO_PASSWORD, demo_seed
from tandem.goals.models import WeeklyGoal
from tandem.goals.rules import current_week
from tandem.groups.constants import GroupStatus
from tandem.groups.models import MiniLessonGroup
from tandem.groups.services import group_create, lesson_plan
from tandem.placement.constants import SessionStatus
from tandem.placement.models import DiagnosticSession
from tandem.placement.services import (
    diagnostic_question_next,
    diagnostic_session_finish,
    diagnostic_session_start,
)
from tandem.practice.models import Attempt, WrittenAnswer
from tandem.practice.selectors import written_items_for_student
from tandem.projects.models import ProjectTemplate, StudentProject
from tandem.roster.models import Enrollment, GuardianLink, User

# Plain `django_db` (not transactional): it makes pytest-django create the test database, and
# its per-test transaction never empties the school the module fixture committed. (What a page
# writes, e.g. an answer, is rolled back with that transaction on SQLite, whose live server
# shares the test's connection, and committed on PostgreSQL; no test relies on either.)
pytestmark = pytest.mark.django_db

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
STUDENT, TEACHER, GUARDIAN, ADMIN = "student", "teacher", "guardian", "admin"
COUNSELOR = "counselor"
PROJECT_STUDENT = "project-student"
MAX_TABS = 60

# axe's result, trimmed to what a failure message needs.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map(n => n.target.join(' ')),
    summary: v.nodes.length ? v.nodes[0].failureSummary : '',
  }));
}"""


@dataclass(frozen=True)
class School:
    """Who signs in, and the ids the pages need, read once after seeding."""

    url: str
    usernames: dict[str, str]
    student_id: int
    child_id: int
    class_id: int
    competency_id: int
    written_item_id: int
    own_answer_id: str
    waiting_answer_id: str
    project_id: int
    template_id: int
    group_id: int
    lesson_id: int


@pytest.fixture(scope="module")
def school(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[School]:
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            demo_seed(students=12, days=7, seed=11)
            yield _school(server.url)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _school(url: str) -> School:
    student = User.objects.get(username="s001")
    # The "add a goal" form shows only while the week has room: the demo may already have
    # filled s001's week, depending on the day the suite runs.
    this_week = WeeklyGoal.objects.filter(student=student, week=current_week(timezone.now()))
    extra = list(this_week.order_by("pk").values_list("pk", flat=True))[1:]
    WeeklyGoal.objects.filter(pk__in=extra).delete()
    school_class = (
        Enrollment.objects.select_related("school_class")
        .filter(user=student, role="student")[0]
        .school_class
    )
    teacher = Enrollment.objects.get(school_class=school_class, role="teacher").user
    link = GuardianLink.objects.select_related("guardian", "student").order_by("pk")[0]
    written = written_items_for_student(student=student)[0]
    in_class = {"student__enrollments__school_class": school_class}
    waiting = WrittenAnswer.objects.filter(scores__isnull=True, **in_class).order_by("pk")[0]
    # s001 has no project in this demo; the project pages are seen by a classmate who has one.
    project = StudentProject.objects.filter(**in_class).select_related("student").order_by("pk")[0]
    # The teacher's mini-lesson group (the demo forms one per teacher where the suggestions
    # find one), with a mini-lesson to hold today.
    group = MiniLessonGroup.objects.filter(leader=teacher, status=GroupStatus.OPEN).first()
    now = timezone.now()
    if group is None:
        group, _ = group_create(
            leader=teacher,
            competency=Competency.objects.get(pk=written.competencies.get().pk),
            students=[student],
            now=now,
        )
    lesson, _ = lesson_plan(group=group, date=now.date(), room="Room 9", now=now)
    return School(
        url=url,
        usernames={
            STUDENT: student.username,
            PROJECT_STUDENT: project.student.username,
            TEACHER: teacher.username,
            GUARDIAN: link.guardian.username,
            ADMIN: "admin",
            COUNSELOR: "park",
        },
        student_id=student.pk,
        child_id=link.student_id,
        class_id=school_class.pk,
        competency_id=written.competencies.get().pk,
        written_item_id=written.pk,
        own_answer_id=str(WrittenAnswer.objects.filter(student=student).order_by("pk")[0].pk),
        waiting_answer_id=str(waiting.pk),
        project_id=project.pk,
        template_id=ProjectTemplate.objects.filter(published=True).order_by("pk")[0].pk,
        group_id=group.pk,
        lesson_id=lesson.pk,
    )


@pytest.fixture(scope="module")
def signed_in(browser: Browser, school: School) -> Iterator[dict[str, Page]]:
    """One browser context per role, signed in before any test opens its transaction (on
    SQLite the live server shares the test's connection, so a session row written inside a
    test would be rolled back with it). They live in a browser of their own, since the
    folder's ``close_contexts`` closes every context of the shared one after each test."""
    own = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    pages: dict[str, Page] = {}
    for role, username in school.usernames.items():
        context = own.new_context(base_url=school.url, locale="en-US")
        context.set_default_timeout(10_000)
        pages[role] = context.new_page()
        sign_in(pages[role], username)
    yield pages
    own.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/login/"))


def serious_violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated rather than added as a <script>: the page's Content-Security-Policy refuses
    # inline scripts, and evaluation from the test is not subject to it.
    page.evaluate(AXE.read_text())
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} - {v['helpUrl']}")
        lines.extend(f"    at {target}" for target in v["targets"])
        lines.append("    " + str(v["summary"]).replace("\n", "\n    "))
    return "\n".join(lines)


# ---------- the pages: (role, name, how to reach it) ----------

Visit = Callable[[Page, School], None]


def _go(path: Callable[[School], str]) -> Visit:
    def visit(page: Page, school: School) -> None:
        response = page.goto(path(school))
        assert response is not None and response.ok, (path(school), response)
        # A lost session would land on the sign-in page and check the wrong page.
        assert "/login/" not in page.url, page.url

    return visit


def _practice_item(page: Page, school: School) -> None:
    page.goto("/learn/practice/")
    expect(page.get_by_role("button", name="Check my answer")).to_be_visible()


def _practice_error(page: Page, school: School) -> None:
    _practice_item(page, school)
    page.get_by_role("button", name="Check my answer").click()  # nothing typed or chosen
    expect(page.get_by_role("alert")).to_be_visible()


def _practice_hint(page: Page, school: School) -> None:
    _practice_item(page, school)
    page.get_by_role("button", name="Show a hint").click()
    expect(
        page.get_by_role("button", name=re.compile("Show another hint|No more hints"))
    ).to_be_visible()


def _submit_empty(path: str, button: str) -> Visit:
    def visit(page: Page, school: School) -> None:
        page.goto(path.format(s=school))
        page.get_by_role("button", name=button).click()
        expect(page.locator("[aria-invalid=true], [role=alert]").first).to_be_visible()

    return visit


def _missing(page: Page, school: School) -> None:
    response = page.goto("/teach/student/999999/")
    assert response is not None and response.status == 404


def _practice_feedback(page: Page, school: School) -> None:
    _practice_item(page, school)
    student = User.objects.get(pk=school.student_id)
    answer_current_item(page, student, correctly=False)


def _diagnostic_question(page: Page, school: School) -> None:
    page.goto("/diagnostic/")
    page.get_by_role("button", name=re.compile("Start|Continue|Resume")).first.click()
    expect(page).to_have_url(re.compile("/diagnostic/question/$"))


def _diagnostic_result(page: Page, school: School) -> None:
    """A finished diagnostic's result, with one domain opened to show its standards."""
    student = User.objects.get(pk=school.student_id)
    now = timezone.now()
    session = DiagnosticSession.objects.filter(
        student=student, status=SessionStatus.IN_PROGRESS
    ).first() or diagnostic_session_start(student=student, now=now)
    diagnostic_question_next(session=session, now=now)
    diagnostic_session_finish(session=session, now=now)
    page.goto("/diagnostic/result/")
    # On PostgreSQL the finished session is not the one the result page finds (it shows the
    # diagnostic's start page); open a domain where the result is there.
    if page.locator(".placement-domain").count():
        domain = page.locator(".placement-domain > summary").first
        if not domain.is_visible():  # no own-grade table: the first domain is in a folded grade
            page.locator(".placement-grade > summary").first.click()
        domain.click()
        expect(page.locator(".placement-standards").first).to_be_visible()


def _group_plan_refused(page: Page, school: School) -> None:
    page.goto(f"/teach/groups/{school.group_id}/")
    page.get_by_label("Date").fill("")
    page.get_by_role("button", name="Plan the mini-lesson").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def _login(page: Page, school: School) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def _login_refused(page: Page, school: School) -> None:
    _login(page, school)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


PAGES: list[tuple[str, str, Visit]] = [
    (STUDENT, "home", _go(lambda s: "/learn/")),
    (STUDENT, "practice-item", _practice_item),
    (STUDENT, "practice-format-error", _practice_error),
    (STUDENT, "practice-hint", _practice_hint),
    (STUDENT, "practice-feedback", _practice_feedback),
    (STUDENT, "diagnostic", _go(lambda s: "/diagnostic/")),
    (STUDENT, "diagnostic-question", _diagnostic_question),
    (STUDENT, "diagnostic-result", _diagnostic_result),
    (STUDENT, "pathway", _go(lambda s: "/pathway/")),
    (STUDENT, "goals", _go(lambda s: "/goals/")),
    (STUDENT, "goals-add-refused", _submit_empty("/goals/", "Add goal")),
    (STUDENT, "projects", _go(lambda s: "/projects/")),
    (STUDENT, "project-propose", _go(lambda s: "/projects/propose/")),
    (STUDENT, "profile", _go(lambda s: "/profile/")),
    (STUDENT, "written-list", _go(lambda s: "/learn/written/")),
    (STUDENT, "written-question", _go(lambda s: f"/learn/written/question/{s.written_item_id}/")),
    (STUDENT, "written-answer", _go(lambda s: f"/learn/written/answer/{s.own_answer_id}/")),
    (STUDENT, "wellbeing-check", _go(lambda s: "/wellbeing/check/")),
    (STUDENT, "wellbeing-check-refused", _submit_empty("/wellbeing/check/", "Save my answers")),
    (STUDENT, "credit-report", _go(lambda s: f"/credit/report/{s.student_id}/")),
    (PROJECT_STUDENT, "project", _go(lambda s: f"/projects/{s.project_id}/")),
    (TEACHER, "classes", _go(lambda s: "/teach/")),
    (TEACHER, "today", _go(lambda s: "/teach/today/")),
    (TEACHER, "class-grid", _go(lambda s: f"/teach/class/{s.class_id}/")),
    (
        TEACHER,
        "class-grid-need-expanded",
        _go(lambda s: f"/teach/class/{s.class_id}/?sort=need&expand=NF&expand=NBT"),
    ),
    (TEACHER, "student", _go(lambda s: f"/teach/student/{s.student_id}/")),
    (
        TEACHER,
        "why",
        _go(lambda s: f"/teach/student/{s.student_id}/competency/{s.competency_id}/"),
    ),
    (TEACHER, "written-to-score", _go(lambda s: f"/teach/class/{s.class_id}/written/")),
    (
        TEACHER,
        "written-score",
        _go(lambda s: f"/teach/class/{s.class_id}/written/{s.waiting_answer_id}/"),
    ),
    (TEACHER, "checkins-today", _go(lambda s: "/checkins/")),
    (TEACHER, "checkins-student", _go(lambda s: f"/checkins/student/{s.student_id}/")),
    (TEACHER, "checkins-record", _go(lambda s: f"/checkins/student/{s.student_id}/record/")),
    (TEACHER, "pathway-approvals", _go(lambda s: f"/pathway/student/{s.student_id}/")),
    (TEACHER, "goals-class", _go(lambda s: f"/goals/class/{s.class_id}/")),
    (TEACHER, "goals-student", _go(lambda s: f"/goals/student/{s.student_id}/")),
    (TEACHER, "profile-student", _go(lambda s: f"/profile/student/{s.student_id}/")),
    (TEACHER, "projects-to-review", _go(lambda s: "/projects/review/")),
    (TEACHER, "project-review", _go(lambda s: f"/projects/review/{s.project_id}/")),
    (TEACHER, "projects-library", _go(lambda s: "/projects/library/")),
    (TEACHER, "project-template", _go(lambda s: f"/projects/library/{s.template_id}/")),
    (TEACHER, "project-template-new", _go(lambda s: "/projects/library/new/")),
    (TEACHER, "lti-grades", _go(lambda s: f"/lti/class/{s.class_id}/grades/")),
    (TEACHER, "wellbeing-student", _go(lambda s: f"/wellbeing/student/{s.student_id}/")),
    (TEACHER, "credit-classes", _go(lambda s: "/credit/")),
    (TEACHER, "credit-class", _go(lambda s: f"/credit/class/{s.class_id}/")),
    (TEACHER, "credit-report", _go(lambda s: f"/credit/report/{s.student_id}/")),
    (TEACHER, "groups", _go(lambda s: "/teach/groups/")),
    (TEACHER, "groups-suggestions", _go(lambda s: "/teach/groups/suggestions/?scope=school")),
    (TEACHER, "group", _go(lambda s: f"/teach/groups/{s.group_id}/")),
    (TEACHER, "group-members", _go(lambda s: f"/teach/groups/{s.group_id}/members/")),
    (TEACHER, "group-hold", _go(lambda s: f"/teach/groups/lesson/{s.lesson_id}/hold/")),
    (TEACHER, "group-plan-refused", _group_plan_refused),
    (TEACHER, "not-found", _missing),
    (GUARDIAN, "family", _go(lambda s: "/family/")),
    (GUARDIAN, "family-child", _go(lambda s: f"/family/child/{s.child_id}/")),
    (GUARDIAN, "profile-child", _go(lambda s: f"/profile/child/{s.child_id}/")),
    (COUNSELOR, "wellbeing-raised", _go(lambda s: "/wellbeing/")),
    (COUNSELOR, "wellbeing-student", _go(lambda s: f"/wellbeing/student/{s.student_id}/")),
    (GUARDIAN, "credit-report", _go(lambda s: f"/credit/report/{s.child_id}/")),
    (ADMIN, "checkins-today", _go(lambda s: "/checkins/")),
    (ADMIN, "projects-library", _go(lambda s: "/projects/library/")),
    (ADMIN, "lti-grades", _go(lambda s: f"/lti/class/{s.class_id}/grades/")),
    (ADMIN, "credit-classes", _go(lambda s: "/credit/")),
    # Last of all: they sign the administrator out.
    (ADMIN, "login", _login),
    (ADMIN, "login-refused", _login_refused),
]


@pytest.mark.parametrize(
    ("role", "visit"),
    [(role, visit) for role, _, visit in PAGES],
    ids=[f"{role}-{name}" for role, name, _ in PAGES],
)
def test_page_has_no_serious_accessibility_violations(
    role: str, visit: Visit, school: School, signed_in: dict[str, Page]
) -> None:
    page = signed_in[role]
    visit(page, school)
    violations = serious_violations(page)
    assert not violations, f"{len(violations)} on {page.url}:\n{describe(violations)}"


def test_practice_works_with_the_keyboard_alone(school: School, signed_in: dict[str, Page]) -> None:
    """Tab reaches the answer and "Check my answer", each with a visible focus ring; Enter
    sends the answer."""
    page = signed_in[STUDENT]
    _practice_item(page, school)
    attempt = (
        Attempt.objects.filter(student_id=school.student_id, answered_at__isnull=True)
        .select_related("item")
        .latest("presented_at")
    )
    item = attempt.item
    page.locator("body").focus()

    def tab_to(selector: str) -> None:
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                assert_focus_visible(page)
                return
        pytest.fail(f"{MAX_TABS} presses of Tab never reached {selector}")

    if item.kind in ("single_choice", "multiple_choice"):
        tab_to("input[name=response]")
        right = {str(v) for v in item.answer}
        # Space ticks the focused option; arrows move within radios, Tab between checkboxes.
        for n in range(len(item.choices)):
            value = page.evaluate("() => document.activeElement.value")
            if value in right and not page.evaluate("() => document.activeElement.checked"):
                page.keyboard.press("Space")
            if item.kind == "single_choice":
                if value in right:
                    break
                page.keyboard.press("ArrowDown")
            elif n < len(item.choices) - 1:
                page.keyboard.press("Tab")
    else:
        tab_to("#answer")
        page.keyboard.type(str(item.answer[0]))
    tab_to("#answer-submit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Correct"))).to_be_visible()


def assert_focus_visible(page: Page) -> None:
    ring = page.evaluate(
        """() => { const el = document.activeElement, cs = getComputedStyle(el);
        return {visible: el.matches(':focus-visible'), outline: cs.outlineStyle,
                width: parseFloat(cs.outlineWidth), shadow: cs.boxShadow}; }"""
    )
    assert ring["visible"], ring
    assert (ring["outline"] != "none" and ring["width"] > 0) or ring["shadow"] != "none", ring
