"""Grade passback as a background task, queued after commit when a linked student's learner
state changes or a teacher asks for grades to be sent now."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

from tandem.lti.models import ResourceLinkLearner
from tandem.lti.services import passbacks_send
from tandem.roster.models import SchoolClass
from tandem.rows import ValuesQuery

logger = logging.getLogger(__name__)


@task()
def passback_task(student_id: int | None, class_id: int | None, force: bool) -> int:
    """The worker's entry point: send the scores of one student or one class; how many went."""
    return len(passbacks_send(student_id=student_id, class_id=class_id, force=force))


def _enqueue(student_id: int | None, class_id: int | None, force: bool) -> None:
    try:
        passback_task.enqueue(student_id, class_id, force)
    except Exception:  # a grade that cannot be queued must never break the student's practice
        logger.exception(
            "could not queue LTI passback (student %s, class %s)", student_id, class_id
        )


# Students per existence query: SQLite caps the parameters of one statement.
LINKED_CHUNK = 1000


def passback_on_states_changed(sender: Any, student_ids: frozenset[int], **kwargs: Any) -> None:
    """Estimates changed and committed (mastery's signal): queue the passback of each student
    an LMS link grades. One indexed query per thousand students when nobody is linked."""
    ids = sorted(student_ids)
    if len(ids) == 1:
        # Every practice answer: one student, SQL written once (tandem/rows.py).
        if _LINKED_STUDENT.first(ids) is not None:
            _enqueue(ids[0], None, False)
        return
    for start in range(0, len(ids), LINKED_CHUNK):
        linked = (
            ResourceLinkLearner.objects.filter(student_id__in=ids[start : start + LINKED_CHUNK])
            .values_list("student_id", flat=True)
            .distinct()
        )
        for student_id in sorted(set(linked)):
            _enqueue(student_id, None, False)


_LINKED_STUDENT = ValuesQuery(
    f"SELECT 1 FROM {ResourceLinkLearner._meta.db_table} WHERE student_id = %s LIMIT 1", []
)


def passback_class_now(*, school_class: SchoolClass) -> None:
    """A teacher's "send grades now": every linked student of the class, resent as they are."""
    transaction.on_commit(lambda: _enqueue(None, school_class.pk, True))


def passback_student_soon(*, student_id: int) -> None:
    """Queue one student's passback after commit (a launch shows the current mastery at once)."""
    transaction.on_commit(lambda: _enqueue(student_id, None, False))
