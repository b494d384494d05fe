"""The mastery app's one signal: learner estimates changed, for apps above it to react to.

Higher layers (LTI grade passback) must hear about every change of estimate, whichever service
made it (an answer, a batch of xAPI statements, a placement seed, a voiding, a calibration),
without the mastery app importing them. The services send it explicitly, after commit; a model
``post_save`` would miss the bulk writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent after the writing transaction commits; keyword ``student_ids``: a frozenset of user pks.
learner_states_changed = Signal()


def states_changed(*, student_ids: Iterable[int]) -> None:
    """Announce, once the current transaction commits, that these students' estimates moved."""
    ids = frozenset(student_ids)
    if ids:
        transaction.on_commit(
            lambda: learner_states_changed.send(sender=states_changed, student_ids=ids)
        )
