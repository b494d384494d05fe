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


def passback_on_state_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """After the answer's transaction commits, queue the student's passback if any LMS link
    grades them. One indexed existence check when nobody is linked."""
    student_id = instance.student_id
    if not ResourceLinkLearner.objects.filter(student_id=student_id).exists():
        return
    transaction.on_commit(lambda: _enqueue(student_id, None, False))


def passback_class_now(*, school_class: SchoolClass) -> None:
    """A teacher's "send grades now": every linked student of the class, resent as they are."""
    transaction.on_commit(lambda: _enqueue(None, school_class.pk, True))


def passback_student_soon(*, student_id: int) -> None:
    """Queue one student's passback after commit (a launch shows the current mastery at once)."""
    transaction.on_commit(lambda: _enqueue(student_id, None, False))
