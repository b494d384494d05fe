"""Flex pages through HTTP: the administrator's solve-review-move-publish, errors shown with
nothing published, a teacher's offer and attendance, a student's choices and home page, a
guardian's child page, and the CSV and iCalendar exports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.factories import PASSWORD

from tandem.flex.constants import ScheduleStatus
from tandem.flex.models import FlexChoice, FlexPlacement, FlexSchedule, FlexSession

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def _week(flex) -> str:  # type: ignore[no-untyped-def]
    return flex.week.isoformat()


def test_administrator_solves_moves_and_publishes(client, flex):
    school = flex.school
    _login(client, school.admin)
    page = client.get(reverse("flex:admin"))
    assert page.status_code == 200
    assert "Expressions" in page.content.decode()
    response = client.post(reverse("flex:solve"), {"week": _week(flex)})
    assert response.status_code == 302
    schedule = FlexSchedule.objects.get(week_of=flex.week)
    assert schedule.status == ScheduleStatus.DRAFT
    page = client.get(reverse("flex:admin")).content.decode()
    assert "Draft" in page and "Publish" in page
    placement = FlexPlacement.objects.filter(block=flex.tuesday).exclude(session=flex.art).first()
    response = client.post(reverse("flex:move", args=[placement.pk]), {"session": flex.art.pk})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.session == flex.art and placement.pinned
    for _ in range(2):  # a double submit publishes once
        assert client.post(reverse("flex:publish"), {"week": _week(flex)}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PUBLISHED
    # The student sees their sessions on their home page; their guardian on the child page.
    client.logout()
    _login(client, school.student_a)
    home = client.get(reverse("practice:home")).content.decode()
    mine = FlexPlacement.objects.filter(student=school.student_a).select_related("session")
    for p in mine:
        assert p.session.title in home
    client.logout()
    _login(client, school.guardian_a)
    child = client.get(reverse("family:child", args=[school.student_a.pk])).content.decode()
    assert "Flex sessions this week" in child and mine[0].session.title in child


def test_bad_input_is_shown_plainly_and_nothing_is_published(client, flex):
    FlexSession.objects.filter(pk=flex.art.pk).update(room="")
    _login(client, flex.school.admin)
    response = client.post(reverse("flex:solve"), {"week": _week(flex)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was scheduled or published" in body
    assert "“Comic art” has no room." in body
    response = client.post(reverse("flex:publish"), {"week": _week(flex)})
    assert response.status_code == 400
    assert "Make the schedule first" in response.content.decode()
    assert not FlexPlacement.objects.exists()
    assert not FlexSchedule.objects.filter(status=ScheduleStatus.PUBLISHED).exists()


def test_a_teacher_offers_a_session_and_errors_keep_the_input(client, flex):
    _login(client, flex.school.teacher_a)
    data = {
        "week": _week(flex),
        "block": flex.thursday.pk,
        "title": "Ratio tables",
        "kind": "competency",
        "competency": "NOPE.1",
        "capacity": 8,
        "room": "101",
        "grade_min": 6,
        "grade_max": 8,
    }
    response = client.post(reverse("flex:offer"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "No standard has the code NOPE.1." in body and 'value="Ratio tables"' in body
    data["competency"] = "6.EE.A.2"
    data["required"] = [flex.school.student_a.pk]
    for _ in range(2):  # a double submit offers once
        assert client.post(reverse("flex:offer"), data).status_code == 302
    session = FlexSession.objects.get(title="Ratio tables")
    assert list(session.required.values_list("student_id", flat=True)) == [flex.school.student_a.pk]
    assert "Ratio tables" in client.get(reverse("flex:teach")).content.decode()


def test_a_student_ranks_choices(client, flex):
    _login(client, flex.school.student_a)
    page = client.get(reverse("flex:choose"))
    assert page.status_code == 200 and "First choice" in page.content.decode()
    key = f"block-{flex.tuesday.pk}"
    response = client.post(
        reverse("flex:choose"),
        {"week": _week(flex), f"{key}-1": flex.art.pk, f"{key}-2": flex.workshop.pk},
    )
    assert response.status_code == 302
    assert list(
        FlexChoice.objects.filter(student=flex.school.student_a).values_list("session", "rank")
    ) == [(flex.art.pk, 1), (flex.workshop.pk, 2)]
    response = client.post(
        reverse("flex:choose"), {"week": _week(flex), f"{key}-1": flex.study_thu.pk}
    )
    assert response.status_code == 400
    assert "not offered in this block" in response.content.decode()


def test_attendance_and_exports(client, flex):
    school = flex.school
    _login(client, school.admin)
    client.post(reverse("flex:solve"), {"week": _week(flex)})
    client.post(reverse("flex:publish"), {"week": _week(flex)})
    csv = client.get(reverse("flex:export_csv"), {"week": _week(flex)})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("week_of,day,block,starts,ends,session")
    assert len(lines) == 1 + FlexPlacement.objects.count()
    client.logout()
    _login(client, school.student_a)
    ics = client.get(reverse("flex:export_ics"), {"week": _week(flex)})
    text = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.count("BEGIN:VEVENT") == 2 and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    client.logout()
    # Teacher A's session page lists the students placed there; attendance is only taken on
    # or after the day (the fixture's week is this week, so move the day into the past).
    _login(client, school.teacher_a)
    session = flex.study_tue
    page = client.get(reverse("flex:session", args=[session.pk]))
    assert page.status_code == 200
    placed = list(
        FlexPlacement.objects.filter(session=session).values_list("student_id", flat=True)
    )
    assert placed  # six students, five seats elsewhere on Tuesday
    last_week = flex.week - dt.timedelta(days=7)
    FlexSession.objects.filter(week_of=flex.week).update(week_of=last_week)
    FlexSchedule.objects.update(week_of=last_week)
    response = client.post(reverse("flex:attendance", args=[session.pk]), {"present": [placed[0]]})
    assert response.status_code == 302
    attended = dict(
        FlexPlacement.objects.filter(session=session).values_list("student", "attended")
    )
    assert attended[placed[0]] is True
    assert all(attended[s] is False for s in placed[1:])


def test_a_teacher_moves_a_student_of_their_session_and_the_move_is_kept(client, flex):
    school = flex.school
    _login(client, school.admin)
    client.post(reverse("flex:solve"), {"week": _week(flex)})
    client.post(reverse("flex:publish"), {"week": _week(flex)})
    client.logout()
    session = flex.study_tue  # teacher A's study hall; Comic art (teacher B) has 3 seats
    placement = FlexPlacement.objects.filter(session=session).first()
    assert placement is not None
    # Teacher B leads neither this session nor this student's placement: 404, nothing moved.
    _login(client, school.teacher_b)
    url = reverse("flex:session_move", args=[session.pk])
    assert client.post(url, {"placement": placement.pk, "session": flex.art.pk}).status_code == 404
    client.logout()
    _login(client, school.teacher_a)
    page = client.get(reverse("flex:session", args=[session.pk])).content.decode()
    assert "Move a student to another session" in page and "Comic art" in page
    # A session of another block is refused in words; a placement of another session is too.
    wrong = client.post(url, {"placement": placement.pk, "session": flex.project_thu.pk})
    assert wrong.status_code == 400 and "same block" in wrong.content.decode()
    other = FlexPlacement.objects.exclude(session=session).first()
    assert client.post(url, {"placement": other.pk, "session": flex.art.pk}).status_code == 400
    placement.refresh_from_db()
    assert placement.session == session
    free = flex.art.capacity - FlexPlacement.objects.filter(session=flex.art).count()
    response = client.post(url, {"placement": placement.pk, "session": flex.art.pk})
    placement.refresh_from_db()
    if free > 0:
        assert response.status_code == 302
        assert placement.session == flex.art and placement.pinned
        assert placement.moved_by == school.teacher_a
    else:
        assert response.status_code == 400 and "full" in response.content.decode()
        assert placement.session == session
