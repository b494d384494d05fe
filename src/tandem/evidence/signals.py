"""The evidence app's one signal: statements were appended, for apps above it to copy them.

The LRS (interop) keeps every evidence statement as an xAPI statement too, and must hold it
as soon as it is recorded, whichever service appended it (practice, placement, check-ins,
teacher observations, projects, voiding), without the evidence app importing interop. The
services send it explicitly, inside the recording transaction, so a statement and its copy are
committed together; a model ``post_save`` would miss the bulk writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.dispatch import Signal

from tandem.evidence.models import Statement

# Sent inside the writing transaction; keywords ``statements`` (the new Statement rows, their
# actor and item already loaded) and ``competency_ids`` ({statement pk: [competency pk, ...]}).
evidence_recorded = Signal()


def statements_recorded(
    *, statements: Sequence[Statement], competency_ids: Mapping[uuid.UUID, Sequence[int]]
) -> None:
    """Announce new statements to the apps that copy them (see the module docstring)."""
    if statements:
        evidence_recorded.send(
            sender=Statement, statements=list(statements), competency_ids=competency_ids
        )
