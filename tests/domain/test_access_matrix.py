"""Every role against every page and endpoint. Another class's or family's student is a 404,
exactly like a missing id, and opening a student's record leaves an audit entry."""

import datetime as dt
import json

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_school, make_user, record_answer

from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.credit.models import Credit, CreditRule
from tandem.flex.constants import SessionKind
from tandem.flex.selectors import this_week
from tandem.flex.services import (
    SessionInput,
    block_create,
    placement_move,
    schedule_publish,
    schedule_solve,
    session_offer,
)
from tandem.groups.services import group_create, group_end, lesson_plan
from tandem.leaders.services import change_create, figures_compute_all
from tandem.practice.services import written_answer_submit
from tandem.privacy.models import AccessLog
from tandem.roster.access import (
    access_class,
    access_student,
    classes_visible_to,
    students_visible_to,
)
from tandem.roster.constants import OrgType, Role
from tandem.roster.models import Enrollment
from tandem.roster.services import org_create
from tandem.wellbeing.services import selfcheck_submit

pytestmark = pytest.mark.django_db

MISSING = 999_999


@pytest.fixture
def school():
    school = make_school()
    record_answer(school.student_a, "6.EE.A.2", True)
    record_answer(school.student_b, "6.EE.A.2", False)
    # Written questions: one answered by each student, one still open.
    answered = written_item_create(stem="Explain 2(x + 3).", competency_codes=["6.EE.A.2"])
    school.open_question = written_item_create(stem="Explain x + x.", competency_codes=["6.EE.A.2"])
    now = timezone.now()
    school.answer_a, _ = written_answer_submit(
        student=school.student_a, item_id=answered.pk, text="Twice x plus 3.", now=now
    )
    school.answer_b, _ = written_answer_submit(
        student=school.student_b, item_id=answered.pk, text="2x + 6.", now=now
    )
    # Counselors: one of this school (both students), one of another school (nobody here).
    school.counselor = make_user(Role.COUNSELOR)
    school.counselor.orgs.add(school.org)
    school.other_counselor = make_user(Role.COUNSELOR)
    school.other_counselor.orgs.add(
        org_create(sourced_id=f"{school.org.sourced_id}-other", name="Other", type=OrgType.SCHOOL)
    )
    for student in (school.student_a, school.student_b):
        selfcheck_submit(student=student, feeling=1, has_someone="no", note="", now=now)
    # A credit for each student, written directly: these tests are about who may open the
    # pages, not about the rule (tests/credit covers awarding through the services).
    course = school.class_a.course
    CreditRule.objects.create(course=course, share_required=0.5)
    school.credit_a, school.credit_b = (
        Credit.objects.create(
            student=student,
            course=course,
            school_class=school_class,
            awarded_at=now,
            share_required=0.5,
            requires_sign_off=False,
            standards_total=12,
            standards_mastered=6,
        )
        for student, school_class in (
            (school.student_a, school.class_a),
            (school.student_b, school.class_b),
        )
    )
    # A mini-lesson group each teacher leads, with a planned mini-lesson, over their own class.
    topic = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    for suffix, teacher, student in (
        ("a", school.teacher_a, school.student_a),
        ("b", school.teacher_b, school.student_b),
    ):
        group, _ = group_create(leader=teacher, competency=topic, students=[student], now=now)
        lesson, _ = lesson_plan(group=group, date=now.date(), now=now)
        setattr(school, f"group_{suffix}", group)
        setattr(school, f"lesson_{suffix}", lesson)
    # A change a leader named, for the leaders' "did a change help?" page.
    school.change, _ = change_create(
        leader=school.admin,
        title="New schedule",
        start_date=timezone.localdate(),
        weeks=2,
        classes=[school.class_a],
        now=now,
    )
    # Flex: one block, a session led by each teacher this week.
    block = block_create(
        name="Flex", weekday=1, starts_at=dt.time(10), ends_at=dt.time(11), rooms=["1", "2"]
    )
    for name, teacher, room in (("a", school.teacher_a, "1"), ("b", school.teacher_b, "2")):
        session = session_offer(
            teacher=teacher,
            data=SessionInput(
                block=block,
                week_of=this_week(),
                title=f"Study {name}",
                kind=SessionKind.STUDY,
                capacity=5,
                grade_min=6,
                grade_max=8,
                room=room,
            ),
            now=now,
        )
        setattr(school, f"flex_session_{name}", session)
    return school


def _pages(school):
    code = Competency.objects.get(human_coding_scheme="6.EE.A.2").pk
    a, b = school.student_a.pk, school.student_b.pk
    return {
        "student_home": reverse("practice:home"),
        "student_practice": reverse("practice:practice"),
        "family_home": reverse("family:home"),
        # Leaders' pages: administrators only, groups and figures, never one student.
        "lead_growth": reverse("leaders:growth"),
        "lead_equity": reverse("leaders:equity"),
        "lead_equity_csv": reverse("leaders:equity_csv"),
        "lead_time": reverse("leaders:time"),
        "lead_changes": reverse("leaders:changes"),
        "lead_change": reverse("leaders:change", args=[school.change.pk]),
        "lead_change_missing": reverse("leaders:change", args=[MISSING]),
        "family_child_a": reverse("family:child", args=[a]),
        "family_child_b": reverse("family:child", args=[b]),
        "family_child_missing": reverse("family:child", args=[MISSING]),
        "teach_classes": reverse("teaching:classes"),
        "teach_today": reverse("teaching:today"),
        "teach_class_a": reverse("teaching:class", args=[school.class_a.pk]),
        "teach_class_b": reverse("teaching:class", args=[school.class_b.pk]),
        "teach_class_missing": reverse("teaching:class", args=[MISSING]),
        "teach_student_a": reverse("teaching:student", args=[a]),
        "teach_student_b": reverse("teaching:student", args=[b]),
        "teach_student_missing": reverse("teaching:student", args=[MISSING]),
        "teach_explain_a": reverse("teaching:explain", args=[a, code]),
        "teach_explain_b": reverse("teaching:explain", args=[b, code]),
        "api_students": "/api/students/",
        "api_mastery_a": f"/api/students/{a}/mastery",
        "api_mastery_b": f"/api/students/{b}/mastery",
        "api_mastery_missing": f"/api/students/{MISSING}/mastery",
        "api_evidence_a": f"/api/students/{a}/evidence",
        "api_evidence_b": f"/api/students/{b}/evidence",
        # The pathway layer: profiles (accommodations), pathways, goals and reflections,
        # check-ins (private notes), projects.
        "profile_mine": reverse("profiles:mine"),
        "profile_student_a": reverse("profiles:student", args=[a]),
        "profile_student_b": reverse("profiles:student", args=[b]),
        "profile_student_missing": reverse("profiles:student", args=[MISSING]),
        "profile_child_a": reverse("profiles:child", args=[a]),
        "profile_child_b": reverse("profiles:child", args=[b]),
        "pathway_mine": reverse("pathways:mine"),
        "pathway_student_a": reverse("pathways:student", args=[a]),
        "pathway_student_b": reverse("pathways:student", args=[b]),
        "goals_home": reverse("goals:home"),
        "goals_class_a": reverse("goals:class", args=[school.class_a.pk]),
        "goals_class_b": reverse("goals:class", args=[school.class_b.pk]),
        "goals_student_a": reverse("goals:student", args=[a]),
        "goals_student_b": reverse("goals:student", args=[b]),
        "checkins_today": reverse("checkins:today"),
        "checkins_student_a": reverse("checkins:student", args=[a]),
        "checkins_student_b": reverse("checkins:student", args=[b]),
        "checkins_student_missing": reverse("checkins:student", args=[MISSING]),
        "checkins_record_a": reverse("checkins:record", args=[a]),
        "projects_library": reverse("projects:library"),
        "projects_propose": reverse("projects:propose"),
        "projects_review": reverse("projects:review"),
        "projects_manage": reverse("projects:manage"),
        # What the LTI tool sent to the LMS gradebooks of a class.
        "lti_grades_a": reverse("lti:class_grades", args=[school.class_a.pk]),
        "lti_grades_b": reverse("lti:class_grades", args=[school.class_b.pk]),
        "lti_grades_missing": reverse("lti:class_grades", args=[MISSING]),
        # Written questions: the student's pages and the teacher's scoring pages.
        "written_mine": reverse("practice:written"),
        "written_question": reverse("practice:written_question", args=[school.open_question.pk]),
        "written_question_missing": reverse("practice:written_question", args=[MISSING]),
        "written_answer_a": reverse("practice:written_answer", args=[school.answer_a.pk]),
        "written_answer_b": reverse("practice:written_answer", args=[school.answer_b.pk]),
        "teach_written_a": reverse("teaching:written", args=[school.class_a.pk]),
        "teach_written_b": reverse("teaching:written", args=[school.class_b.pk]),
        "teach_written_score_a": reverse(
            "teaching:written_score", args=[school.class_a.pk, school.answer_a.pk]
        ),
        "teach_written_score_b": reverse(
            "teaching:written_score", args=[school.class_b.pk, school.answer_b.pk]
        ),
        # Course credit and report cards.
        "credit_classes": reverse("credit:classes"),
        "credit_class_a": reverse("credit:class", args=[school.class_a.pk]),
        "credit_class_b": reverse("credit:class", args=[school.class_b.pk]),
        "credit_class_missing": reverse("credit:class", args=[MISSING]),
        "credit_report_a": reverse("credit:report", args=[a]),
        "credit_report_b": reverse("credit:report", args=[b]),
        "credit_report_missing": reverse("credit:report", args=[MISSING]),
        "credit_report_pdf_a": reverse("credit:report_pdf", args=[a]),
        "credit_report_pdf_b": reverse("credit:report_pdf", args=[b]),
        "credit_revoke_a": reverse("credit:revoke", args=[school.credit_a.pk]),
        "credit_revoke_b": reverse("credit:revoke", args=[school.credit_b.pk]),
        "credit_revoke_missing": reverse("credit:revoke", args=[MISSING]),
        "credit_transcript": reverse("credit:transcript"),
        # Mini-lesson groups: a group is its leader's (and the administrators').
        "groups_list": reverse("groups:list"),
        "groups_suggestions": reverse("groups:suggestions"),
        "groups_suggestions_class_a": reverse("groups:suggestions")
        + f"?scope=class&class={school.class_a.pk}",
        "groups_suggestions_class_b": reverse("groups:suggestions")
        + f"?scope=class&class={school.class_b.pk}",
        "group_a": reverse("groups:detail", args=[school.group_a.pk]),
        "group_b": reverse("groups:detail", args=[school.group_b.pk]),
        "group_missing": reverse("groups:detail", args=[MISSING]),
        "group_members_a": reverse("groups:members", args=[school.group_a.pk]),
        "group_members_b": reverse("groups:members", args=[school.group_b.pk]),
        "group_hold_a": reverse("groups:hold", args=[school.lesson_a.pk]),
        "group_hold_b": reverse("groups:hold", args=[school.lesson_b.pk]),
        "group_hold_missing": reverse("groups:hold", args=[MISSING]),
        "group_lesson_edit_a": reverse("groups:lesson_edit", args=[school.lesson_a.pk]),
        "group_lesson_edit_b": reverse("groups:lesson_edit", args=[school.lesson_b.pk]),
        # Student B's answer through a class B is not in.
        "teach_written_score_cross": reverse(
            "teaching:written_score", args=[school.class_a.pk, school.answer_b.pk]
        ),
        # Wellbeing: the student's own self-check, a student's weeks, the counselor's list.
        "wellbeing_check": reverse("wellbeing:check"),
        "wellbeing_raised": reverse("wellbeing:raised"),
        "wellbeing_student_a": reverse("wellbeing:student", args=[a]),
        "wellbeing_student_b": reverse("wellbeing:student", args=[b]),
        "wellbeing_student_missing": reverse("wellbeing:student", args=[MISSING]),
        # Flex: the administrator's week, a teacher's sessions, a student's choices, exports.
        "flex_admin": reverse("flex:admin"),
        "flex_teach": reverse("flex:teach"),
        "flex_session_a": reverse("flex:session", args=[school.flex_session_a.pk]),
        "flex_session_b": reverse("flex:session", args=[school.flex_session_b.pk]),
        "flex_session_missing": reverse("flex:session", args=[MISSING]),
        "flex_choose": reverse("flex:choose"),
        "flex_csv": reverse("flex:export_csv"),
        "flex_ics": reverse("flex:export_ics"),
    }


# Expected status per role; anything not listed for a role is 404 (pages) — missing == forbidden.
ALLOWED = {
    "student_a": {
        "student_home",
        "student_practice",
        "api_students",
        "api_mastery_a",
        "api_evidence_a",
        "profile_mine",
        "pathway_mine",
        "goals_home",
        "projects_library",
        "projects_propose",
        "written_mine",
        "written_question",
        "written_answer_a",
        "wellbeing_check",
        "credit_report_a",
        "credit_report_pdf_a",
        "flex_choose",
        "flex_ics",
    },
    "teacher_a": {
        "teach_classes",
        "teach_today",
        "teach_class_a",
        "teach_student_a",
        "teach_explain_a",
        "api_students",
        "api_mastery_a",
        "api_evidence_a",
        "profile_student_a",
        "pathway_student_a",
        "goals_class_a",
        "goals_student_a",
        "checkins_today",
        "checkins_student_a",
        "checkins_record_a",
        "projects_review",
        "projects_manage",
        "lti_grades_a",
        "teach_written_a",
        "teach_written_score_a",
        "wellbeing_student_a",
        "credit_classes",
        "credit_class_a",
        "credit_report_a",
        "credit_report_pdf_a",
        "credit_revoke_a",
        "groups_list",
        "groups_suggestions",
        "groups_suggestions_class_a",
        "group_a",
        "group_members_a",
        "group_hold_a",
        "group_lesson_edit_a",
        "flex_teach",
        "flex_session_a",
        "flex_csv",
        "flex_ics",
    },
    "guardian_a": {
        "family_home",
        "family_child_a",
        "api_students",
        "api_mastery_a",
        "api_evidence_a",
        "profile_child_a",
        "credit_report_a",
        "credit_report_pdf_a",
    },
    # Administrators work in Django's admin; of the pages they may open the school-wide ones
    # (profiles with accommodations, goals, check-ins, the project library), not teachers' own.
    "admin": {
        "api_students",
        "api_mastery_a",
        "api_mastery_b",
        "api_evidence_a",
        "api_evidence_b",
        "profile_student_a",
        "profile_student_b",
        "goals_class_a",
        "goals_class_b",
        "goals_student_a",
        "goals_student_b",
        "checkins_today",
        "checkins_student_a",
        "checkins_student_b",
        "checkins_record_a",
        "projects_manage",
        "lti_grades_a",
        "lti_grades_b",
        "credit_classes",
        "credit_class_a",
        "credit_class_b",
        "credit_report_a",
        "credit_report_b",
        "credit_report_pdf_a",
        "credit_report_pdf_b",
        "credit_revoke_a",
        "credit_revoke_b",
        "credit_transcript",
        "groups_list",
        "groups_suggestions",
        "groups_suggestions_class_a",
        "groups_suggestions_class_b",
        "group_a",
        "group_b",
        "group_members_a",
        "group_members_b",
        "group_hold_a",
        "group_hold_b",
        "group_lesson_edit_a",
        "group_lesson_edit_b",
        "lead_growth",
        "lead_equity",
        "lead_equity_csv",
        "lead_time",
        "lead_changes",
        "lead_change",
        "flex_admin",
        "flex_session_a",
        "flex_session_b",
        "flex_csv",
        "flex_ics",
    },
    # A counselor reads the self-checks of every student of their school and nothing academic;
    # guardians and administrators read no self-checks (see tandem.roster.access).
    "counselor": {
        "api_students",
        "wellbeing_raised",
        "wellbeing_student_a",
        "wellbeing_student_b",
    },
    "other_counselor": {"api_students", "wellbeing_raised"},
}
# Pages that send a role elsewhere rather than refuse it (the library is the students' view).
REDIRECTED = {("teacher_a", "projects_library"), ("admin", "projects_library")}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_against_every_page(client, school, role):
    user = getattr(school, role)
    assert client.login(username=user.username, password=PASSWORD)
    # The leaders' figures exist (the worker's job), so their pages answer rather than wait.
    figures_compute_all(now=timezone.now())
    for name, url in _pages(school).items():
        response = client.get(url)
        expected = 200 if name in ALLOWED[role] else 404
        if (role, name) in REDIRECTED:
            expected = 302
        assert response.status_code == expected, (role, name, url, response.status_code)
        if url.startswith("/api/") and expected == 404:
            assert response["Content-Type"].startswith("application/json")
            assert json.loads(response.content)["error"] == "not_found"


def test_anonymous_is_sent_to_login_or_refused(client, school):
    for name, url in _pages(school).items():
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name


def test_api_lists_only_visible_students(client, school):
    client.login(username=school.teacher_a.username, password=PASSWORD)
    ids = {row["id"] for row in client.get("/api/students/").json()}
    assert ids == {school.student_a.pk}
    client.login(username=school.guardian_a.username, password=PASSWORD)
    ids = {row["id"] for row in client.get("/api/students/").json()}
    assert ids == {school.student_a.pk}
    # A counselor's reach is the self-checks only: the API's academic records list nobody.
    client.login(username=school.counselor.username, password=PASSWORD)
    assert client.get("/api/students/").json() == []


def test_todays_queue_holds_only_the_teachers_own_students(client, school):
    """The Today page has no id to refuse, so what it lists is what is checked: each teacher
    sees the written answer of their own class's student, never the other's."""
    for teacher, mine, theirs in (
        (school.teacher_a, (school.class_a, school.answer_a), (school.class_b, school.answer_b)),
        (school.teacher_b, (school.class_b, school.answer_b), (school.class_a, school.answer_a)),
    ):
        client.force_login(teacher)
        html = client.get(reverse("teaching:today")).content.decode()
        own = reverse("teaching:written_score", args=[mine[0].pk, mine[1].pk])
        other = reverse("teaching:written_score", args=[theirs[0].pk, theirs[1].pk])
        assert own in html and other not in html


def test_reading_a_students_record_is_audited(client, school):
    client.login(username=school.teacher_a.username, password=PASSWORD)
    client.get(reverse("teaching:student", args=[school.student_a.pk]))
    client.get(f"/api/students/{school.student_a.pk}/evidence")
    actions = list(
        AccessLog.objects.filter(actor=school.teacher_a, student=school.student_a).values_list(
            "action", flat=True
        )
    )
    assert "api:evidence" in actions and len(actions) >= 2
    # A refused request leaves no entry about the other student.
    client.get(reverse("teaching:student", args=[school.student_b.pk]))
    assert not AccessLog.objects.filter(student=school.student_b).exists()


def test_opening_a_written_answer_is_audited(client, school):
    client.login(username=school.teacher_a.username, password=PASSWORD)
    client.get(reverse("teaching:written_score", args=[school.class_a.pk, school.answer_a.pk]))
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="teaching:written"
    ).exists()
    client.get(reverse("teaching:written_score", args=[school.class_a.pk, school.answer_b.pk]))
    assert not AccessLog.objects.filter(student=school.student_b).exists()


# ---------- enrolment dates: access follows them everywhere ----------

# What a teacher may open about one of their students while the enrolment is in force.
TEACHER_STUDENT_A_PAGES = {
    "teach_student_a",
    "teach_explain_a",
    "api_mastery_a",
    "api_evidence_a",
    "profile_student_a",
    "pathway_student_a",
    "goals_student_a",
    "checkins_student_a",
    "checkins_record_a",
    "credit_report_a",
    "credit_report_pdf_a",
}


def test_a_teacher_sees_another_teachers_student_only_through_a_group_they_lead(client, school):
    """Teacher A may put student B (same school, class B) in a group; while it is open, B's
    record opens to A; before and after, it is a 404 like any other student's."""
    pages = _pages(school)
    client.login(username=school.teacher_a.username, password=PASSWORD)
    assert client.get(pages["teach_student_b"]).status_code == 404
    topic = Competency.objects.get(human_coding_scheme="6.EE.A.3")
    group, _ = group_create(
        leader=school.teacher_a, competency=topic, students=[school.student_b], now=timezone.now()
    )
    for name in ("teach_student_b", "teach_explain_b", "api_mastery_b"):
        assert client.get(pages[name]).status_code == 200, name
    # Teacher B's class and group stay closed to A.
    for name in ("teach_class_b", "group_b", "group_hold_b", "groups_suggestions_class_b"):
        assert client.get(pages[name]).status_code == 404, name
    group_end(group=group, now=timezone.now())
    assert client.get(pages["teach_student_b"]).status_code == 404


def _set_dates(user, school_class, *, begin=None, end=None):
    Enrollment.objects.filter(user=user, school_class=school_class).update(
        begin_date=begin, end_date=end
    )


@pytest.mark.parametrize(
    "dates",
    [{"end": -1}, {"begin": 1}],
    ids=["student-enrolment-ended", "student-enrolment-not-begun"],
)
def test_teacher_loses_a_student_outside_the_enrolment_dates(client, school, dates):
    today = timezone.localdate()
    _set_dates(
        school.student_a,
        school.class_a,
        **{k: today + dt.timedelta(days=v) for k, v in dates.items()},
    )
    assert not students_visible_to(school.teacher_a).exists()
    client.login(username=school.teacher_a.username, password=PASSWORD)
    pages = _pages(school)
    for name in sorted(TEACHER_STUDENT_A_PAGES):
        assert client.get(pages[name]).status_code == 404, name
    assert client.get("/api/students/").json() == []
    # The class itself is still the teacher's, but no longer lists the student.
    response = client.get(pages["teach_class_a"])
    assert response.status_code == 200
    assert school.student_a.display_name not in response.content.decode()
    # Nothing was opened; every refusal was recorded.
    assert not AccessLog.objects.filter(student=school.student_a).exists()
    refused = AccessLog.objects.filter(actor=school.teacher_a, refused=True)
    assert refused.filter(requested_id=str(school.student_a.pk)).count() >= len(
        [n for n in TEACHER_STUDENT_A_PAGES if n != "checkins_record_a"]
    )


def test_enrolment_ending_today_still_counts(client, school):
    _set_dates(school.student_a, school.class_a, end=timezone.localdate())
    client.login(username=school.teacher_a.username, password=PASSWORD)
    assert client.get(f"/api/students/{school.student_a.pk}/evidence").status_code == 200


def test_teacher_whose_own_enrolment_ended_loses_the_class(client, school):
    _set_dates(school.teacher_a, school.class_a, end=timezone.localdate() - dt.timedelta(days=1))
    assert not classes_visible_to(school.teacher_a).exists()
    with pytest.raises(Http404):
        access_class(user=school.teacher_a, class_id=school.class_a.pk)
    client.login(username=school.teacher_a.username, password=PASSWORD)
    assert client.get(reverse("teaching:class", args=[school.class_a.pk])).status_code == 404
    assert client.get(reverse("teaching:student", args=[school.student_a.pk])).status_code == 404
    assert AccessLog.objects.filter(
        actor=school.teacher_a, refused=True, requested_id=str(school.class_a.pk)
    ).exists()


def test_student_sees_only_classes_in_force(school):
    assert list(classes_visible_to(school.student_a)) == [school.class_a]
    _set_dates(school.student_a, school.class_a, end=timezone.localdate() - dt.timedelta(days=1))
    assert not classes_visible_to(school.student_a).exists()
    # Their own record stays theirs.
    assert access_student(user=school.student_a, student_id=school.student_a.pk)


def test_refusals_are_recorded_the_same_for_missing_and_forbidden(school):
    for student_id in (school.student_b.pk, MISSING):
        with pytest.raises(Http404):
            access_student(user=school.teacher_a, student_id=student_id, action="t", path="/x")
    rows = list(
        AccessLog.objects.filter(actor=school.teacher_a, refused=True).values_list(
            "student_id", "requested_id", "action", "path"
        )
    )
    assert sorted(rows) == sorted(
        [(None, str(school.student_b.pk), "t", "/x"), (None, str(MISSING), "t", "/x")]
    )


def test_a_student_refused_another_students_check_ins_is_recorded(client, school):
    client.login(username=school.student_a.username, password=PASSWORD)
    url = reverse("checkins:student", args=[school.student_b.pk])
    assert client.get(url).status_code == 404
    assert AccessLog.objects.filter(
        actor=school.student_a, refused=True, requested_id=str(school.student_b.pk)
    ).exists()


def test_a_teacher_reaches_another_class_only_through_a_published_flex_session(client, school):
    """Teacher A sees student B (class B) once B is placed in A's session and the week is
    published; never before, and never B's classmates who are elsewhere."""
    client.login(username=school.teacher_a.username, password=PASSWORD)
    page = reverse("teaching:student", args=[school.student_b.pk])
    assert client.get(page).status_code == 404
    now = timezone.now()
    schedule = schedule_solve(week=this_week(), now=now, time_limit_s=5)
    placed_with_a = set(
        schedule.placements.filter(session=school.flex_session_a).values_list(
            "student_id", flat=True
        )
    )
    if school.student_b.pk not in placed_with_a:  # move B into A's session by hand
        placement_move(
            placement=schedule.placements.get(student=school.student_b),
            session=school.flex_session_a,
            by=school.admin,
            now=now,
        )
    assert client.get(page).status_code == 404  # a draft gives no reach
    schedule_publish(schedule=schedule, by=school.admin, now=now)
    assert client.get(page).status_code == 200
    assert client.get(reverse("flex:session", args=[school.flex_session_b.pk])).status_code == 404
