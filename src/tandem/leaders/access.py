"""The access chokepoint for leaders' changes: administrators only; others get a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from tandem.leaders.models import Change
from tandem.privacy.services import access_log_refusal
from tandem.roster.access import is_administrator


def access_change(*, user: Any, change_id: int, path: str = "") -> Change:
    """The change ``change_id`` if ``user`` leads the school, else 404 (missing looks alike)."""
    try:
        if not is_administrator(user):
            raise Change.DoesNotExist
        return Change.objects.prefetch_related("classes").get(pk=change_id)
    except (Change.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=change_id, action="leaders:change", path=path)
        raise Http404("No such change.") from None
