"""Request and response safeguards for the whole site: oversized bodies refused before they are
read, students signed out of a device they left, and no copy of a signed-in page left in a
browser's or a proxy's cache."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from tandem.interop.models import ONEROSTER_UPLOAD_MAX_BYTES
from tandem.projects.constants import UPLOAD_MAX_BYTES
from tandem.roster.constants import Role

# The largest body any page accepts: a project hand-in with its form; in the admin, a
# OneRoster bundle. One megabyte of room for the rest of the form and the multipart framing.
_SLACK = 1024 * 1024
MAX_REQUEST_BYTES = UPLOAD_MAX_BYTES + _SLACK
MAX_ADMIN_REQUEST_BYTES = ONEROSTER_UPLOAD_MAX_BYTES + _SLACK


# The session key of a student's last request (seconds since the epoch); rewritten at most once
# a minute, so that a student's answers do not each write the session.
LAST_SEEN_KEY = "tandem_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


def student_idle_sign_out(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Sign a student out when their last request is more than TANDEM_STUDENT_IDLE_SECONDS old.

    Classroom devices are shared: a student who walks away leaves no session for the next one.
    Staff keep their working-day session (SESSION_COOKIE_AGE). Requests without a session
    (API tokens, anonymous) are not touched.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "role", None) == Role.STUDENT:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.TANDEM_STUDENT_IDLE_SECONDS:
                logout(request)
            elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return get_response(request)

    return middleware


def user_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Speak the language a signed-in user chose, over what their browser asks for.

    After LocaleMiddleware (which reads the language cookie and Accept-Language) and after
    authentication: a student on a shared classroom device gets their own language, not the
    last user's cookie.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if chosen and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
        return get_response(request)

    return middleware


def _limit(path: str) -> int:
    return MAX_ADMIN_REQUEST_BYTES if path.startswith("/admin/") else MAX_REQUEST_BYTES


def request_size_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Refuse (413) a body whose declared length is over the limit, before reading a byte of it.

    Django reads no more than Content-Length, and a body without one as empty, so the declared
    length is what can arrive. Runs before the CSRF check, which would read the form.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = _limit(request.path)
        if length > limit:
            message = f"The request is too large: at most {limit // (1024 * 1024)} MB is accepted."
            if request.path.startswith(("/api/", "/xapi/")):
                response: HttpResponse = JsonResponse(
                    {"error": "too_large", "detail": message}, status=413
                )
            else:
                response = HttpResponse(message, status=413, content_type="text/plain")
            response["Connection"] = "close"
            return response
        return get_response(request)

    return middleware


def no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """``Cache-Control: no-store`` on every page and API answer that sets no caching itself.

    Pages show students' records and classrooms share devices: neither the browser's cache (the
    Back button after signing out) nor a proxy may keep a copy. Static files are served before
    this runs and keep their long caching.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
