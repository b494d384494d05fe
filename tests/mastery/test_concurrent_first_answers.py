"""Two first answers on one competency at once (two tabs, a double submit) on PostgreSQL: the
second builds on the state the first created instead of overwriting it."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from tests.factories import make_school

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.services import active_parameters, mastery_apply_answer
from tandem.roster.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks that wait: SQLite writes one transaction at a time",
    ),
]

CODE = "6.EE.A.2"


def _answer(student: User, competency: Competency, at: dt.datetime, key: str) -> None:
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=f"urn:test:{key}",
        competencies=[competency],
        source=Source.PRACTICE,
        authority=student,
        timestamp=at,
        success=True,
        idempotency_key=key,
    )
    mastery_apply_answer(
        statement=statement, competency_ids=[competency.pk], student_grade=student.grade
    )


def test_two_first_answers_at_once_both_count() -> None:
    school = make_school()
    student = school.student_a
    competency = Competency.objects.get(human_coding_scheme=CODE)
    at = timezone.now()
    active_parameters()  # the default parameter set exists before either answer
    first_applied, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                _answer(student, competency, at, "first")
                first_applied.set()
                # Hold the new row uncommitted while the second answer reads and writes.
                second_started.wait(10)
                time.sleep(0.5)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            first_applied.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_applied.wait(10)
            second_started.set()
            with transaction.atomic():
                _answer(student, competency, at + dt.timedelta(seconds=5), "second")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    state = LearnerState.objects.get(student=student, competency=competency)
    assert (state.n_attempts, state.n_correct) == (2, 2)
    # Each change starts where the other left off: one chain, no lost update.
    changes = list(StateChange.objects.filter(state=state).order_by("id"))
    assert len(changes) == 2 and changes[1].p_before == pytest.approx(changes[0].p_after)
