"""Sign-in throttling: django-axes' backend, usable where Django authenticates without a request.

Every sign-in a person makes (the login page, the admin's login) passes the request, and is
throttled. ``authenticate()`` without a request (the test client's ``login``, a shell) has no
address to count and no lockout page to show, so it is left to the next backend rather than
refused; nothing reachable over HTTP calls it that way.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledSignInBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Refuse (PermissionDenied) a locked-out sign-in; otherwise let the next backend decide."""
        if request is None:
            return
        super().authenticate(request, username, password, **kwargs)
