"""The indexes behind the pages that grow with a district: every query of the class grid, the
teacher's student page, "who to see today", the student's pages and the learning-record store's
statement queries is planned on PostgreSQL with sequential scans priced out; a sequential scan
that remains on a table that grows with the evidence means there is no index it could use.

Runs where the suite runs on PostgreSQL (``make test-postgres``, which CI runs); SQLite has a
different planner and is skipped.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.factories import make_school, record_answer

from tandem.interop.xapi.constants import Scope
from tandem.interop.xapi.services import lrs_client_issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are checked on PostgreSQL"
    ),
]

# Tables whose rows grow with students × time: a district holds millions of rows in each.
GROWING = (
    "evidence_statement",
    "evidence_statement_competencies",
    "mastery_learnerstate",
    "mastery_statechange",
    "practice_attempt",
    "privacy_",
    "xapi",
    "interop_lrs",
    "checkins_",
    "goals_",
    "roster_enrollment",
    "roster_user",
)


def _seq_scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _seq_scans(child)


def _unindexed(queries: list[dict[str, str]]) -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for table in _seq_scans(plan[0]["Plan"]):
                if table.startswith(GROWING):
                    found.append((table, sql[:3000]))
    return found


@pytest.fixture
def school_with_history() -> Any:
    school = make_school()
    now = timezone.now()
    for student in (school.student_a, school.student_b):
        for i, code in enumerate(["6.RP.A.1", "6.RP.A.2", "6.EE.A.1", "6.NS.A.1"] * 3):
            record_answer(student, code, i % 3 != 0, at=now - dt.timedelta(hours=30 - i))
    return school


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = {
    "class grid": ("teacher_a", lambda s: f"/teach/class/{s.class_a.pk}/"),
    "teacher's student page": ("teacher_a", lambda s: f"/teach/student/{s.student_a.pk}/"),
    "who to see today": ("teacher_a", lambda s: "/checkins/"),
    "student home": ("student_a", lambda s: "/learn/"),
    "next item": ("student_a", lambda s: "/learn/practice/"),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_use_indexes(school_with_history: Any, page: str) -> None:
    who, url = PAGES[page]
    client = _client(getattr(school_with_history, who))
    client.get(url(school_with_history))  # first visit creates what a visit creates
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(school_with_history))
    assert response.status_code == 200
    unindexed = _unindexed(ctx.captured_queries)
    assert not unindexed, "\n\n".join(f"{table}: {sql}" for table, sql in unindexed)


LRS_QUERIES = {
    "by agent": lambda s: {"agent": json.dumps({"mbox": "mailto:learner@example.org"})},
    "by verb": lambda s: {"verb": "http://adlnet.gov/expapi/verbs/answered"},
    "by activity": lambda s: {"activity": "https://example.org/activities/quiz-1"},
    "by related agents": lambda s: {
        "agent": json.dumps({"mbox": "mailto:learner@example.org"}),
        "related_agents": "true",
    },
    "by related activities": lambda s: {
        "activity": "https://example.org/activities/quiz-1",
        "related_activities": "true",
    },
    "by agent, verb and activity": lambda s: {
        "agent": json.dumps({"mbox": "mailto:learner@example.org"}),
        "verb": "http://adlnet.gov/expapi/verbs/answered",
        "activity": "https://example.org/activities/quiz-1",
    },
    "since": lambda s: {"since": "2026-01-01T00:00:00Z"},
    "by registration": lambda s: {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
    "one statement": lambda s: {"statementId": s},
    "page": lambda s: {"limit": "2"},
}


@pytest.mark.parametrize("query", LRS_QUERIES)
def test_lrs_statement_queries_use_indexes(school_with_history: Any, query: str) -> None:
    client, secret = lrs_client_issue(name="Quiz app", scopes=[Scope.ALL])
    token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3", "HTTP_AUTHORIZATION": f"Basic {token}"}
    http = Client()
    ids = []
    for i in range(3):
        body = {
            "actor": {"mbox": "mailto:learner@example.org", "objectType": "Agent"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": "https://example.org/activities/quiz-1"},
            "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
            "result": {"success": i % 2 == 0},
        }
        posted = http.post(
            "/xapi/statements", json.dumps(body), content_type="application/json", **headers
        )
        assert posted.status_code == 200, posted.content
        ids += posted.json()
    http.get("/xapi/statements", {"limit": "1"}, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get("/xapi/statements", LRS_QUERIES[query](ids[0]), **headers)
    assert response.status_code == 200, response.content
    unindexed = _unindexed(ctx.captured_queries)
    assert not unindexed, "\n\n".join(f"{table}: {sql}" for table, sql in unindexed)
