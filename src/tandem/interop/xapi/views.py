"""Tandem as an xAPI 1.0.3 Learning Record Store: About and the Statements resource.

Plain Django views (not the ninja API): xAPI fixes its own URLs, headers and status codes.
Clients authenticate with HTTP Basic using credentials an administrator issued (LrsClient).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, urlencode
from django.views.decorators.csrf import csrf_exempt

from tandem.interop.models import LrsClient, LrsStatement
from tandem.interop.xapi.http import (
    STATEMENTS_READ,
    STATEMENTS_WRITE,
    VERSION_HEADER,
    XAPI_2,
    PublicRoute,
    Route,
    _client,
    _error,
    _versioned,
    dispatch,
    reads_only_own_statements,
    request_version,
)
from tandem.interop.xapi.multipart import Part, multipart_build, multipart_parse
from tandem.interop.xapi.selectors import (
    SINGLE_EXTRAS,
    accepted_languages,
    boolean_param,
    format_param,
    statement_get,
    statement_payload,
    statements_query,
)
from tandem.interop.xapi.services import (
    XAPI_VERSION,
    StatementConflictError,
    StatementForbiddenError,
    statements_store,
)
from tandem.interop.xapi.validation import StatementError

# Kept importable from here: the statement handlers and older callers use these names.
__all__ = ["VERSION_HEADER", "_client", "_error", "_versioned", "about", "statements"]

CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


# Every 1.0.x client is served (the version header check accepts them all): 1.0.3 only
# clarified 1.0.0, so the LRS names each patch version it speaks.
SUPPORTED_VERSIONS = ["1.0.0", "1.0.1", "1.0.2", XAPI_VERSION, XAPI_2]


def _about(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"version": SUPPORTED_VERSIONS})


@csrf_exempt
def about(request: HttpRequest) -> HttpResponse:
    return dispatch(request, {"GET": PublicRoute(_about)})


@csrf_exempt
def statements(request: HttpRequest) -> HttpResponse:
    # GET under statements/read/mine alone: _get must show only the client's own statements;
    # http.reads_only_own_statements(client) says when.
    began = timezone.now()
    response = dispatch(
        request,
        {
            "GET": Route(_get, STATEMENTS_READ),
            "POST": Route(_post, STATEMENTS_WRITE),
            "PUT": Route(_put, STATEMENTS_WRITE),
        },
        errors={StatementError: 400, StatementForbiddenError: 403, StatementConflictError: 409},
    )
    # Every answer of the Statements resource carries the header, errors too (communication
    # 2.1.3: the LRS must include it on GET, and clients read it on a refused GET as well).
    if CONSISTENT_THROUGH not in response:
        _consistent(response, began)
    return response


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StatementError("The statements are not valid JSON.") from None


def _body(request: HttpRequest) -> tuple[Any, list[Part] | None]:
    """The statement(s) sent, and the attachment parts when sent as multipart/mixed.

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` raises RequestDataTooBig, answered 413.
    """
    if request.content_type == "application/json":
        return _json(request.body), None
    if request.content_type == "multipart/mixed":
        parts = multipart_parse(
            content_type=request.META.get("CONTENT_TYPE", ""), body=request.body
        )
        if parts[0].content_type != "application/json":
            raise StatementError("The first part of a multipart request holds the statements.")
        return _json(parts[0].content), parts[1:]
    raise StatementError("Send statements as application/json or multipart/mixed.")


def _post(request: HttpRequest, client: LrsClient) -> HttpResponse:
    if request.GET:
        raise StatementError("POST to statements takes no query parameters.")
    body, parts = _body(request)
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise StatementError("The batch is empty.")
    ids = statements_store(
        client=client,
        statements=batch,
        now=timezone.now(),
        parts=parts,
        version=request_version(request),
    )
    return JsonResponse(ids, safe=False)


def _put(request: HttpRequest, client: LrsClient) -> HttpResponse:
    statement_id = request.GET.get("statementId", "")
    if not statement_id or set(request.GET) != {"statementId"}:
        raise StatementError("PUT needs exactly the statementId parameter.")
    body, parts = _body(request)
    if not isinstance(body, dict):
        raise StatementError("PUT takes one statement.")
    if "id" in body and str(body["id"]).lower() != statement_id.lower():
        raise StatementError("The statement's id differs from statementId.")
    statements_store(
        client=client,
        statements=[{**body, "id": statement_id}],
        now=timezone.now(),
        parts=parts,
        version=request_version(request),
    )
    return HttpResponse(status=204)


def _consistent(response: HttpResponse, now: dt.datetime) -> HttpResponse:
    # Every write, Tandem's evidence included (xapi.mirror), commits its LRS statement before it
    # answers, so the answer is consistent up to the moment the read began.
    response[CONSISTENT_THROUGH] = now.isoformat()
    return response


def _answer(
    payload: Any, rows: list[LrsStatement], *, attachments: bool, status: int = 200
) -> HttpResponse:
    """JSON, or with attachments=true multipart/mixed: the JSON, then the raw attachments held."""
    if not attachments:
        return JsonResponse(payload, safe=False, status=status)
    held = {a.sha2: a for row in rows for a in row.attachments.all()}
    content_type, body = multipart_build(
        statements_json=json.dumps(payload).encode(),
        attachments=[(a.sha2, a.content_type, bytes(a.content)) for a in held.values()],
    )
    return HttpResponse(body, content_type=content_type, status=status)


def _get(request: HttpRequest, client: LrsClient) -> HttpResponse:
    now = timezone.now()
    params = {key: request.GET[key] for key in request.GET}
    only_client = client if reads_only_own_statements(client) else None
    output = format_param(params)
    attachments = boolean_param(params, "attachments")
    languages = accepted_languages(request.headers.get("Accept-Language", ""))
    single = {"statementId", "voidedStatementId"} & set(params)
    if single:
        if len(single) != 1 or set(params) - single - SINGLE_EXTRAS:
            raise StatementError(
                "statementId and voidedStatementId take only format and attachments."
            )
        key = single.pop()
        row = statement_get(
            statement_id=params[key], voided=key == "voidedStatementId", only_client=only_client
        )
        if row is None:
            return _consistent(JsonResponse({"error": "No such statement."}, status=404), now)
        payload = statement_payload(row, format=output, languages=languages)
        response = _answer(payload, [row], attachments=attachments)
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return _consistent(response, now)
    cursor = params.pop("cursor", "")
    page = statements_query(params=params, cursor=cursor, only_client=only_client)
    more = ""
    if page.cursor:
        more = (
            reverse("interop:xapi-statements") + "?" + urlencode({**params, "cursor": page.cursor})
        )
    result = {
        "statements": [
            statement_payload(row, format=output, languages=languages) for row in page.statements
        ],
        "more": more,
    }
    response = _answer(result, page.statements, attachments=attachments)
    if page.statements:
        latest = max(row.stored for row in page.statements)
        response["Last-Modified"] = http_date(latest.timestamp())
    return _consistent(response, now)
