"""The guardian pages over HTTP: own children only, progress only, every look audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.evidence.constants import ObservationKind
from tandem.practice.services import attempt_answer, practice_next
from tandem.privacy.models import AccessLog
from tandem.roster.constants import Role
from tandem.teaching.services import observation_record

pytestmark = pytest.mark.django_db


def practise(student, n: int = 3) -> None:
    """Answer ``n`` items right through the practice services."""
    now = timezone.now()
    for _ in range(n):
        attempt = practice_next(student=student, now=now)
        item = attempt.item
        response = list(item.answer) if item.kind == "multiple_choice" else item.answer[0]
        attempt_answer(student=student, attempt_id=attempt.pk, response=response, now=now)


def child_url(student) -> str:
    return reverse("family:child", args=[student.pk])


def test_home_lists_own_children_with_summary(client, families):
    practise(families.child)
    client.force_login(families.guardian)
    response = client.get(reverse("family:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My children</h1>" in html
    assert families.child.display_name in html
    assert child_url(families.child) in html
    assert "Mastered" in html and "Working on" in html and "Last practice" in html
    assert "New this week" in html
    assert families.other_child.display_name not in html
    assert child_url(families.other_child) not in html


def test_child_page_shows_progress_sections(client, families):
    practise(families.child)
    client.force_login(families.guardian)
    response = client.get(child_url(families.child))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{families.child.first_name}’s week" in html
    # The full record, behind a <details> under the week's summary.
    assert '<details class="family-record"' in html
    for heading in ("Working on", "Ready to learn next", "Mastered", "Needs review"):
        assert heading in html
    assert "Recent progress" in html and '<svg class="chart progress-chart"' in html
    assert "3 answers on 1 of 14 days" in html
    assert reverse("practice:practice") not in html  # read-only: no practice button


def test_another_familys_child_is_404(client, families):
    client.force_login(families.guardian)
    assert client.get(child_url(families.other_child)).status_code == 404
    assert client.get(reverse("family:child", args=[999_999])).status_code == 404
    assert not AccessLog.objects.filter(student=families.other_child).exists()


def test_viewing_a_child_is_audited(client, families):
    client.force_login(families.guardian)
    path = child_url(families.child)
    client.get(path)
    log = AccessLog.objects.get(actor=families.guardian, action="family:child")
    assert log.student == families.child
    assert log.path == path


def test_home_is_audited_per_child(client, families):
    client.force_login(families.guardian)
    client.get(reverse("family:home"))
    logged = AccessLog.objects.filter(actor=families.guardian, action="family:home")
    assert list(logged.values_list("student_id", flat=True)) == [families.child.pk]


def test_teacher_notes_are_never_shown(client, families, make_user):
    teacher = make_user(Role.TEACHER)
    practise(families.child, n=1)
    competency = families.child.attempts.first().competency
    note = "Private note: talk to the counsellor"
    observation_record(
        teacher=teacher,
        student=families.child,
        competency=competency,
        kind=ObservationKind.NEEDS_HELP,
        note=note,
        now=timezone.now(),
    )
    client.force_login(families.guardian)
    for url in (reverse("family:home"), child_url(families.child)):
        html = client.get(url).content.decode()
        assert note not in html
        assert teacher.display_name not in html


@pytest.mark.parametrize("name", ["family:home", "family:child"])
@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.ADMINISTRATOR])
def test_family_pages_are_404_for_other_roles(client, families, make_user, name, role):
    user = families.child if role == Role.STUDENT else make_user(role)
    client.force_login(user)
    args = [families.child.pk] if name == "family:child" else []
    assert client.get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize("name", ["family:home", "family:child"])
def test_family_pages_send_anonymous_visitors_to_login(client, families, name):
    args = [families.child.pk] if name == "family:child" else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
