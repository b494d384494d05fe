"""Writes of the privacy domain: recording accesses to students' records."""

from __future__ import annotations

from typing import Any

from tandem.privacy.models import AccessLog


def access_log_record(*, actor: Any, student: Any, action: str, path: str = "") -> AccessLog:
    """Record that ``actor`` opened ``student``'s record (not used for one's own record)."""
    return AccessLog.objects.create(actor=actor, student=student, action=action, path=path[:500])
