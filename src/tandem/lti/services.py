"""Writes of the LTI tool: keys, OIDC login, launch validation and sign-in mapping, deep-link
responses, and grade passback to a platform's Assignment and Grade Services."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_competencies
from tandem.lti import constants as c
from tandem.lti.constants import ActivityProgress, LtiRole, PassbackStatus, TargetKind
from tandem.lti.models import (
    AccessToken,
    ContextLink,
    DeepLinkRequest,
    Deployment,
    LoginState,
    Passback,
    Platform,
    ResourceLink,
    ResourceLinkLearner,
    ToolKey,
    UserLink,
)
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.pathways.selectors import pathway_view
from tandem.roster.access import classes_visible_to, is_administrator
from tandem.roster.constants import Role
from tandem.roster.models import SchoolClass, User

logger = logging.getLogger(__name__)

# Keys kept published after a rotation, newest first; older ones stop verifying.
PUBLISHED_KEYS = 2


class LtiError(Exception):
    """A refused login, launch or deep link: ``reason`` names the check that failed."""

    def __init__(self, reason: str, detail: str, *, status: int = 400) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status


class UnknownUserError(LtiError):
    """The platform's person is not on Tandem's roster (nobody is created on the fly)."""


# ---------- the tool's keys ----------


@transaction.atomic
def tool_key_rotate() -> ToolKey:
    """Make a new signing key; the previous one stays published for platforms' caches."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk |= {"kid": kid, "alg": "RS256", "use": "sig"}
    key = ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk)
    retired = ToolKey.objects.filter(is_active=True).values_list("pk", flat=True)[PUBLISHED_KEYS:]
    ToolKey.objects.filter(pk__in=list(retired)).update(is_active=False)
    return key


def tool_key_current() -> ToolKey:
    """The key that signs now, made on first use."""
    key = ToolKey.objects.filter(is_active=True).first()
    return key if key is not None else tool_key_rotate()


def tool_sign(claims: dict[str, Any]) -> str:
    key = tool_key_current()
    return jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})


# ---------- OIDC login initiation ----------


def _platform_for(*, issuer: str, client_id: str) -> Platform:
    platforms = Platform.objects.filter(issuer=issuer, is_active=True)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LtiError(
            "unknown platform",
            f"No platform is registered for issuer {issuer!r}"
            + (f" and client_id {client_id!r}." if client_id else "."),
        )
    if len(found) > 1:
        raise LtiError(
            "ambiguous platform",
            f"Several registrations share issuer {issuer!r}; the platform must send client_id.",
        )
    return found[0]


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    state: str


@transaction.atomic
def login_start(
    *,
    issuer: str,
    client_id: str,
    login_hint: str,
    lti_message_hint: str,
    redirect_uri: str,
    now: dt.datetime,
) -> LoginRedirect:
    """Record a single-use state and nonce, and the platform's auth URL to send the browser to."""
    if not issuer or not login_hint:
        raise LtiError("incomplete login", "The login request must name iss and login_hint.")
    platform = _platform_for(issuer=issuer, client_id=client_id)
    LoginState.objects.filter(expires_at__lt=now).delete()
    state = LoginState.objects.create(
        platform=platform,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        expires_at=now + c.LOGIN_STATE_TTL,
    )
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state.state,
        "nonce": state.nonce,
    }
    if lti_message_hint:
        params["lti_message_hint"] = lti_message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    url = platform.auth_login_url + separator + urllib.parse.urlencode(params)
    return LoginRedirect(url=url, state=state.state)


# ---------- launch ----------

_jwk_clients: dict[str, jwt.PyJWKClient] = {}


def _platform_key(platform: Platform, token: str) -> Any:
    client = _jwk_clients.get(platform.jwks_url)
    if client is None:
        client = jwt.PyJWKClient(platform.jwks_url, lifespan=300, timeout=c.HTTP_TIMEOUT)
        _jwk_clients[platform.jwks_url] = client
    try:
        if jwt.get_unverified_header(token).get("kid"):
            return client.get_signing_key_from_jwt(token).key
        keys = client.get_signing_keys()
    except jwt.PyJWKClientConnectionError as error:
        raise LtiError("platform keys unreachable", str(error), status=502) from None
    except (jwt.PyJWKClientError, jwt.DecodeError) as error:
        raise LtiError(
            "bad signature", f"No platform key verifies this token: {error}", status=403
        ) from None
    if len(keys) != 1:
        raise LtiError(
            "bad signature",
            "The token names no key (kid) and the platform has several.",
            status=403,
        )
    return keys[0].key


def _consume_state(state: str, now: dt.datetime) -> LoginState:
    # Its own transaction: a state is spent even when the launch is then refused.
    with transaction.atomic():
        login = LoginState.objects.select_for_update().filter(state=state).first()
        if login is None:
            raise LtiError(
                "unknown or used state",
                "This login was not started here, or it was already used. Open the link in the "
                "course again.",
            )
        login.delete()
    if login.expires_at < now:
        raise LtiError("login expired", "The login took too long. Open the link again.")
    return login


_DECODE_ERRORS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidIssuedAtError, "token issued in the future"),
    (jwt.MissingRequiredClaimError, "missing claim"),
    (jwt.InvalidSignatureError, "bad signature"),
]


def launch_verify(*, id_token: str, state: str, state_cookie: str, now: dt.datetime) -> Launch:
    """Every LTI 1.3 core check on a launch; raises :class:`LtiError` at the first failure."""
    if not id_token or not state:
        raise LtiError("incomplete launch", "The launch must carry id_token and state.")
    if not state_cookie or not secrets.compare_digest(state, state_cookie):
        raise LtiError(
            "state mismatch",
            "The login did not start in this browser (its state cookie is missing or differs).",
            status=403,
        )
    login = _consume_state(state, now)
    platform = login.platform
    key = _platform_key(platform, id_token)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=c.LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.PyJWTError as error:
        reason = next((r for kind, r in _DECODE_ERRORS if isinstance(error, kind)), "bad token")
        raise LtiError(reason, str(error), status=403) from None
    if claims["iat"] > now.timestamp() + c.LEEWAY_SECONDS:
        raise LtiError("token issued in the future", "iat is after now.", status=403)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise LtiError(
            "wrong azp", "With several audiences azp must be this tool's client_id.", status=403
        )
    if not secrets.compare_digest(str(claims["nonce"]), login.nonce):
        raise LtiError("nonce mismatch", "The token's nonce is not this login's.", status=403)
    if claims.get(c.VERSION) != c.LTI_VERSION:
        raise LtiError("wrong version", f"Only LTI {c.LTI_VERSION} is supported.")
    message_type = claims.get(c.MESSAGE_TYPE)
    if message_type not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise LtiError("unsupported message", f"Message type {message_type!r} is not supported.")
    deployment_id = str(claims.get(c.DEPLOYMENT_ID) or "")
    if not Deployment.objects.filter(platform=platform, deployment_id=deployment_id).exists():
        raise LtiError(
            "unknown deployment", f"Deployment {deployment_id!r} is not registered.", status=403
        )
    if not str(claims["sub"]).strip():
        raise LtiError("missing claim", "Anonymous launches (no sub) are not supported.")
    if not isinstance(claims.get(c.ROLES), list):
        raise LtiError("missing claim", "The roles claim is missing.")
    if message_type == c.RESOURCE_LINK_REQUEST and not (claims.get(c.RESOURCE_LINK) or {}).get(
        "id"
    ):
        raise LtiError("missing claim", "A resource-link launch must carry resource_link.id.")
    if message_type == c.DEEP_LINKING_REQUEST and not (claims.get(c.DL_SETTINGS) or {}).get(
        "deep_link_return_url"
    ):
        raise LtiError("missing claim", "A deep-linking launch must carry deep_link_return_url.")
    return Launch(platform=platform, deployment_id=deployment_id, claims=claims)


@dataclass(frozen=True)
class Launch:
    """A verified launch message."""

    platform: Platform
    deployment_id: str
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[c.MESSAGE_TYPE])

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])

    @property
    def lti_role(self) -> LtiRole | None:
        roles = set(self.claims.get(c.ROLES) or [])
        if roles & c.STAFF_ROLES:
            return LtiRole.STAFF
        if roles & c.LEARNER_ROLES:
            return LtiRole.LEARNER
        return None


def _tandem_role(user: User) -> LtiRole | None:
    if user.role == Role.STUDENT:
        return LtiRole.LEARNER
    if user.role == Role.TEACHER or is_administrator(user):
        return LtiRole.STAFF
    return None


def _launch_user(launch: Launch, now: dt.datetime) -> User:
    link = (
        UserLink.objects.select_related("user")
        .filter(platform=launch.platform, sub=launch.sub)
        .first()
    )
    if link is not None:
        user = link.user
    else:
        sourced_id = str((launch.claims.get(c.LIS) or {}).get("person_sourcedid") or "")
        found = User.objects.filter(sourced_id=sourced_id).first() if sourced_id else None
        if found is None:
            raise UnknownUserError(
                "unknown user",
                "Tandem does not know you yet. Ask your school to add you to Tandem's roster "
                "(the person id your course sends is "
                + (f"{sourced_id!r})." if sourced_id else "missing)."),
                status=403,
            )
        user = found
        link = UserLink(platform=launch.platform, sub=launch.sub, user=user)
    if not user.is_active:
        raise LtiError("account disabled", "This Tandem account is disabled.", status=403)
    lti_role, tandem_role = launch.lti_role, _tandem_role(user)
    if lti_role is None or lti_role != tandem_role:
        raise LtiError(
            "role mismatch",
            f"The course calls you {lti_role.label if lti_role else 'neither learner nor staff'}"
            f" but Tandem has you as {user.get_role_display().lower()}.",
            status=403,
        )
    link.last_launch_at = now
    link.save()
    return user


def _launch_class(launch: Launch, user: User) -> tuple[ContextLink | None, SchoolClass | None]:
    context = launch.claims.get(c.CONTEXT) or {}
    context_id = str(context.get("id") or "")
    section = str((launch.claims.get(c.LIS) or {}).get("course_section_sourcedid") or "")
    school_class = SchoolClass.objects.filter(sourced_id=section).first() if section else None
    link = None
    if context_id:
        link = ContextLink.objects.filter(platform=launch.platform, context_id=context_id).first()
        if school_class is not None:
            link, _ = ContextLink.objects.update_or_create(
                platform=launch.platform,
                context_id=context_id,
                defaults={
                    "school_class": school_class,
                    "title": str(context.get("title", ""))[:255],
                },
            )
        elif link is not None:
            school_class = link.school_class
    if school_class is None or is_administrator(user):
        return link, school_class
    if not classes_visible_to(user).filter(pk=school_class.pk).exists():
        raise LtiError(
            "not in class",
            f"This course is Tandem's class {school_class.title!r}, and the roster does not "
            "list you in it.",
            status=403,
        )
    return link, school_class


def _target(custom: dict[str, Any]) -> tuple[str, Competency | None]:
    raw = str(custom.get(c.TARGET_PARAM) or "").strip()
    if not raw:
        return TargetKind.NONE, None
    if raw == TargetKind.PATHWAY:
        return TargetKind.PATHWAY, None
    kind, _, code = raw.partition(":")
    if kind == TargetKind.COMPETENCY:
        practisable = practisable_competencies().values()
        found = next((comp for comp in practisable if comp.code == code), None)
        if found is not None:
            return TargetKind.COMPETENCY, found
    raise LtiError("unknown target", f"This link opens {raw!r}, which Tandem does not offer.")


@dataclass(frozen=True)
class LaunchResult:
    user: User
    school_class: SchoolClass | None
    resource_link: ResourceLink | None
    deep_link: DeepLinkRequest | None


@transaction.atomic
def launch_accept(*, launch: Launch, now: dt.datetime) -> LaunchResult:
    """Map a verified launch to a Tandem user and class, and keep its links; refuses unknown
    people, a role that disagrees with the roster, and a class the user is not in."""
    user = _launch_user(launch, now)
    context, school_class = _launch_class(launch, user)
    if launch.message_type == c.DEEP_LINKING_REQUEST:
        if launch.lti_role != LtiRole.STAFF:
            raise LtiError(
                "role mismatch", "Only instructors can place Tandem in a course.", status=403
            )
        settings = launch.claims[c.DL_SETTINGS]
        DeepLinkRequest.objects.filter(created_at__lt=now - c.DEEP_LINK_TTL).delete()
        request = DeepLinkRequest.objects.create(
            platform=launch.platform,
            deployment_id=launch.deployment_id,
            user=user,
            school_class=school_class,
            return_url=str(settings["deep_link_return_url"]),
            data=str(settings.get("data") or ""),
            accept_types=list(settings.get("accept_types") or []),
        )
        return LaunchResult(user, school_class, None, request)
    claim = launch.claims[c.RESOURCE_LINK]
    kind, competency = _target(launch.claims.get(c.CUSTOM) or {})
    ags = launch.claims.get(c.AGS_ENDPOINT) or {}
    link, _ = ResourceLink.objects.update_or_create(
        platform=launch.platform,
        resource_link_id=str(claim["id"]),
        defaults={
            "deployment_id": launch.deployment_id,
            "title": str(claim.get("title") or "")[:255],
            "context": context,
            "target_kind": kind,
            "competency": competency,
            "ags_lineitem": str(ags.get("lineitem") or ""),
            "ags_lineitems": str(ags.get("lineitems") or ""),
            "ags_scope": list(ags.get("scope") or []),
        },
    )
    if user.role == Role.STUDENT:
        ResourceLinkLearner.objects.update_or_create(
            resource_link=link, student=user, defaults={"sub": launch.sub}
        )
    return LaunchResult(user, school_class, link, None)


# ---------- deep linking ----------


def deep_link_respond(
    *,
    request: DeepLinkRequest,
    kind: str,
    competency: Competency | None,
    launch_url: str,
    now: dt.datetime,
) -> DeepLinkRequest:
    """Sign the LtiDeepLinkingResponse for the chosen target, once: a repeat returns the same."""
    with transaction.atomic():
        request = DeepLinkRequest.objects.select_for_update().get(pk=request.pk)
        if request.response_jwt:
            return request
        if request.accept_types and "ltiResourceLink" not in request.accept_types:
            raise LtiError("unsupported placement", "The course does not accept links here.")
        if kind == TargetKind.COMPETENCY and competency is not None:
            target = f"{TargetKind.COMPETENCY}:{competency.code}"
            title = f"Practice {competency.code}"
            text = competency.abbreviated_statement or competency.full_statement[:200]
        elif kind == TargetKind.PATHWAY:
            target, title, text = (
                str(TargetKind.PATHWAY),
                "My Tandem pathway",
                ("Each student's own pathway; the grade is the share of its steps mastered."),
            )
        else:
            raise LtiError("no choice", "Choose a competency or the pathway.")
        item = {
            "type": "ltiResourceLink",
            "title": title,
            "text": text,
            "url": launch_url,
            "custom": {c.TARGET_PARAM: target},
            "lineItem": {"scoreMaximum": c.SCORE_MAXIMUM, "label": title, "resourceId": target},
        }
        claims: dict[str, Any] = {
            "iss": request.platform.client_id,
            "aud": request.platform.issuer,
            "iat": int(now.timestamp()),
            "exp": int((now + c.TOOL_JWT_TTL).timestamp()),
            "nonce": secrets.token_urlsafe(16),
            c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
            c.VERSION: c.LTI_VERSION,
            c.DEPLOYMENT_ID: request.deployment_id,
            c.DL_CONTENT_ITEMS: [item],
        }
        if request.data:
            claims[c.DL_DATA] = request.data
        request.response_jwt = tool_sign(claims)
        request.responded_at = now
        request.save(update_fields=["response_jwt", "responded_at"])
        return request


# ---------- grade passback (AGS) ----------


@dataclass(frozen=True)
class Score:
    given: float
    progress: ActivityProgress


def score_for(*, link: ResourceLink, student: User, now: dt.datetime) -> Score:
    """What the gradebook should show: mastery of the linked competency, or the share of the
    student's pathway steps done, out of 100."""
    if link.target_kind == TargetKind.COMPETENCY:
        state = LearnerState.objects.filter(student=student, competency=link.competency).first()
        if state is None or (not state.n_attempts and state.status != Status.MASTERED):
            return Score(0.0, ActivityProgress.INITIALIZED)
        done = state.status == Status.MASTERED
        return Score(
            round(state.p_mastery * c.SCORE_MAXIMUM, 1),
            ActivityProgress.COMPLETED if done else ActivityProgress.IN_PROGRESS,
        )
    view = pathway_view(student=student, now=now)
    # Projects are steps too, but not mastered; the grade counts the competency steps.
    steps = [step for step in view.steps if not step.is_project] if view is not None else []
    if not steps:
        return Score(0.0, ActivityProgress.INITIALIZED)
    done_steps = sum(1 for step in steps if step.is_done)
    progress = (
        ActivityProgress.COMPLETED
        if done_steps == len(steps)
        else ActivityProgress.IN_PROGRESS
        if done_steps
        else ActivityProgress.INITIALIZED
    )
    return Score(round(c.SCORE_MAXIMUM * done_steps / len(steps), 1), progress)


class PlatformHttpError(Exception):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code


def _http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=c.HTTP_TIMEOUT) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode("utf-8", "replace")
        raise PlatformHttpError(error.code, f"HTTP {error.code} from {url}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PlatformHttpError(None, f"Could not reach {url}: {error}") from None


def access_token_get(*, platform: Platform, scope: str, now: dt.datetime) -> str:
    """A bearer token for ``scope``: the cached one while it lasts, else a new one obtained
    with the client_credentials grant and a client assertion signed by the tool's key."""
    cached = AccessToken.objects.filter(platform=platform, scope=scope, expires_at__gt=now).first()
    if cached is not None:
        return cached.token
    assertion = tool_sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": int(now.timestamp()),
            "exp": int((now + c.TOOL_JWT_TTL).timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
    )
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": c.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        }
    ).encode()
    _, raw = _http_post(
        platform.auth_token_url, body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        answer = json.loads(raw)
        token = str(answer["access_token"])
        lifetime = int(answer.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as error:
        raise PlatformHttpError(None, f"The token endpoint answered no token: {error}") from None
    # Renew a minute early, so a token never expires on its way to the platform.
    expires_at = now + dt.timedelta(seconds=max(lifetime - 60, 0))
    AccessToken.objects.update_or_create(
        platform=platform, scope=scope, defaults={"token": token, "expires_at": expires_at}
    )
    return token


def _scores_url(lineitem: str) -> str:
    parts = urllib.parse.urlsplit(lineitem)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def passback_send(
    *, learner: ResourceLinkLearner, force: bool, now: dt.datetime
) -> Passback | None:
    """Send the student's current score for one link, and record what happened. Unchanged
    scores are not resent unless ``force``; a failure is recorded, never raised."""
    link = learner.resource_link
    score = score_for(link=link, student=learner.student, now=now)
    last = Passback.objects.filter(
        resource_link=link, student=learner.student, status=PassbackStatus.SENT
    ).first()
    if (
        not force
        and last is not None
        and last.score_given == score.given
        and last.activity_progress == score.progress
    ):
        return None
    passback = Passback.objects.create(
        resource_link=link,
        student=learner.student,
        sub=learner.sub,
        score_given=score.given,
        score_maximum=c.SCORE_MAXIMUM,
        activity_progress=score.progress,
    )
    body = {
        "userId": learner.sub,
        "scoreGiven": score.given,
        "scoreMaximum": c.SCORE_MAXIMUM,
        "activityProgress": str(score.progress),
        "gradingProgress": "FullyGraded",
        "timestamp": now.isoformat(timespec="milliseconds"),
    }
    try:
        token = access_token_get(platform=link.platform, scope=c.AGS_SCORE_SCOPE, now=now)
        code, _ = _http_post(
            _scores_url(link.ags_lineitem),
            json.dumps(body).encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": c.SCORE_MEDIA_TYPE},
        )
    except PlatformHttpError as error:
        logger.warning("LTI passback %s failed: %s", passback.pk, error)
        if error.code == 401:
            # A revoked or expired token: forget it so the next passback asks for a new one.
            AccessToken.objects.filter(platform=link.platform).delete()
        passback.status = PassbackStatus.FAILED
        passback.response_code = error.code
        passback.error = str(error)[:2000]
    else:
        passback.status = PassbackStatus.SENT
        passback.response_code = code
    passback.sent_at = timezone.now()
    passback.save(update_fields=["status", "response_code", "error", "sent_at"])
    return passback


def gradable_learners(
    *,
    student_id: int | None = None,
    school_class: SchoolClass | None = None,
    resource_link_ids: list[int] | None = None,
) -> list[ResourceLinkLearner]:
    learners = (
        ResourceLinkLearner.objects.select_related(
            "resource_link__platform", "resource_link__competency", "student"
        )
        .exclude(resource_link__ags_lineitem="")
        .exclude(resource_link__target_kind="")
    )
    if student_id is not None:
        learners = learners.filter(student_id=student_id)
    if school_class is not None:
        learners = learners.filter(resource_link__context__school_class=school_class)
    if resource_link_ids is not None:
        learners = learners.filter(resource_link_id__in=resource_link_ids)
    return [learner for learner in learners if learner.resource_link.gradable]


def passbacks_send(
    *, student_id: int | None = None, class_id: int | None = None, force: bool = False
) -> list[Passback]:
    """Send every gradable link's score for one student or one class; what the task runs."""
    school_class = SchoolClass.objects.get(pk=class_id) if class_id is not None else None
    sent = []
    for learner in gradable_learners(student_id=student_id, school_class=school_class):
        passback = passback_send(learner=learner, force=force, now=timezone.now())
        if passback is not None:
            sent.append(passback)
    return sent
