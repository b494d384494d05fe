"""LTI endpoints the platform calls (login initiation, launch, JWKS) and the pages a launch
leads to (the deep-link picker, a class's grade passbacks). Checks live in the services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.competencies.models import Competency
from tandem.lti import constants as c
from tandem.lti.constants import TargetKind
from tandem.lti.selectors import (
    access_deep_link_request,
    class_link_grades,
    deep_link_competencies,
    tool_jwks,
)
from tandem.lti.services import (
    LaunchResult,
    LtiError,
    UnknownUserError,
    deep_link_respond,
    launch_accept,
    launch_verify,
    login_start,
    tool_key_current,
)
from tandem.lti.tasks import passback_class_now, passback_student_soon
from tandem.roster.access import access_class, is_administrator, role_required, signed_in_user
from tandem.roster.constants import Role

# The session remembers the backend that signed the person in; it must be a configured one. The
# platform checked who they are, so no password is checked here.
MODEL_BACKEND = "tandem.core.passwords.TurnTakingModelBackend"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def tool_url(request: HttpRequest, name: str) -> str:
    """The absolute URL of an LTI endpoint as the LMS must see it: under TANDEM_SITE_URL when
    set (behind a TLS proxy the request itself looks like plain HTTP), else this request's."""
    path = reverse(name)
    site = settings.TANDEM_SITE_URL
    return site + path if site else request.build_absolute_uri(path)


def _secure_context(request: HttpRequest) -> bool:
    site = settings.TANDEM_SITE_URL
    return (
        request.is_secure()
        or site.startswith("https://")
        or request.get_host().rsplit(":", 1)[0] in LOOPBACK_HOSTS
    )


def _refused(request: HttpRequest, error: LtiError) -> HttpResponse:
    template = (
        "lti/unknown_user.html" if isinstance(error, UnknownUserError) else "lti/refused.html"
    )
    response = render(request, template, {"error": error}, status=error.status)
    response.delete_cookie(c.STATE_COOKIE, path=reverse("lti:launch"))
    return response


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, for platforms to check what Tandem signs. Never empty: an LMS
    often reads the keyset while the tool is being registered, before any launch."""
    tool_key_current()
    response = JsonResponse(tool_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt  # the platform's browser redirect; nothing is changed for the signed-in user
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Third-party login initiation: remember a state and nonce, send the browser to the LMS."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        start = login_start(
            issuer=params.get("iss", ""),
            client_id=params.get("client_id", ""),
            login_hint=params.get("login_hint", ""),
            lti_message_hint=params.get("lti_message_hint", ""),
            redirect_uri=tool_url(request, "lti:launch"),
            now=timezone.now(),
        )
    except LtiError as error:
        return _refused(request, error)
    response = HttpResponseRedirect(start.url)
    # The launch comes back as a cross-site POST, which carries only SameSite=None cookies, and
    # browsers take those only with Secure: over HTTPS, or on loopback (a secure context too).
    # Elsewhere over plain HTTP, Lax is the most a browser accepts (same-site LMS only).
    secure = _secure_context(request)
    response.set_cookie(
        c.STATE_COOKIE,
        start.state,
        max_age=int(c.LOGIN_STATE_TTL.total_seconds()),
        path=reverse("lti:launch"),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    return response


def _destination(result: LaunchResult) -> str:
    if result.deep_link is not None:
        return reverse("lti:deep_link", args=[result.deep_link.token])
    user, link = result.user, result.resource_link
    if user.role == Role.STUDENT:
        if link is not None and link.target_kind == TargetKind.COMPETENCY and link.competency:
            return reverse("practice:practice") + f"?competency={link.competency.code}"
        if link is not None and link.target_kind == TargetKind.PATHWAY:
            return reverse("pathways:mine")
        return reverse("practice:home")
    if user.role == Role.TEACHER:
        if result.school_class is not None:
            return reverse("teaching:class", args=[result.school_class.pk])
        return reverse("teaching:classes")
    return reverse("admin:index")


@csrf_exempt  # authenticated by the platform's signed id_token and the state cookie instead
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Verify the platform's id_token, sign the mapped user in, and open what the link names."""
    now = timezone.now()
    try:
        verified = launch_verify(
            id_token=request.POST.get("id_token", ""),
            state=request.POST.get("state", ""),
            state_cookie=request.COOKIES.get(c.STATE_COOKIE, ""),
            now=now,
        )
        result = launch_accept(launch=verified, now=now)
    except LtiError as error:
        return _refused(request, error)
    login(request, result.user, backend=MODEL_BACKEND)
    if result.user.role == Role.STUDENT and result.resource_link is not None:
        passback_student_soon(student_id=result.user.pk)
    response = redirect(_destination(result))
    response.delete_cookie(c.STATE_COOKIE, path=reverse("lti:launch"))
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def deep_link(request: HttpRequest, token: str) -> HttpResponse:
    """The picker: which practice set (or the pathway) to place in the LMS course."""
    now = timezone.now()
    pending = access_deep_link_request(user=signed_in_user(request), token=token, now=now)
    competencies = deep_link_competencies()
    error = ""
    if request.method == "POST":
        choice = request.POST.get("target", "")
        kind, _, code = choice.partition(":")
        competency: Competency | None = None
        if kind == TargetKind.COMPETENCY:
            competency = next((comp for comp in competencies if comp.code == code), None)
        if (kind == TargetKind.COMPETENCY and competency is not None) or choice == "pathway":
            try:
                answered = deep_link_respond(
                    request=pending,
                    kind=kind,
                    competency=competency,
                    launch_url=tool_url(request, "lti:launch"),
                    now=now,
                )
            except LtiError as refused:
                return _refused(request, refused)
            return render(request, "lti/deep_link_return.html", {"pending": answered})
        error = "Choose a practice set or the student's pathway."
    grades: dict[str, list[Competency]] = {}
    for comp in competencies:
        grades.setdefault(comp.grade_label, []).append(comp)
    context = {"pending": pending, "grades": grades, "error": error}
    return render(request, "lti/deep_link.html", context, status=400 if error else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def class_grades(request: HttpRequest, class_id: int) -> HttpResponse:
    """What Tandem sent to the LMS gradebooks of one class, and "send grades now"."""
    school_class = access_class(user=request.user, class_id=class_id)
    if request.method == "POST":
        passback_class_now(school_class=school_class)
        messages.success(request, "Grades are being sent to the LMS; this page shows the result.")
        return redirect("lti:class_grades", class_id=school_class.pk)
    context = {
        "school_class": school_class,
        "links": class_link_grades(school_class=school_class),
        "is_admin": is_administrator(request.user),
    }
    return render(request, "lti/class_grades.html", context)
