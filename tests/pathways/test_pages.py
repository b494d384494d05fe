"""The pathway pages' HTTP contract: who may open and change which plan (another class's or
family's student is a 404, like a missing one), the student's moves and their refusals, the
forms, the teacher's approval and adjustments, and the history."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.factories import PASSWORD, record_answer

from tandem.competencies.models import Competency
from tandem.pathways.constants import EventKind, PathwayStatus
from tandem.pathways.models import Pathway, PathwayEvent, PathwayStep, PathwayTarget
from tandem.privacy.models import AccessLog

pytestmark = pytest.mark.django_db

MISSING = 999_999


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def codes(student):
    steps = PathwayStep.objects.filter(pathway__student=student).select_related("competency")
    return [s.competency.code if s.competency else s.title for s in steps.order_by("position")]


def step_of(student, code):
    return PathwayStep.objects.get(pathway__student=student, competency__human_coding_scheme=code)


def _pages(school):
    a, b = school.student_a.pk, school.student_b.pk
    return {
        "mine": reverse("pathways:mine"),
        "teacher_a": reverse("pathways:student", args=[a]),
        "teacher_b": reverse("pathways:student", args=[b]),
        "teacher_missing": reverse("pathways:student", args=[MISSING]),
    }


ALLOWED = {
    "student_a": {"mine"},
    "student_b": {"mine"},
    "teacher_a": {"teacher_a"},
    "teacher_b": {"teacher_b"},
    # Guardians and administrators have no pathway pages (administrators read plans in the
    # Django admin), exactly like the teacher pages they sit beside.
    "guardian_a": set(),
    "admin": set(),
}


# ---------- access ----------


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_against_every_page(client, school, role):
    login(client, getattr(school, role))
    for name, url in _pages(school).items():
        response = client.get(url)
        expected = 200 if name in ALLOWED[role] else 404
        assert response.status_code == expected, (role, name, response.status_code)


def test_anonymous_is_sent_to_login(client, school):
    for name, url in _pages(school).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_students_see_only_their_own_plan(client, school):
    login(client, school.student_b)
    page = client.get(reverse("pathways:mine")).content.decode()
    assert school.student_b.display_name in page
    assert school.student_a.display_name not in page
    assert Pathway.objects.filter(student=school.student_b).exists()
    assert not Pathway.objects.filter(student=school.student_a).exists()


def test_nobody_changes_a_plan_they_cannot_see(client, school):
    a, b = school.student_a, school.student_b
    login(client, a).get(reverse("pathways:mine"))
    login(client, b).get(reverse("pathways:mine"))
    step_a = step_of(a, "6.SP.B.5.c")
    target_a = PathwayTarget.objects.filter(pathway__student=a).first()
    project_a = PathwayStep.objects.create(
        pathway=step_a.pathway,
        position=99,
        kind="project",
        title="Kite",
        created_at=step_a.created_at,
    )
    comp = Competency.objects.get(human_coding_scheme="7.RP.A.1")
    attempts = {
        "move": (reverse("pathways:step_move", args=[a.pk, step_a.pk]), {"position": 0}),
        "add_target": (reverse("pathways:target_add", args=[a.pk]), {"competency": comp.pk}),
        "remove_target": (reverse("pathways:target_remove", args=[a.pk, target_a.pk]), {}),
        "add_project": (
            reverse("pathways:project_add", args=[a.pk]),
            {"title": "Kites", "idempotency_key": str(uuid.uuid4())},
        ),
        "project_done": (reverse("pathways:project_done", args=[a.pk, project_a.pk]), {}),
        "project_remove": (reverse("pathways:project_remove", args=[a.pk, project_a.pk]), {}),
        "approve": (reverse("pathways:approve", args=[a.pk]), {}),
        # Own student id, someone else's step: also a 404.
        "move_other_step": (
            reverse("pathways:step_move", args=[b.pk, step_a.pk]),
            {"position": 0},
        ),
    }
    for user in (school.student_b, school.teacher_b, school.guardian_a, school.admin):
        login(client, user)
        for name, (url, data) in attempts.items():
            if name == "move_other_step" and user != b:
                continue
            assert client.post(url, data).status_code == 404, (user.username, name)
    assert not PathwayEvent.objects.filter(pathway__student=a).exclude(kind="created").exists()
    assert codes(a).index("6.SP.B.5.c") == step_a.position


def test_the_teacher_page_is_audited(client, school):
    login(client, school.teacher_a).get(reverse("pathways:student", args=[school.student_a.pk]))
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="pathways:view"
    ).exists()
    client.get(reverse("pathways:student", args=[school.student_b.pk]))
    assert not AccessLog.objects.filter(student=school.student_b).exists()


# ---------- the student's page ----------


def test_student_page_shows_the_plan_with_status_time_and_pace(client, school):
    record_answer(school.student_a, "6.NS.A.1", False)
    page = login(client, school.student_a).get(reverse("pathways:mine")).content.decode()
    assert "<h1>My pathway</h1>" in page
    assert 'aria-current="page">My pathway</a>' in page
    for words in ("Done", "In progress", "Ready to start", "Needs earlier steps first"):
        assert words in page  # the legend, and the steps' own words
    assert "Needs first:" in page and "Time left: about 16 min" in page
    assert "Pace" in page and "has gone by" in page and "you are" in page
    assert "Waiting for your teacher’s approval" in page
    # Move buttons only where allowed: 6.EE.A.3 comes right after 6.NS.B.4, which it builds on,
    # and 6.NS.A.1 right before 6.EE.B.7, which builds on it.
    order = codes(school.student_a)
    assert order.index("6.EE.A.3") == order.index("6.NS.B.4") + 1
    assert order.index("6.EE.B.7") == order.index("6.NS.A.1") + 1

    def buttons(code):
        step = step_of(school.student_a, code)
        block = page.split(f'id="step-{step.pk}"')[1].split("</li>")[0]
        move = reverse("pathways:step_move", args=[school.student_a.pk, step.pk])
        return ("Move up" in block, "Move down" in block, f'action="{move}"' in block)

    assert buttons("6.EE.A.3") == (False, True, True)
    assert buttons("6.NS.A.1") == (True, False, True)
    assert buttons("6.RP.A.3.b") == (True, True, True)


def test_student_reorders_ready_steps_and_sees_a_refused_move_explained(client, school):
    a = school.student_a
    login(client, a).get(reverse("pathways:mine"))
    ready = step_of(a, "6.SP.B.5.c")
    url = reverse("pathways:step_move", args=[a.pk, ready.pk])
    response = client.post(url, {"position": 0})
    assert response.status_code == 302
    assert response["Location"] == reverse("pathways:mine") + f"#step-{ready.pk}"
    assert codes(a)[0] == "6.SP.B.5.c"
    # The same post again (a double submit) records nothing new.
    client.post(url, {"position": 0})
    assert PathwayEvent.objects.filter(kind=EventKind.STEP_MOVED).count() == 1
    # A move that skips a prerequisite is refused, with the reason, and nothing changes.
    before = codes(a)
    locked = step_of(a, "6.EE.A.3")
    response = client.post(reverse("pathways:step_move", args=[a.pk, locked.pk]), {"position": 0})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "That change was not made" in page
    assert "6.EE.A.3 can’t come before 6.NS.B.4" in page
    assert codes(a) == before
    bad = client.post(reverse("pathways:step_move", args=[a.pk, locked.pk]), {"position": "x"})
    assert bad.status_code == 400 and "Choose where to move the step." in bad.content.decode()


def test_student_adds_a_target_above_grade(client, school):
    a = school.student_a
    login(client, a)
    page = client.get(reverse("pathways:mine")).content.decode()
    assert "Grade 7 (above your grade)" in page and "Grade 5 (below your grade)" in page
    comp = Competency.objects.get(human_coding_scheme="8.EE.A.4")
    response = client.post(reverse("pathways:target_add", args=[a.pk]), {"competency": comp.pk})
    assert response.status_code == 302
    assert {"8.EE.A.1", "8.EE.A.4"} <= set(codes(a))
    page = client.get(reverse("pathways:mine")).content.decode()
    assert "8.EE.A.4 is now a target on the plan." in page
    assert "Chosen by the student" in page
    # Choosing nothing, or something already a target, says so and adds nothing.
    response = client.post(reverse("pathways:target_add", args=[a.pk]), {"competency": ""})
    assert response.status_code == 400
    assert "Choose a competency to aim for." in response.content.decode()
    response = client.post(reverse("pathways:target_add", args=[a.pk]), {"competency": comp.pk})
    assert response.status_code == 400 and "already a target" in response.content.decode()
    # A student cannot take a course standard off; the page says why.
    course = PathwayTarget.objects.get(
        pathway__student=a, competency__human_coding_scheme="6.RP.A.1"
    )
    response = client.post(reverse("pathways:target_remove", args=[a.pk, course.pk]))
    assert response.status_code == 400 and "only your teacher" in response.content.decode()
    own = PathwayTarget.objects.get(pathway__student=a, competency=comp)
    response = client.post(reverse("pathways:target_remove", args=[a.pk, own.pk]))
    assert response.status_code == 302 and "8.EE.A.4" not in codes(a)


def test_student_adds_a_project_once_and_keeps_what_they_typed_on_an_error(client, school):
    a = school.student_a
    login(client, a).get(reverse("pathways:mine"))
    ratios = Competency.objects.get(human_coding_scheme="6.RP.A.1")
    key = str(uuid.uuid4())
    data = {
        "title": "Recipe for 30",
        "description": "Scale a recipe for the class.",
        "practises": [ratios.pk],
        "idempotency_key": key,
    }
    url = reverse("pathways:project_add", args=[a.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the double submit
    project = PathwayStep.objects.get(kind="project")
    assert project.title == "Recipe for 30" and list(project.practises.all()) == [ratios]
    assert codes(a)[-1] == "Recipe for 30"
    response = client.post(
        url, {"title": "", "description": "My idea, not lost", "idempotency_key": "mangled"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the project a title." in page and "My idea, not lost" in page
    assert 'role="alert"' in page
    assert PathwayStep.objects.filter(kind="project").count() == 1
    assert client.post(reverse("pathways:project_done", args=[a.pk, project.pk])).status_code == 302
    project.refresh_from_db()
    assert project.completed_at is not None
    response = client.post(reverse("pathways:project_remove", args=[a.pk, project.pk]))
    assert response.status_code == 302
    assert not PathwayStep.objects.filter(kind="project").exists()


# ---------- the teacher's page ----------


def test_teacher_approves_and_adjusts_and_sees_the_history(client, school):
    a, teacher = school.student_a, school.teacher_a
    login(client, a).get(reverse("pathways:mine"))
    client.post(
        reverse("pathways:step_move", args=[a.pk, step_of(a, "6.SP.B.5.c").pk]), {"position": 0}
    )
    login(client, teacher)
    url = reverse("pathways:student", args=[a.pk])
    page = client.get(url).content.decode()
    assert "Pathway of" in page and "Approve this pathway" in page
    assert reverse("teaching:student", args=[a.pk]) in page
    assert "History of changes" in page and "Moved 6.SP.B.5.c from step" in page
    assert client.post(reverse("pathways:approve", args=[a.pk])).status_code == 302
    pathway = Pathway.objects.get(student=a)
    assert pathway.status == PathwayStatus.APPROVED and pathway.approved_by == teacher
    # Adjust: take a course standard off, add one above grade, move a step.
    course = PathwayTarget.objects.get(pathway=pathway, competency__human_coding_scheme="6.RP.A.1")
    assert client.post(reverse("pathways:target_remove", args=[a.pk, course.pk])).status_code == 302
    seven = Competency.objects.get(human_coding_scheme="7.RP.A.1")
    response = client.post(reverse("pathways:target_add", args=[a.pk]), {"competency": seven.pk})
    assert response.status_code == 302
    assert response["Location"] == url
    moved = step_of(a, "7.RP.A.1")
    client.post(reverse("pathways:step_move", args=[a.pk, moved.pk]), {"position": 0})
    assert codes(a)[0] == "7.RP.A.1" and "6.RP.A.1" not in codes(a)
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.APPROVED  # the teacher's own changes keep it
    page = client.get(url).content.decode()
    assert "Approve this pathway" not in page and "Approved by" in page
    for words in ("Removed target 6.RP.A.1", "Added target 7.RP.A.1", "Moved 7.RP.A.1"):
        assert words in page
    assert f'{teacher.display_name} <span class="muted small">(teacher)</span>' in page
    target = PathwayTarget.objects.get(pathway=pathway, competency=seven)
    assert target.reason == "teacher" and target.added_by == teacher


def test_teacher_page_queries_do_not_grow_with_the_plan(client, school):
    a = school.student_a
    login(client, school.teacher_a)
    url = reverse("pathways:student", args=[a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for code in ("8.F.B.4", "8.G.B.8", "7.G.B.5"):
        client.post(
            reverse("pathways:target_add", args=[a.pk]),
            {"competency": Competency.objects.get(human_coding_scheme=code).pk},
        )
    client.post(
        reverse("pathways:project_add", args=[a.pk]),
        {"title": "Bridge", "idempotency_key": str(uuid.uuid4())},
    )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) <= len(small) + 1, [q["sql"] for q in large.captured_queries]
