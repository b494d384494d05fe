"""Who may see and change credits: the student's teachers and administrators change them;
the student and their guardians read them on the report card. Missing and forbidden are both a
404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tandem.credit.models import Credit
from tandem.privacy.services import access_log_refusal
from tandem.roster.access import may_read_staff_notes, students_visible_to


def credits_visible_to(user: Any) -> QuerySet[Credit]:
    """Credits of the students ``user`` may see."""
    if not user.is_authenticated:
        return Credit.objects.none()
    return Credit.objects.filter(student__in=students_visible_to(user))


def access_credit_to_change(
    *, user: Any, credit_id: int, action: str = "credit:revoke", path: str = ""
) -> Credit:
    """The credit if ``user`` teaches its student (or administers the school), else 404."""
    try:
        if not may_read_staff_notes(user):
            raise Credit.DoesNotExist
        return (
            credits_visible_to(user)
            .select_related("student", "course", "signed_off_by")
            .get(pk=credit_id)
        )
    except (Credit.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=credit_id, action=action, path=path)
        raise Http404("No such credit.") from None
