"""The project pages' HTTP contract: who may open what (missing and forbidden are both 404),
proposing and reviewing through the forms, uploads refused with a reason and nothing else lost,
access-checked downloads, and a score form that records once when sent twice."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.privacy.models import AccessLog
from tandem.projects.constants import UPLOAD_MAX_BYTES, ProjectStatus
from tandem.projects.models import ProjectTemplate, StudentProject, Submission
from tandem.projects.services import project_propose, project_score, submission_create

from .conftest import EXE, PDF, key, login

pytestmark = pytest.mark.django_db
MISSING = 999_999


# ---------- who may open what ----------


def test_library_by_role(client, school, trip):
    url = reverse("projects:library")
    response = login(client, school.student_a).get(url)
    assert response.status_code == 200
    assert trip.title.encode() in response.content
    assert reverse("projects:propose").encode() in response.content
    sports = client.get(url, {"tag": "sports"}).content.decode()
    assert "Design a skate park" in sports and trip.title not in sports
    client.logout()
    assert login(client, school.teacher_a).get(url).url == reverse("projects:review")
    client.logout()
    assert login(client, school.admin).get(url).url == reverse("projects:manage")
    client.logout()
    assert login(client, school.guardian_a).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_project_pages_are_404_to_everyone_else(client, school, approved):
    student_pages = [
        reverse("projects:project", args=[approved.pk]),
        reverse("projects:revise", args=[approved.pk]),
    ]
    teacher_pages = [reverse("projects:teacher_project", args=[approved.pk])]
    login(client, school.student_b)
    for url in [*student_pages, reverse("projects:project", args=[MISSING])]:
        assert client.get(url).status_code == 404, url
    client.logout()
    login(client, school.teacher_b)
    for url in [*teacher_pages, reverse("projects:teacher_project", args=[MISSING])]:
        assert client.get(url).status_code == 404, url
    client.logout()
    for user in (school.guardian_a, school.admin):
        login(client, user)
        for url in [*student_pages, *teacher_pages]:
            assert client.get(url).status_code == 404, (user, url)
        client.logout()
    login(client, school.student_a)
    assert client.get(student_pages[0]).status_code == 200
    client.logout()
    login(client, school.teacher_a)
    response = client.get(teacher_pages[0])
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=school.teacher_a, student=school.student_a).exists()


def test_teacher_of_another_class_cannot_review_or_score(client, school, trip):
    project, _ = project_propose(student=school.student_a, template=trip, now=timezone.now())
    login(client, school.teacher_b)
    response = client.post(
        reverse("projects:decide", args=[project.pk]), {"decision": "approve", "feedback": ""}
    )
    assert response.status_code == 404
    criterion = project.criteria.first()
    response = client.post(
        reverse("projects:score", args=[project.pk]),
        {f"criterion_{criterion.pk}": criterion.levels.first().pk, "idempotency_key": key()},
    )
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED and project.reviewed_by is None
    assert not project.scores.exists()
    assert reverse("projects:teacher_project", args=[project.pk]).encode() not in (
        client.get(reverse("projects:review")).content
    )


# ---------- propose, review, score through the pages ----------


def test_propose_review_and_score_through_the_pages(client, school, trip):
    login(client, school.student_a)
    page = client.get(reverse("projects:propose"), {"template": trip.pk})
    assert page.status_code == 200
    assert "Rates and cost per student" in page.content.decode()
    assert "(optional)" in page.content.decode()
    assert "(optional) <span" not in page.content.decode()
    assert page.content.decode().count("(optional)") == page.content.decode().count(
        '<span class="muted small">(optional)</span>'
    )  # the field template says it once; no label says it again
    form = {
        "template": trip.pk,
        "title": "Trip to the aquarium",
        "interest": "I love sharks.",
        "idempotency_key": key(),
    }
    first = client.post(reverse("projects:propose"), form)
    again = client.post(reverse("projects:propose"), form)
    project = StudentProject.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("projects:project", args=[project.pk])
    assert "Waiting for your teacher" in client.get(first.url).content.decode()
    client.logout()

    login(client, school.teacher_a)
    queue = client.get(reverse("projects:review")).content.decode()
    assert "Trip to the aquarium" in queue
    refused = client.post(
        reverse("projects:decide", args=[project.pk]), {"decision": "request_changes"}
    )
    assert refused.status_code == 400 and "Say what should change" in refused.content.decode()
    client.post(reverse("projects:decide", args=[project.pk]), {"decision": "approve"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED and project.reviewed_by == school.teacher_a

    page = client.get(reverse("projects:teacher_project", args=[project.pk])).content.decode()
    criteria = list(project.criteria.prefetch_related("levels"))
    for criterion in criteria:
        # One radio group per criterion, the level descriptors as the labels.
        assert f'name="criterion_{criterion.pk}"' in page
        assert criterion.levels.get(points=4).descriptor in page
    incomplete = client.post(
        reverse("projects:score", args=[project.pk]),
        {
            f"criterion_{criteria[0].pk}": criteria[0].levels.get(points=3).pk,
            "idempotency_key": key(),
        },
    )
    assert incomplete.status_code == 400 and "Choose a level for" in incomplete.content.decode()
    scores = {
        f"criterion_{c.pk}": c.levels.get(points=p).pk
        for c, p in zip(criteria, (4, 3, 2), strict=True)
    }
    form = {**scores, "feedback": "Good start.", "idempotency_key": key()}
    first = client.post(reverse("projects:score", args=[project.pk]), form)
    again = client.post(reverse("projects:score", args=[project.pk]), form)
    assert first.status_code == again.status_code == 302
    assert Statement.objects.filter(source=Source.PROJECT).count() == len(criteria)
    assert project.scores.count() == len(criteria)
    client.logout()

    login(client, school.student_a)
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "Good start." in page and "Your score" in page and "Scored" in page


def test_own_idea_through_the_page_keeps_input_on_error(client, school):
    login(client, school.student_a)
    url = reverse("projects:propose")
    response = client.post(
        url,
        {
            "title": "Skate ramp angles",
            "description": "Measure ramps at the park.",
            "interest": "I skate.",
            "codes": "6.G.A.1, 9.ZZ.Z.9",
            "idempotency_key": key(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "No competency has the code “9.ZZ.Z.9”" in page
    assert 'role="alert"' in page and "Skate ramp angles" in page and "I skate." in page
    assert not StudentProject.objects.exists()
    response = client.post(
        url,
        {
            "title": "Skate ramp angles",
            "description": "Measure ramps at the park.",
            "interest": "I skate.",
            "competencies": ["6.RP.A.3"],
            "codes": "6.g.a.1",
            "idempotency_key": key(),
        },
    )
    assert response.status_code == 302
    project = StudentProject.objects.get()
    assert {c.code for c in project.competencies.all()} == {"6.RP.A.3", "6.G.A.1"}


# ---------- uploads ----------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("budget.pdf", PDF + b"\x00" * (UPLOAD_MAX_BYTES + 1 - len(PDF)), "the limit is 10.0 MB"),
        ("budget.exe", EXE, "“.exe” files can't be handed in"),
        ("budget.pdf", EXE, "its contents are not a valid PDF document"),
    ],
    ids=["too-big", "wrong-type", "spoofed-extension"],
)
def test_a_refused_upload_says_why_and_keeps_the_rest(
    client, school, approved, name, content, reason
):
    login(client, school.student_a)
    response = client.post(
        reverse("projects:project", args=[approved.pk]),
        {
            "text": "Our budget comes to $14 a student.",
            "link": "https://example.org/our-budget",
            "file": SimpleUploadedFile(name, content),
            "idempotency_key": key(),
        },
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert reason in page and 'role="alert"' in page
    assert "Our budget comes to $14 a student." in page
    assert 'value="https://example.org/our-budget"' in page
    assert not Submission.objects.exists()
    approved.refresh_from_db()
    assert approved.status == ProjectStatus.APPROVED


def test_hand_in_and_download_by_role(client, school, approved):
    login(client, school.student_a)
    form = {
        "text": "Final budget attached.",
        "file": SimpleUploadedFile("Budget final.pdf", PDF, content_type="application/pdf"),
        "idempotency_key": key(),
    }
    response = client.post(reverse("projects:project", args=[approved.pk]), form)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.file.name.startswith(f"projects/{school.student_a.pseudonym}/")
    assert "Budget" not in submission.file.name  # nothing identifying on disk
    approved.refresh_from_db()
    assert approved.status == ProjectStatus.SUBMITTED
    url = reverse("projects:download", args=[submission.pk])
    client.logout()

    for user in (school.student_a, school.teacher_a, school.admin):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert 'attachment; filename="Budget final.pdf"' in response["Content-Disposition"]
        client.logout()
    assert AccessLog.objects.filter(actor=school.teacher_a, action="projects:download").exists()
    for user in (school.student_b, school.teacher_b, school.guardian_a):
        login(client, user)
        assert client.get(url).status_code == 404, user
        client.logout()
    login(client, school.student_a)
    assert client.get(reverse("projects:download", args=[MISSING])).status_code == 404
    # Nothing handed in is reachable under MEDIA_URL.
    assert client.get("/media/" + submission.file.name).status_code == 404


def test_a_repeated_hand_in_records_once(client, school, approved):
    login(client, school.student_a)
    form = {
        "text": "My plan.",
        "milestone": approved.milestones.first().pk,
        "idempotency_key": key(),
    }
    url = reverse("projects:project", args=[approved.pk])
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Submission.objects.count() == 1
    approved.refresh_from_db()
    assert approved.status == ProjectStatus.APPROVED  # milestone work is not the final hand-in


def test_milestone_done_through_the_page(client, school, approved):
    milestone = approved.milestones.first()
    url = reverse("projects:milestone_done", args=[approved.pk, milestone.pk])
    login(client, school.student_b)
    assert client.post(url).status_code == 404
    client.logout()
    login(client, school.student_a)
    assert client.post(url).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_at is not None


# ---------- the library, for teachers ----------


def test_teacher_adds_a_template_and_hides_it(client, school):
    login(client, school.teacher_a)
    assert client.get(reverse("projects:template_new")).status_code == 200
    form = {
        "title": "Recipe scaling",
        "summary": "Scale a family recipe for the whole class.",
        "interest_tags": "food, family",
        "competencies": ["6.RP.A.3"],
        "published": "on",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "8",
        "criteria-0-title": "Scaling quantities",
        "criteria-0-code": "6.RP.A.3",
        "criteria-0-level_1": "Guesses amounts.",
        "criteria-0-level_2": "Scales some amounts correctly.",
        "criteria-0-level_3": "Scales every amount with a ratio table.",
        "criteria-0-level_4": "Explains why some amounts should not scale.",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "8",
        "milestones-0-title": "Choose a recipe",
        "milestones-0-days_after_start": "3",
    }
    missing_level = {**form, "criteria-0-level_4": ""}
    response = client.post(reverse("projects:template_new"), missing_level)
    assert response.status_code == 400
    assert "Describe what “Exemplary” looks like." in response.content.decode()
    assert not ProjectTemplate.objects.filter(title="Recipe scaling").exists()
    response = client.post(reverse("projects:template_new"), form)
    template = ProjectTemplate.objects.get(title="Recipe scaling")
    assert response.url == reverse("projects:template", args=[template.pk])
    assert template.created_by == school.teacher_a
    assert template.interest_tags == ["family", "food"]
    criterion = template.criteria.get()
    assert criterion.competency.code == "6.RP.A.3" and criterion.levels.count() == 4
    assert template.milestones.get().days_after_start == 3

    client.post(reverse("projects:template_publish", args=[template.pk]), {"published": "0"})
    template.refresh_from_db()
    assert not template.published
    client.logout()
    login(client, school.student_a)
    assert "Recipe scaling" not in client.get(reverse("projects:library")).content.decode()
    assert client.get(reverse("projects:propose"), {"template": template.pk}).status_code == 404
    client.logout()
    login(client, school.guardian_a)
    assert client.get(reverse("projects:manage")).status_code == 404


def test_project_page_shows_work_and_the_hand_in_form(client, school, approved):
    submission_create(
        student=school.student_a,
        project=approved,
        text="Draft budget",
        link="https://example.org/draft",
        now=timezone.now(),
    )
    login(client, school.student_a)
    page = client.get(reverse("projects:project", args=[approved.pk])).content.decode()
    assert "Draft budget" in page and "https://example.org/draft" in page
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page
    assert "Handed in" in page


# ---------- query counts ----------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_work_scores_or_projects(client, school, approved, trip):
    now = timezone.now()
    levels = {c.pk: c.levels.get(points=3).pk for c in approved.criteria.all()}
    submission_create(student=school.student_a, project=approved, text="one", now=now)
    project_score(teacher=school.teacher_a, project=approved, levels=levels, now=now)
    login(client, school.teacher_a)
    page = reverse("projects:teacher_project", args=[approved.pk])
    queue = reverse("projects:review")
    few = _queries(client, page), _queries(client, queue)
    for n in range(3):
        submission_create(student=school.student_a, project=approved, text=f"more {n}", now=now)
        project_score(teacher=school.teacher_a, project=approved, levels=levels, now=now)
        project_propose(student=school.student_a, template=trip, now=now)
    assert (_queries(client, page), _queries(client, queue)) == few
