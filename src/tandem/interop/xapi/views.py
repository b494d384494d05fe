"""Tandem as an xAPI 1.0.3 Learning Record Store: About and the Statements resource.

Plain Django views (not the ninja API): xAPI fixes its own URLs, headers and status codes.
Clients authenticate with HTTP Basic using credentials an administrator issued (LrsClient).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, urlencode
from django.views.decorators.csrf import csrf_exempt

from tandem.interop.models import LrsClient
from tandem.interop.xapi.selectors import (
    lrs_client_authenticate,
    statement_get,
    statement_payload,
    statements_query,
)
from tandem.interop.xapi.services import XAPI_VERSION, StatementConflictError, statements_store
from tandem.interop.xapi.validation import StatementError

VERSION_HEADER = "X-Experience-API-Version"
View = Callable[[HttpRequest], HttpResponse]


def _versioned(response: HttpResponse) -> HttpResponse:
    response[VERSION_HEADER] = XAPI_VERSION
    return response


def _error(status: int, message: str) -> HttpResponse:
    return _versioned(JsonResponse({"error": message}, status=status))


def _client(request: HttpRequest) -> LrsClient | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        key, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return lrs_client_authenticate(key=key, secret=secret)


def about(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return _error(405, "About only answers GET.")
    return _versioned(JsonResponse({"version": [XAPI_VERSION]}))


@csrf_exempt
def statements(request: HttpRequest) -> HttpResponse:
    version = request.headers.get(VERSION_HEADER, "")
    if not version.startswith("1.0"):
        return _error(400, f"Send {VERSION_HEADER}: {XAPI_VERSION}.")
    client = _client(request)
    if client is None:
        response = _error(401, "Authenticate with the key and secret your administrator issued.")
        response["WWW-Authenticate"] = 'Basic realm="Tandem xAPI"'
        return response
    handlers: dict[str, Callable[[HttpRequest, LrsClient], HttpResponse]] = {
        "GET": _get,
        "HEAD": _get,
        "POST": _post,
        "PUT": _put,
    }
    handler = handlers.get(request.method or "")
    if handler is None:
        return _error(405, "Statements answer GET, PUT and POST.")
    try:
        return _versioned(handler(request, client))
    except StatementError as error:
        return _error(400, str(error))
    except StatementConflictError as error:
        return _error(409, str(error))


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
