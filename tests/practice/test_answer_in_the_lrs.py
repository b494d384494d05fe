"""The practice answer is written into the LRS as it is recorded, for one insert more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.practice.test_pages import right_answer

from tandem.interop.models import LrsStatement
from tandem.practice.services import attempt_answer, practice_next

pytestmark = pytest.mark.django_db


def test_an_answer_is_in_the_lrs_at_once_for_one_insert(student) -> None:
    now = timezone.now()
    attempt = practice_next(student=student, now=now)
    practice_next(student=student, now=now)  # the same open attempt: warms the caches
    with CaptureQueriesContext(connection) as queries:
        outcome = attempt_answer(
            student=student, attempt_id=attempt.pk, response=right_answer(attempt), now=now
        )
    lrs_writes = [
        q["sql"] for q in queries.captured_queries if '"interop_lrs' in q["sql"].split("(")[0]
    ]
    assert len(lrs_writes) == 1 and lrs_writes[0].startswith("INSERT")
    row = LrsStatement.objects.get(evidence_id=outcome.attempt.statement_id)
    assert row.data["result"]["success"] is True
    assert row.data["actor"]["account"]["name"] == student.sourced_id
    assert row.data["object"]["id"] == attempt.item.activity_id
    # Every competency of the item, in competency order: the attempt's is one of them (an
    # item may be tagged with several, e.g. 7.SP.C.8.a and 7.SP.C.8.b).
    grouping = row.data["context"]["contextActivities"]["grouping"]
    named = [g["definition"]["name"]["en-US"] for g in grouping]
    assert attempt.competency.human_coding_scheme in named
    assert named == [c.human_coding_scheme for c in attempt.item.competencies.order_by("pk")]
