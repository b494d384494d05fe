"""The JSON API contract: shapes, status codes, and 4xx JSON for bad requests (never a 500)."""

import pytest
from tests.factories import PASSWORD, make_school

from tandem.evidence.models import Statement
from tandem.mastery.models import LearnerState

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _right(item: dict, attempt) -> object:
    answer = attempt.item.answer
    return list(answer) if attempt.item.kind == "multiple_choice" else answer[0]


def test_openapi_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/practice/next" in schema["paths"]
    assert "/api/students/{student_id}/mastery" in schema["paths"]


def test_practice_round_trip(client, school):
    from tandem.practice.models import Attempt

    _login(client, school.student_a)
    item = client.post("/api/practice/next").json()
    assert {"attempt_id", "stem", "kind", "competency", "choices"} <= item.keys()
    attempt = Attempt.objects.get(pk=item["attempt_id"])
    url = f"/api/practice/attempts/{item['attempt_id']}/answer"
    body = {"response": _right(item, attempt)}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["correct"] is True
    assert first.json()["mastery_after"] > first.json()["mastery_before"]
    second = client.post(url, body, content_type="application/json")
    assert second.json()["duplicate"] is True
    assert Statement.objects.filter(actor=school.student_a).count() == 1


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("not json", "application/json"),
        ('{"wrong": 1}', "application/json"),
        ('{"response": {"a": 1}}', "application/json"),
        ("", "application/json"),
    ],
)
def test_malformed_answers_get_json_4xx(client, school, body, content_type):
    _login(client, school.student_a)
    item = client.post("/api/practice/next").json()
    response = client.post(
        f"/api/practice/attempts/{item['attempt_id']}/answer", body, content_type=content_type
    )
    assert 400 <= response.status_code < 500, response.content
    assert "error" in response.json()
    assert Statement.objects.count() == 0


def test_unknown_attempt_and_bad_uuid_are_404_or_422(client, school):
    _login(client, school.student_a)
    missing = client.post(
        "/api/practice/attempts/00000000-0000-0000-0000-000000000000/answer",
        {"response": "1"},
        content_type="application/json",
    )
    assert missing.status_code == 404
    bad = client.post(
        "/api/practice/attempts/not-a-uuid/answer",
        {"response": "1"},
        content_type="application/json",
    )
    assert 400 <= bad.status_code < 500


def test_teacher_observation_moves_estimate(client, school):
    _login(client, school.teacher_a)
    url = f"/api/students/{school.student_a.pk}/observations"
    created = client.post(
        url,
        {"competency": "6.EE.A.2", "kind": "showed_understanding", "note": "Explained it well"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    state = LearnerState.objects.get(student=school.student_a)
    assert state.p_mastery > 0.2
    unknown = client.post(
        url, {"competency": "NOPE", "kind": "needs_help"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    bad_kind = client.post(
        url, {"competency": "6.EE.A.2", "kind": "vibes"}, content_type="application/json"
    )
    assert bad_kind.status_code == 422
    other = client.post(
        f"/api/students/{school.student_b.pk}/observations",
        {"competency": "6.EE.A.2", "kind": "needs_help"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_non_students_cannot_practise(client, school):
    _login(client, school.teacher_a)
    assert client.post("/api/practice/next").status_code == 404


def test_teachers_notes_reach_only_staff_through_the_evidence_api(client, school):
    from tests.factories import record_answer

    record_answer(school.student_a, "6.EE.A.2", True)
    _login(client, school.teacher_a)
    note = "Talked about home; seems anxious about tests."
    created = client.post(
        f"/api/students/{school.student_a.pk}/observations",
        {"competency": "6.EE.A.2", "kind": "needs_help", "note": note},
        content_type="application/json",
    )
    assert created.status_code == 201
    url = f"/api/students/{school.student_a.pk}/evidence"
    for staff in (school.teacher_a, school.admin):
        _login(client, staff)
        assert note in {row["response"] for row in client.get(url).json()}, staff.role
    for reader in (school.student_a, school.guardian_a):
        _login(client, reader)
        rows = client.get(url).json()
        assert len(rows) == 2, reader.role  # the observation is listed, its note is not
        assert note not in client.get(url).content.decode(), reader.role
        observed = [r for r in rows if r["source"] == "observation"]
        assert observed and observed[0]["response"] == ""
