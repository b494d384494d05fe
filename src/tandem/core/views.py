"""The site shell: sign-in and sign-out, the role-based front door, and the health check."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from tandem.core.passwords import SignInBusyError, sign_in_slot
from tandem.roster.constants import Language, Role
from tandem.roster.services import user_language_set

logger = logging.getLogger(__name__)

# Where each role lands after signing in: administrators on the leaders' pages (the Django
# admin, for settings and data, is one link away); a superuser with no school role in the admin.
LANDING_URL_BY_ROLE: dict[str, str] = {
    Role.STUDENT: "practice:home",
    Role.TEACHER: "teaching:today",
    Role.GUARDIAN: "family:home",
    Role.ADMINISTRATOR: "leaders:growth",
    Role.COUNSELOR: "wellbeing:raised",
}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            with sign_in_slot():
                return super().post(request, *args, **kwargs)
        except SignInBusyError:
            # Many people are signing in at once: answer now rather than hold a server thread.
            # An unbound form: validating it would check the password after all.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")[:150]}
            )
            response = self.render_to_response(
                self.get_context_data(form=form, busy=True), status=503
            )
            response["Retry-After"] = "3"
            return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_password"] = _demo_password()
        return context


def _demo_password() -> str | None:
    """The demo school's shared password while the demo is seeded, so the login page can say it.

    ``TANDEM_DEMO_HINT`` (True/False) overrides the check; by default the hint shows exactly
    when ``tandem demo`` has created the demo school in this database and it holds no other
    school's roster (where a real school is, the demo accounts' password is not advertised).
    """
    from tandem.core.demo import DEMO_PASSWORD, demo_only

    forced = getattr(settings, "TANDEM_DEMO_HINT", None)
    if forced is not None:
        return DEMO_PASSWORD if forced else None
    return DEMO_PASSWORD if demo_only() else None


class LogoutView(auth_views.LogoutView):
    """Sign out; Django's view already accepts POST only, so a link cannot log anyone out."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each signed-in person to the page made for their role."""
    user = request.user
    role = getattr(user, "role", "")
    if user.is_superuser and role != Role.ADMINISTRATOR:
        return redirect("admin:index")
    if role not in LANDING_URL_BY_ROLE:
        # Redirecting to the login page would loop (it sends signed-in users here).
        logger.warning("user %s has no landing page for role %r", user.pk, role)
        raise PermissionDenied("This account has no role with a home page.")
    return redirect(LANDING_URL_BY_ROLE[role])


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the process answers and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the language the pages speak, from the footer's form, and go back to the page.

    A signed-in user's choice is kept on their account (the next device speaks it too); the
    cookie covers the sign-in page. An unknown language is refused with a 400, changing nothing.
    """
    chosen = request.POST.get("language", "")
    if chosen not in Language.values:
        return HttpResponseBadRequest("Choose English or Español.")
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=chosen)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
