"""Who may open flex pages: administrators run the schedule, a teacher the sessions they
lead, a student their own choices and week. Missing and forbidden are both a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.flex.constants import ScheduleStatus
from tandem.flex.models import FlexPlacement, FlexSession
from tandem.privacy.services import access_log_refusal
from tandem.roster.access import is_administrator
from tandem.roster.constants import Role


def teacher_reach(teacher: Any) -> Q:
    """The students placed in a session ``teacher`` leads in a published schedule (registered
    with the roster); a draft gives no reach."""
    return Q(
        flex_placements__session__teacher=teacher,
        flex_placements__schedule__status=ScheduleStatus.PUBLISHED,
    )


def sessions_visible_to(user: Any) -> QuerySet[FlexSession]:
    sessions = FlexSession.objects.select_related("block", "teacher", "competency")
    if is_administrator(user):
        return sessions
    if getattr(user, "role", None) == Role.TEACHER:
        return sessions.filter(teacher=user)
    return sessions.none()


def access_session(*, user: Any, session_id: int, path: str = "") -> FlexSession:
    """The session if ``user`` leads it (or administers the school), else 404."""
    try:
        return sessions_visible_to(user).get(pk=session_id)
    except (FlexSession.DoesNotExist, ValueError, TypeError):
        access_log_refusal(actor=user, requested_id=session_id, action="flex:session", path=path)
        raise Http404("No such session.") from None


def access_placement(*, user: Any, placement_id: int, path: str = "") -> FlexPlacement:
    """A placement an administrator may move, else 404."""
    try:
        if not is_administrator(user):
            raise FlexPlacement.DoesNotExist
        return FlexPlacement.objects.select_related("schedule", "student", "session").get(
            pk=placement_id
        )
    except (FlexPlacement.DoesNotExist, ValueError, TypeError):
        access_log_refusal(
            actor=user, requested_id=placement_id, action="flex:placement", path=path
        )
        raise Http404("No such placement.") from None
