"""The xAPI document resources (Activity State, Activity Profile, Agent Profile) and the
Activities and Agents resources of Tandem's LRS (xAPI 1.0.3 communication 2.2 to 2.7).

Each view states its methods and scopes and leaves versions, auth, CORS and the alternate
request syntax to ``http.dispatch``; parameters are checked here, storage is in documents.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from tandem.interop.models import LrsClient, LrsDocument
from tandem.interop.xapi.definitions import activity_canonical, agent_person
from tandem.interop.xapi.documents import (
    DOCUMENT_MAX_BYTES,
    DocumentConflictError,
    DocumentError,
    DocumentKey,
    DocumentPreconditionError,
    DocumentTooLargeError,
    Preconditions,
    lrs_document_delete,
    lrs_document_get,
    lrs_document_ids,
    lrs_document_merge,
    lrs_document_put,
    lrs_documents_delete,
)
from tandem.interop.xapi.http import (
    ANY_SCOPE,
    PROFILE_READ,
    PROFILE_WRITE,
    STATE_READ,
    STATE_WRITE,
    XAPI_2,
    Route,
    XapiError,
    dispatch,
    request_version,
)
from tandem.interop.xapi.validation import (
    IRI,
    StatementError,
    agent_key,
    parse_timestamp,
    validate_agent,
)

ERRORS: dict[type[Exception], int] = {
    StatementError: 400,
    DocumentError: 400,
    DocumentConflictError: 409,
    DocumentPreconditionError: 412,
    DocumentTooLargeError: 413,
}
# The key columns' lengths (LrsDocument); longer values cannot be stored, so they are refused.
MAX_ACTIVITY_ID = 2000
MAX_AGENT_KEY = 500
MAX_DOCUMENT_ID = 500


@dataclass(frozen=True)
class Resource:
    """The parameters that address one document resource's documents."""

    kind: LrsDocument.Kind
    id_param: str  # stateId or profileId
    activity: bool  # keyed by activityId
    agent: bool  # keyed by agent
    registration: bool  # accepts registration
    # A PUT over an existing document must carry If-Match or If-None-Match (profiles only).
    guarded: bool


STATE = Resource(LrsDocument.Kind.STATE, "stateId", True, True, True, guarded=False)
ACTIVITY_PROFILE = Resource(
    LrsDocument.Kind.ACTIVITY_PROFILE, "profileId", True, False, False, guarded=True
)
AGENT_PROFILE = Resource(
    LrsDocument.Kind.AGENT_PROFILE, "profileId", False, True, False, guarded=True
)


def _params(request: HttpRequest, allowed: set[str]) -> dict[str, str]:
    unknown = set(request.GET) - allowed
    if unknown:
        raise DocumentError(f"Unknown parameters: {', '.join(sorted(unknown))}.")
    for name in request.GET:
        if len(request.GET.getlist(name)) > 1:
            raise DocumentError(f"{name} is given more than once.")
    return {name: request.GET[name] for name in request.GET}


def _activity_id(params: dict[str, str]) -> str:
    value = params.get("activityId")
    if value is None:
        raise DocumentError("activityId is required.")
    if not IRI.match(value) or len(value) > MAX_ACTIVITY_ID:
        raise DocumentError("activityId must be an IRI.")
    return value


def _agent(params: dict[str, str]) -> dict[str, Any]:
    raw = params.get("agent")
    if raw is None:
        raise DocumentError("agent is required.")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise DocumentError("agent must be an Agent in JSON.") from None
    agent = validate_agent(value, "agent")
    key = agent_key(agent)
    if not key or len(key) > MAX_AGENT_KEY:
        raise DocumentError("agent must be identified by one inverse functional identifier.")
    return agent


def _key(
    request: HttpRequest, resource: Resource, *, id_required: bool, since: bool = False
) -> tuple[DocumentKey, dict[str, str]]:
    allowed = {resource.id_param}
    allowed |= {"activityId"} if resource.activity else set()
    allowed |= {"agent"} if resource.agent else set()
    allowed |= {"registration"} if resource.registration else set()
    allowed |= {"since"} if since else set()
    params = _params(request, allowed)
    activity_id = _activity_id(params) if resource.activity else ""
    key = agent_key(_agent(params)) if resource.agent else ""
    registration = ""
    if "registration" in params:
        try:
            registration = str(uuid.UUID(params["registration"]))
        except ValueError:
            raise DocumentError("registration must be a UUID.") from None
    document_id = params.get(resource.id_param, "")
    if id_required and not document_id:
        raise DocumentError(f"{resource.id_param} is required.")
    if len(document_id) > MAX_DOCUMENT_ID:
        raise DocumentError(f"{resource.id_param} is longer than {MAX_DOCUMENT_ID} characters.")
    return DocumentKey(resource.kind, activity_id, key, registration, document_id), params


def _conditions(request: HttpRequest) -> Preconditions:
    return Preconditions(
        if_match=request.headers.get("If-Match"),
        if_none_match=request.headers.get("If-None-Match"),
    )


def _content(request: HttpRequest) -> tuple[bytes, str]:
    """The body and its content type as sent; the size is checked before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > DOCUMENT_MAX_BYTES:
        raise DocumentTooLargeError(f"The document is larger than {DOCUMENT_MAX_BYTES} bytes.")
    content_type = request.META.get("CONTENT_TYPE", "").strip() or "application/octet-stream"
    return request.body, content_type


def _tagged(response: HttpResponse, document: LrsDocument) -> HttpResponse:
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response


def _written(document: LrsDocument) -> HttpResponse:
    return _tagged(HttpResponse(status=204), document)


def _handlers(resource: Resource) -> dict[str, Callable[[HttpRequest, LrsClient], HttpResponse]]:
    def get(request: HttpRequest, client: LrsClient) -> HttpResponse:
        key, params = _key(request, resource, id_required=False, since=True)
        if key.document_id:
            document = lrs_document_get(key=key)
            if document is None:
                raise XapiError(404, "No such document.")
            body = HttpResponse(bytes(document.content), content_type=document.content_type)
            return _tagged(body, document)
        since = parse_timestamp(params["since"], "since") if "since" in params else None
        ids = lrs_document_ids(key=key, since=since, any_registration="registration" not in params)
        return JsonResponse(ids, safe=False)

    def put(request: HttpRequest, client: LrsClient) -> HttpResponse:
        key, _ = _key(request, resource, id_required=True)
        content, content_type = _content(request)
        document = lrs_document_put(
            key=key,
            content=content,
            content_type=content_type,
            conditions=_conditions(request),
            client=client,
            now=timezone.now(),
            # xAPI 2.0 guards the State resource as well (communication 3.1, concurrency).
            require_conditions=resource.guarded or request_version(request) == XAPI_2,
            # A new profile needs If-None-Match too: the 1.0.3 conformance requirement
            # XAPI-00273/00293 (a profile PUT without either header is refused with 400).
            require_on_create=resource.guarded,
        )
        return _written(document)

    def post(request: HttpRequest, client: LrsClient) -> HttpResponse:
        key, _ = _key(request, resource, id_required=True)
        content, content_type = _content(request)
        document = lrs_document_merge(
            key=key,
            content=content,
            content_type=content_type,
            conditions=_conditions(request),
            client=client,
            now=timezone.now(),
        )
        return _written(document)

    def delete(request: HttpRequest, client: LrsClient) -> HttpResponse:
        # Only the State resource deletes a whole context (every stateId) at once.
        key, params = _key(request, resource, id_required=resource.kind != STATE.kind)
        if key.document_id:
            lrs_document_delete(key=key, conditions=_conditions(request))
        else:
            lrs_documents_delete(key=key, any_registration="registration" not in params)
        return HttpResponse(status=204)

    return {"GET": get, "PUT": put, "POST": post, "DELETE": delete}


def _routes(resource: Resource, read: frozenset[str], write: frozenset[str]) -> dict[str, Route]:
    handlers = _handlers(resource)
    return {
        method: Route(handler, read if method == "GET" else write)
        for method, handler in handlers.items()
    }


STATE_ROUTES = _routes(STATE, STATE_READ, STATE_WRITE)
ACTIVITY_PROFILE_ROUTES = _routes(ACTIVITY_PROFILE, PROFILE_READ, PROFILE_WRITE)
AGENT_PROFILE_ROUTES = _routes(AGENT_PROFILE, PROFILE_READ, PROFILE_WRITE)


@csrf_exempt
def activity_state(request: HttpRequest) -> HttpResponse:
    return dispatch(request, STATE_ROUTES, errors=ERRORS)


@csrf_exempt
def activity_profile(request: HttpRequest) -> HttpResponse:
    return dispatch(request, ACTIVITY_PROFILE_ROUTES, errors=ERRORS)


@csrf_exempt
def agent_profile(request: HttpRequest) -> HttpResponse:
    return dispatch(request, AGENT_PROFILE_ROUTES, errors=ERRORS)


def _activity(request: HttpRequest, client: LrsClient) -> HttpResponse:
    activity_id = _activity_id(_params(request, {"activityId"}))
    activity = activity_canonical(activity_id=activity_id)
    if activity is None:
        if request_version(request) == XAPI_2:
            # xAPI 2.0: an Activity Object even without a canonical definition.
            return JsonResponse({"objectType": "Activity", "id": activity_id})
        raise XapiError(404, "No statement or competency names this activity.")
    return JsonResponse(activity)


def _person(request: HttpRequest, client: LrsClient) -> HttpResponse:
    params = _params(request, {"agent"})
    if "agent" not in params:
        raise DocumentError("agent is required.")
    try:
        value = json.loads(params["agent"])
    except json.JSONDecodeError:
        raise DocumentError("agent must be an Agent in JSON.") from None
    agent = validate_agent(value, "agent", group_allowed=False)
    return JsonResponse(agent_person(agent=agent, reader=client))


@csrf_exempt
def activities(request: HttpRequest) -> HttpResponse:
    return dispatch(request, {"GET": Route(_activity, ANY_SCOPE)}, errors=ERRORS)


@csrf_exempt
def agents(request: HttpRequest) -> HttpResponse:
    return dispatch(request, {"GET": Route(_person, ANY_SCOPE)}, errors=ERRORS)
