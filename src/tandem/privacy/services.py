"""Writes of the privacy domain: recording accesses to students' records and refused attempts."""

from __future__ import annotations

from typing import Any

from tandem.privacy.models import AccessLog


def access_log_record(*, actor: Any, student: Any, action: str, path: str = "") -> AccessLog:
    """Record that ``actor`` opened ``student``'s record (not used for one's own record)."""
    return AccessLog.objects.create(actor=actor, student=student, action=action, path=path[:500])


def access_log_refusal(
    *, actor: Any, requested_id: object, action: str, path: str = ""
) -> AccessLog | None:
    """Record that ``actor`` asked for a record they may not open (or that does not exist).

    Anonymous requests are not recorded: they never reach a record (they are sent to sign in).
    """
    if not getattr(actor, "is_authenticated", False):
        return None
    return AccessLog.objects.create(
        actor=actor,
        student=None,
        action=action[:100],
        path=path[:500],
        refused=True,
        requested_id=str(requested_id)[:64],
    )
