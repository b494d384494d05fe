"""The guardian's child page on one screen, and what is new on both home pages.

A child's week in words (days, minutes, answers, what moved), goals, what is next, what the
teacher said (never the teacher's comments) and an idea to help at home; the full record stays
behind a <details>. Home pages say what changed since the last visit, in a fixed number of
queries.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import School, make_user, record_answer
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.core.coherence import statuses_in_html
from tandem.family.constants import HELP_AT_HOME, HELP_DEFAULT
from tandem.family.selectors import help_idea
from tandem.goals.constants import GoalKind, GoalStatus
from tandem.goals.services import goal_create
from tandem.mastery.selectors import mastery_for_student
from tandem.pathways.services import pathway_approve, pathway_build
from tandem.practice.constants import PAGE_GUARDIAN_HOME, PAGE_STUDENT_HOME
from tandem.practice.models import LastSeen
from tandem.practice.services import written_answer_score, written_answer_submit
from tandem.projects.constants import ReviewDecision
from tandem.projects.services import project_propose, project_review
from tandem.roster.constants import Role
from tandem.roster.services import guardian_link_create

__all__ = ["_fast_passwords", "grade_6_pack", "school"]
pytestmark = pytest.mark.django_db

COMMENT = "Name the two quantities you compare."
FEEDBACK = "Great idea: ask the whole grade."


def _teacher_news(school: School, *, now: dt.datetime) -> None:
    """A scored written answer with a comment, an approved project and pathway, and a goal the
    teacher agreed with the student: everything "what's new" reports."""
    student, teacher = school.student_a, school.teacher_a
    item = written_item_create(stem="Explain the ratio 3:2.", competency_codes=["6.RP.A.1"])
    answer, _ = written_answer_submit(student=student, item_id=item.pk, text="3 to 2", now=now)
    written_answer_score(teacher=teacher, answer=answer, level="partly", comment=COMMENT, now=now)
    project, _ = project_propose(
        student=student,
        now=now,
        title="Sleep survey",
        description="How long do we sleep?",
        interest="I am always tired",
        competencies=[Competency.objects.get(human_coding_scheme="6.SP.A.1")],
    )
    project_review(
        teacher=teacher,
        project=project,
        decision=ReviewDecision.APPROVE,
        now=now,
        feedback=FEEDBACK,
    )
    pathway_approve(actor=teacher, pathway=pathway_build(student=student, now=now), now=now)
    goal, _ = goal_create(
        student=student,
        kind=GoalKind.HABIT,
        created_by=teacher,
        now=now,
        text="Practice 15 minutes on Monday",
    )
    # Already done: an open goal would add a "due soon" reminder on every visit from Friday to
    # Sunday, and these tests read the news of any day of the week.
    type(goal).objects.filter(pk=goal.pk).update(status=GoalStatus.DONE)


def _news_html(html: str) -> str:
    match = re.search(r'<section class="card news".*?</section>', html, re.S)
    assert match, "no news section"
    return match.group(0)


def test_student_home_says_what_is_new_once(client, school: School) -> None:
    student = school.student_a
    _teacher_news(school, now=timezone.now())
    client.force_login(student)

    html = _news_html(client.get(reverse("practice:home")).content.decode())

    assert "New this week" in html  # a first visit: the last seven days
    assert "A teacher scored your written answer: partly." in html and COMMENT in html
    assert "A teacher approved your project “Sleep survey”." in html and FEEDBACK in html
    assert "A teacher approved your learning plan." in html
    assert "A teacher agreed a goal with you: “Practice 15 minutes on Monday”." in html
    assert reverse("practice:written_answer", args=[student.written_answers.get().pk]) in html
    seen = LastSeen.objects.get(user=student, page=PAGE_STUDENT_HOME)

    again = _news_html(client.get(reverse("practice:home")).content.decode())
    assert "New since your last visit" in again
    assert "Nothing new since your last visit." in again
    assert LastSeen.objects.get(user=student, page=PAGE_STUDENT_HOME).at > seen.at
    client.head(reverse("practice:home"))  # a HEAD is not a visit
    assert LastSeen.objects.filter(user=student).count() == 1


def test_guardian_home_says_what_is_new_without_the_teachers_words(client, school: School) -> None:
    _teacher_news(school, now=timezone.now())
    client.force_login(school.guardian_a)
    name = school.student_a.first_name

    html = client.get(reverse("family:home")).content.decode()

    assert f"A teacher scored {name}’s written answer: partly." in html
    assert f"A teacher approved {name}’s project “Sleep survey”." in html
    assert f"A teacher approved {name}’s learning plan." in html
    assert f"A teacher agreed a goal with {name}: “Practice 15 minutes on Monday”." in html
    assert COMMENT not in html and FEEDBACK not in html
    assert "/learn/written/answer/" not in html  # the student's pages are not linked
    assert LastSeen.objects.filter(user=school.guardian_a, page=PAGE_GUARDIAN_HOME).exists()
    later = client.get(reverse("family:home")).content.decode()
    assert "Nothing new since your last visit." in later


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_home_pages_read_what_is_new_in_a_fixed_number_of_queries(client, school: School) -> None:
    guardian = school.guardian_a
    guardian_link_create(guardian=guardian, student=school.student_b)
    client.force_login(guardian)
    _queries(client, reverse("family:home"))  # the first visit also creates the LastSeen row
    quiet = _queries(client, reverse("family:home"))
    _teacher_news(school, now=timezone.now() + dt.timedelta(seconds=1))
    assert _queries(client, reverse("family:home")) == quiet  # news does not cost queries
    # Session, user, children, mastery grid, last visit, four news reads, one access-log row
    # per child (the only per-child cost, as before) and the visit's upsert.
    assert quiet == 12, quiet

    client.force_login(school.student_a)
    _queries(client, reverse("practice:home"))
    quiet = _queries(client, reverse("practice:home"))
    _teacher_news(school, now=timezone.now() + dt.timedelta(seconds=2))
    record_answer(school.student_a, "6.RP.A.1", True)
    assert _queries(client, reverse("practice:home")) == quiet


def test_child_page_tells_the_week_on_one_screen(client, school: School) -> None:
    student = school.student_a
    now = timezone.now()
    for minute in range(3):
        record_answer(student, "6.RP.A.1", True, at=now - dt.timedelta(minutes=10 - minute))
    record_answer(student, "6.EE.A.1", False, at=now - dt.timedelta(days=2))
    _teacher_news(school, now=now)
    goal_create(student=student, kind=GoalKind.HABIT, created_by=student, now=now, text="Read")
    client.force_login(school.guardian_a)

    response = client.get(reverse("family:child", args=[student.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    name = student.first_name
    assert f"{name}’s week" in html
    summary = html.split('<details class="family-record"', 1)[0]
    assert "Practiced on 2 of the last 7 days, about 8 minutes in all: 4 answers, 3 right." in (
        summary
    )
    for heading in (
        "How the week went",
        "Goals this week",
        "Working on next",
        "From the teacher",
        "How to help at home",
    ):
        assert heading in summary
    assert "Moved forward this week" in summary and 'data-competency="6.RP.A.1"' in summary
    assert "Practice 15 minutes on Monday" in summary and "(agreed with a teacher)" in summary
    assert f"A teacher scored {name}’s written answer: partly." in summary
    assert COMMENT not in html and FEEDBACK not in html
    assert HELP_AT_HOME["RP"] in summary
    assert "%" not in summary  # words, never a percentage
    # The full record is one click away, and every status the page shows agrees with the state.
    assert "The full record" in html and 'id="working-on-heading"' in html
    state = mastery_for_student(student_id=student.pk, now=timezone.now())
    codes = {c.pk: c.code for c in Competency.objects.filter(pk__in=state)}
    live = {codes[cid]: view.status for cid, view in state.items()}
    for code, status in statuses_in_html(html, student_id=student.pk):
        assert live.get(code, "not_started") == status, code


def test_child_page_with_no_practice_yet(client, school: School) -> None:
    client.force_login(school.guardian_a)
    html = client.get(reverse("family:child", args=[school.student_a.pk])).content.decode()
    assert "No practice in the last 7 days." in html
    assert "No goals set this week yet." in html
    assert "No scores, approvals or teacher goals in the last 30 days." in html
    assert "How to help at home" in html


def test_help_ideas_follow_the_domain_and_fall_back() -> None:
    def idea(domain: str) -> str:
        return help_idea(Competency(domain_code=domain))

    assert idea("NF") == HELP_AT_HOME["NF"]
    assert idea("A-REI") == HELP_AT_HOME["A"]
    assert idea("XYZ") == HELP_DEFAULT and idea("") == HELP_DEFAULT


def test_news_pages_stay_private(client, school: School) -> None:
    """Another guardian's home never shows this child's news; staff cannot open family pages."""
    _teacher_news(school, now=timezone.now())
    stranger = make_user(Role.GUARDIAN)
    client.force_login(stranger)
    html = client.get(reverse("family:home")).content.decode()
    assert "Sleep survey" not in html and "learning plan" not in html


def test_an_open_goal_is_a_reminder_from_friday_not_news_all_week(school: School) -> None:
    """An open goal of this week is reminded of when it is due within two days (Friday to
    Sunday), on every visit; earlier in the week only a teacher's new goal is news."""
    from tandem.practice.news import news_for_students

    student = school.student_a
    friday = timezone.make_aware(dt.datetime(2026, 12, 4, 10, 0))
    monday = timezone.make_aware(dt.datetime(2026, 11, 30, 10, 0))
    goal_create(student=student, kind=GoalKind.HABIT, created_by=student, now=monday, text="Read")

    def texts(now: dt.datetime) -> list[str]:
        news = news_for_students(
            student_ids=[student.pk], since=now - dt.timedelta(hours=1), now=now, for_guardian=False
        )
        return [item.text for item in news[student.pk]]

    assert texts(monday + dt.timedelta(days=1)) == []
    assert texts(friday) == ["Goal due Sunday: “Read”."]


def test_news_reads_in_the_readers_language(client, school: School) -> None:
    """Whole sentences are translated, names and titles put where Spanish puts them."""
    from tandem.roster.models import User

    _teacher_news(school, now=timezone.now())
    User.objects.filter(pk=school.guardian_a.pk).update(language="es")
    client.force_login(school.guardian_a)
    name = school.student_a.first_name

    html = client.get(reverse("family:home")).content.decode()

    assert f"Un maestro o maestra aprobó el proyecto “Sleep survey” de {name}." in html
    assert f"Un maestro o maestra aprobó el plan de aprendizaje de {name}." in html
    assert "A teacher" not in html
