"""Shorter sessions for students, whose devices are often shared in the classroom."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tandem.roster.constants import Role


@receiver(user_logged_in, dispatch_uid="tandem.core.student_session_expiry")
def student_session_expiry(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A student's session ends TANDEM_STUDENT_SESSION_SECONDS after signing in (a few hours,
    a school day at most), not after the staff's longer SESSION_COOKIE_AGE. Every sign-in path,
    the login page and LTI launches alike, sends this signal."""
    if request is None or getattr(user, "role", None) != Role.STUDENT:
        return
    request.session.set_expiry(settings.TANDEM_STUDENT_SESSION_SECONDS)
