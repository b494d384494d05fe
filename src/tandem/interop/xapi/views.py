"""Tandem as an xAPI 1.0.3 Learning Record Store: About and the Statements resource.

Plain Django views (not the ninja API): xAPI fixes its own URLs, headers and status codes.
Clients authenticate with HTTP Basic using credentials an administrator issued (LrsClient).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, urlencode
from django.views.decorators.csrf import csrf_exempt

from tandem.interop.models import LrsClient
from tandem.interop.xapi.http import (
    STATEMENTS_READ,
    STATEMENTS_WRITE,
    VERSION_HEADER,
    PublicRoute,
    Route,
    _client,
    _error,
    _versioned,
    dispatch,
)
from tandem.interop.xapi.selectors import (
    statement_get,
    statement_payload,
    statements_query,
)
from tandem.interop.xapi.services import XAPI_VERSION, StatementConflictError, statements_store
from tandem.interop.xapi.validation import StatementError

# Kept importable from here: the statement handlers and older callers use these names.
__all__ = ["VERSION_HEADER", "_client", "_error", "_versioned", "about", "statements"]


def _about(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"version": [XAPI_VERSION]})


@csrf_exempt
def about(request: HttpRequest) -> HttpResponse:
    return dispatch(request, {"GET": PublicRoute(_about)})


@csrf_exempt
def statements(request: HttpRequest) -> HttpResponse:
    # GET under statements/read/mine alone: _get must show only the client's own statements;
    # http.reads_only_own_statements(client) says when.
    return dispatch(
        request,
        {
            "GET": Route(_get, STATEMENTS_READ),
            "POST": Route(_post, STATEMENTS_WRITE),
            "PUT": Route(_put, STATEMENTS_WRITE),
        },
        errors={StatementError: 400, StatementConflictError: 409},
    )


def _body(request: HttpRequest) -> Any:
    if request.content_type != "application/json":
        raise StatementError("Send statements as application/json.")
    try:
        return json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StatementError("The body is not valid JSON.") from None


def _post(request: HttpRequest, client: LrsClient) -> HttpResponse:
    if request.GET:
        raise StatementError("POST to statements takes no query parameters.")
    body = _body(request)
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise StatementError("The batch is empty.")
    ids = statements_store(client=client, statements=batch, now=timezone.now())
    return JsonResponse(ids, safe=False)


def _put(request: HttpRequest, client: LrsClient) -> HttpResponse:
    statement_id = request.GET.get("statementId", "")
    if not statement_id or set(request.GET) != {"statementId"}:
        raise StatementError("PUT needs exactly the statementId parameter.")
    body = _body(request)
    if not isinstance(body, dict):
        raise StatementError("PUT takes one statement.")
    if "id" in body and str(body["id"]).lower() != statement_id.lower():
        raise StatementError("The statement's id differs from statementId.")
    statements_store(client=client, statements=[{**body, "id": statement_id}], now=timezone.now())
    return HttpResponse(status=204)


def _consistent(response: HttpResponse) -> HttpResponse:
    # Every write commits before it answers, so reads are consistent up to now.
    response["X-Experience-API-Consistent-Through"] = timezone.now().isoformat()
    return response


def _get(request: HttpRequest, client: LrsClient) -> HttpResponse:
    params = {key: request.GET[key] for key in request.GET}
    single = {"statementId", "voidedStatementId"} & set(params)
    if single:
        if len(params) != 1:
            raise StatementError("statementId and voidedStatementId take no other parameters.")
        key = single.pop()
        row = statement_get(statement_id=params[key], voided=key == "voidedStatementId")
        if row is None:
            return _consistent(JsonResponse({"error": "No such statement."}, status=404))
        response = JsonResponse(statement_payload(row))
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return _consistent(response)
    cursor = params.pop("cursor", "")
    page = statements_query(params=params, cursor=cursor)
    more = ""
    if page.cursor:
        more = (
            reverse("interop:xapi-statements") + "?" + urlencode({**params, "cursor": page.cursor})
        )
    response = JsonResponse(
        {"statements": [statement_payload(row) for row in page.statements], "more": more}
    )
    if page.statements:
        latest = max(row.stored for row in page.statements)
        response["Last-Modified"] = http_date(latest.timestamp())
    return _consistent(response)
