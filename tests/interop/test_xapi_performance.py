"""xAPI batches are stored set-based: a pinned query count, and the same learner model as one by
one (several statements in a batch about the same student and competency, in order)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.factories import make_school, make_user

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.interop.models import LrsStatement, LrsStatementLink
from tandem.interop.xapi.services import lrs_client_issue
from tandem.mastery.models import LearnerState, StateChange
from tandem.roster.constants import Role
from tandem.roster.models import User

URL = "/xapi/statements"
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
# A batch of bridged statements, whatever its size: auth, the existing-id check, students,
# competencies, evidence keys, evidence and its competencies, parameter set, learner states
# (locked, created, locked again, written), state changes, statement rows and links, plus
# transaction statements. Measured 27 on SQLite; the margin is for backends' savepoints.
BRIDGED_QUERIES = 32
UNKNOWN_QUERIES = 14
# SQLite caps the parameters of one statement, so Django splits a large bulk insert (about 80
# statement rows per insert); these are the only queries that grow with the batch.
CHUNKED_INSERTS = 4


@pytest.fixture
def lrs(db: Any) -> tuple[Client, dict[str, str]]:
    make_school()  # loads the competency framework
    client, secret = lrs_client_issue(name="Quiz app")
    token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    return Client(), {**VERSION, "HTTP_AUTHORIZATION": f"Basic {token}"}


def post(lrs: tuple[Client, dict[str, str]], body: Any) -> Any:
    client, headers = lrs
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def answer(student: User, code: str, success: bool, minute: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"account": {"homePage": "https://sis.example", "name": student.sourced_id}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": f"urn:tandem:competency:{code}"},
        "result": {"success": success},
        "timestamp": f"2026-11-02T10:{minute:02d}:00Z",
    }


def codes(n: int) -> list[str]:
    return list(
        Competency.objects.exclude(human_coding_scheme="")
        .order_by("pk")
        .values_list("human_coding_scheme", flat=True)[:n]
    )


def bridged_batch(students: list[User], size: int, seed: int) -> list[dict[str, Any]]:
    wanted = codes(20)
    return [
        answer(students[i % len(students)], wanted[(i * 7 + seed) % 20], i % 3 != 0, i % 60)
        for i in range(size)
    ]


def queries(lrs: tuple[Client, dict[str, str]], body: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert post(lrs, body).status_code == 200
    return len(captured.captured_queries)


def test_a_bridged_batch_costs_a_fixed_number_of_queries(
    lrs: tuple[Client, dict[str, str]],
) -> None:
    students = [make_user(Role.STUDENT) for _ in range(10)]
    post(lrs, bridged_batch(students, 10, seed=0))  # the parameter set and some states exist
    small = queries(lrs, bridged_batch(students, 20, seed=1))
    large = queries(lrs, bridged_batch(students, 100, seed=2))
    assert large <= BRIDGED_QUERIES
    assert small <= large <= small + CHUNKED_INSERTS
    assert Statement.objects.count() == 130
    assert StateChange.objects.count() == 130
    assert LrsStatement.objects.filter(evidence__isnull=True).count() == 0


def test_an_unknown_actor_batch_costs_a_fixed_number_of_queries(
    lrs: tuple[Client, dict[str, str]],
) -> None:
    def batch(size: int) -> list[dict[str, Any]]:
        return [
            {
                "actor": {"mbox": f"mailto:visitor{i}@elsewhere.example"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                "object": {"id": f"https://quiz.example/activities/{i % 40}"},
                "result": {"success": True},
            }
            for i in range(size)
        ]

    small, large = queries(lrs, batch(10)), queries(lrs, batch(100))
    assert large <= UNKNOWN_QUERIES
    assert small <= large <= small + CHUNKED_INSERTS
    assert LrsStatement.objects.count() == 110
    assert LrsStatementLink.objects.count() > 110
    assert not Statement.objects.exists()


def _learner_model(student: User) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    states = LearnerState.objects.filter(student=student).order_by("competency_id")
    fields = ("p_mastery", "evidence_weight", "n_attempts", "n_correct", "last_evidence_at")
    changes = StateChange.objects.filter(state__student=student).order_by("id")
    return (
        [(s.competency_id, s.status, *(getattr(s, f) for f in fields)) for s in states],
        [
            (c.state.competency_id, c.p_before, c.p_after, c.at, c.statement.object_id)
            for c in changes.select_related("state", "statement")
        ],
    )


def test_a_batch_updates_mastery_exactly_as_one_by_one(lrs: tuple[Client, dict[str, str]]) -> None:
    batched, single = make_user(Role.STUDENT), make_user(Role.STUDENT)
    wanted = codes(3)
    # Many answers about the same few competencies, some in the same minute, enough to master.
    pattern = [(wanted[i % 3] if i % 4 else wanted[0], i % 5 != 1, i // 2) for i in range(40)]
    assert post(lrs, [answer(batched, c, ok, m) for c, ok, m in pattern]).status_code == 200
    for code, ok, minute in pattern:
        assert post(lrs, answer(single, code, ok, minute)).status_code == 200
    model_batched, model_single = _learner_model(batched), _learner_model(single)
    assert model_batched == model_single
    assert len(model_batched[1]) == 40
    assert {status for _, status, *_ in model_batched[0]} & {
        "mastered",
        "probably_mastered",
        "learning",
    }
    # Each change is linked to the evidence of its own statement, and each statement to it.
    for row in LrsStatement.objects.filter(actor_key__endswith=batched.sourced_id):
        assert row.evidence is not None
        assert row.evidence.state_changes.count() == 1


def test_a_batch_repeating_a_stored_statement_records_it_once(
    lrs: tuple[Client, dict[str, str]],
) -> None:
    student = make_user(Role.STUDENT)
    first = answer(student, codes(1)[0], True, 0)
    assert post(lrs, [first]).status_code == 200
    assert post(lrs, [first, answer(student, codes(1)[0], False, 1)]).status_code == 200
    state = LearnerState.objects.get(student=student)
    assert (state.n_attempts, state.n_correct) == (2, 1)
    assert Statement.objects.filter(actor=student).count() == 2


@pytest.mark.parametrize(
    ("sent", "kept"), [("1.0.1", "1.0.1"), ("1.0.3", "1.0.3"), (None, "1.0.0")]
)
def test_stored_statements_keep_the_version_they_were_sent_with(
    lrs: tuple[Client, dict[str, str]], sent: str | None, kept: str
) -> None:
    body = answer(make_user(Role.STUDENT), codes(1)[0], True, 0)
    if sent is not None:
        body["version"] = sent
    assert post(lrs, body).status_code == 200
    client, headers = lrs
    response = client.get(URL, {"statementId": body["id"]}, **headers)
    assert response.json()["version"] == kept
    # Resending it unchanged is still the same statement.
    assert post(lrs, body).status_code == 200
