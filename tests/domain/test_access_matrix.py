"""Every role against every page and endpoint. Another class's or family's student is a 404,
exactly like a missing id, and opening a student's record leaves an audit entry."""

import datetime as dt
import json

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_school, record_answer

from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.practice.services import written_answer_submit
from tandem.privacy.models import AccessLog
from tandem.roster.access import (
    access_class,
    access_student,
    classes_visible_to,
    students_visible_to,
)
from tandem.roster.models import Enrollment

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
    return school


def _pages(school):
    code = Competency.objects.get(human_coding_scheme="6.EE.A.2").pk
    a, b = school.student_a.pk, school.student_b.pk
    return {
        "student_home": reverse("practice:home"),
        "student_practice": reverse("practice:practice"),
        "family_home": reverse("family:home"),
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
        # Student B's answer through a class B is not in.
        "teach_written_score_cross": reverse(
            "teaching:written_score", args=[school.class_a.pk, school.answer_b.pk]
        ),
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
    },
    "guardian_a": {
        "family_home",
        "family_child_a",
        "api_students",
        "api_mastery_a",
        "api_evidence_a",
        "profile_child_a",
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
    },
}
# Pages that send a role elsewhere rather than refuse it (the library is the students' view).
REDIRECTED = {("teacher_a", "projects_library"), ("admin", "projects_library")}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_against_every_page(client, school, role):
    user = getattr(school, role)
    assert client.login(username=user.username, password=PASSWORD)
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
}


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
