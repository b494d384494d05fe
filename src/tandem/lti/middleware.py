"""Let the registered LMS platforms frame Tandem (installed only with TANDEM_LTI_EMBED=1)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from tandem.lti.selectors import platform_origins

CACHE_KEY = "lti:frame-ancestors"
CACHE_SECONDS = 60


def lms_framing(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """Replace ``X-Frame-Options: DENY`` by a CSP ``frame-ancestors`` naming the platforms."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        ancestors = cache.get(CACHE_KEY)
        if ancestors is None:
            ancestors = " ".join(["'self'", *platform_origins()])
            cache.set(CACHE_KEY, ancestors, CACHE_SECONDS)
        response.xframe_options_exempt = True
        # Added to the site's policy (set by django-csp, inside this middleware), not replacing it.
        policy = response.get("Content-Security-Policy", "").strip().rstrip(";")
        framing = f"frame-ancestors {ancestors}"
        response["Content-Security-Policy"] = f"{policy}; {framing}" if policy else framing
        return response

    return middleware
