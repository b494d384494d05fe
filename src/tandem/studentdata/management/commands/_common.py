"""Look-ups the student commands share."""

from __future__ import annotations

from django.core.management.base import CommandError

from tandem.roster.models import User
from tandem.studentdata.selectors import student_by_sourced_id


def student_or_error(sourced_id: str) -> User:
    try:
        return student_by_sourced_id(sourced_id)
    except User.DoesNotExist:
        raise CommandError(f"No student has the sourcedId {sourced_id!r}.") from None


def operator_or_error(username: str) -> User:
    """The administrator the command acts as (recorded in the audit log and the tombstone)."""
    user = User.objects.filter(username=username).first()
    if user is None or not (user.is_superuser or user.role == "administrator"):
        raise CommandError(f"--by {username!r} is not an administrator's username.")
    return user
