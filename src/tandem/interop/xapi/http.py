"""The request plumbing every xAPI resource shares: versions, auth, scopes, CORS, alternate syntax.

A resource view states its methods, the scopes that grant each, and which of its exceptions
mean which status code, then hands the request to ``dispatch``. ``dispatch`` answers CORS
preflights, unwraps the alternate request syntax (xAPI 1.0.3 communication 1.3), checks the
X-Experience-API-Version header, authenticates the client (HTTP Basic, credentials an
administrator issued) and its scopes (communication 4.1.9), then calls the handler.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters

from tandem.interop.models import LrsClient
from tandem.interop.xapi.constants import Scope
from tandem.interop.xapi.selectors import lrs_client_authenticate
from tandem.interop.xapi.services import XAPI_VERSION

VERSION_HEADER = "X-Experience-API-Version"
# 1.0, 1.0.0 ... 1.0.3 are served as 1.0.3; 2.0, 2.0.x as xAPI 2.0.0 (IEEE 9274.1.1).
VERSION_ACCEPTED = re.compile(r"^(1|2)\.0(\.\d+)?$")
XAPI_2 = "2.0.0"

Handler = Callable[[HttpRequest, LrsClient], HttpResponse]

# Who may do what (xAPI 1.0.3 communication 4.1.9). A route lists the scopes of which any one
# suffices; "all" grants everything, "all/read" every read.
STATEMENTS_WRITE = frozenset({Scope.STATEMENTS_WRITE, Scope.ALL})
STATEMENTS_READ = frozenset(
    {Scope.STATEMENTS_READ, Scope.STATEMENTS_READ_MINE, Scope.ALL_READ, Scope.ALL}
)
STATE_READ = frozenset({Scope.STATE, Scope.ALL_READ, Scope.ALL})
STATE_WRITE = frozenset({Scope.STATE, Scope.ALL})
PROFILE_READ = frozenset({Scope.PROFILE, Scope.ALL_READ, Scope.ALL})
PROFILE_WRITE = frozenset({Scope.PROFILE, Scope.ALL})
# Activities and Agents only read; what each answers depends on the client (see their views).
ANY_SCOPE = frozenset(Scope)

# Request headers a browser may send across origins, and response headers its script may read.
CORS_ALLOW_HEADERS = (
    "Authorization, Content-Type, If-Match, If-None-Match, X-Experience-API-Version"
)
CORS_EXPOSE_HEADERS = (
    "ETag, Last-Modified, Content-Type, X-Experience-API-Consistent-Through, "
    "X-Experience-API-Version"
)
# Form fields of the alternate request syntax that stand for request headers, by lower-case name.
ALTERNATE_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "",  # the content field's own length is what counts
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
ALTERNATE_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}


@dataclass(frozen=True)
class Route:
    """One method of a resource: its handler and the scopes of which any one grants it."""

    handler: Handler
    scopes: frozenset[str]


@dataclass(frozen=True)
class PublicRoute:
    """A method anyone may call, with neither version header nor credentials (About)."""

    handler: Callable[[HttpRequest], HttpResponse]


class XapiError(Exception):
    """A request the LRS refuses with the given status code and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def request_version(request: HttpRequest) -> str:
    """The xAPI version a request is served under: 2.0.0 for a 2.0.x client, 1.0.3 for a 1.0.x
    one; without a valid header, the version its client last used (1.0.3 for a stranger)."""
    sent = request.headers.get(VERSION_HEADER, "").strip()
    if not VERSION_ACCEPTED.match(sent):
        return str(getattr(request, "xapi_fallback_version", XAPI_VERSION))
    return XAPI_2 if sent.startswith("2") else XAPI_VERSION


def _remember_version(request: HttpRequest, client: LrsClient | None) -> None:
    """Note the client's version, or answer a request without one in the client's last one."""
    if client is None:
        return
    if not VERSION_ACCEPTED.match(request.headers.get(VERSION_HEADER, "").strip()):
        request.xapi_fallback_version = client.xapi_version  # type: ignore[attr-defined]
        return
    version = request_version(request)
    if client.xapi_version != version:  # a write only when a client changes version
        LrsClient.objects.filter(pk=client.pk).update(xapi_version=version)
        client.xapi_version = version


def _versioned(response: HttpResponse, version: str = XAPI_VERSION) -> HttpResponse:
    response[VERSION_HEADER] = version
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


def client_has_scope(client: LrsClient, scopes: Iterable[str]) -> bool:
    return bool(set(client.scopes or []) & set(scopes))


def reads_only_own_statements(client: LrsClient) -> bool:
    """True when the client may read statements only under statements/read/mine.

    Such a client sees only the statements it stored itself (their authority is the client);
    statement reads filter by ``client`` when this is true.
    """
    wider = {Scope.STATEMENTS_READ, Scope.ALL_READ, Scope.ALL}
    return client_has_scope(client, {Scope.STATEMENTS_READ_MINE}) and not client_has_scope(
        client, wider
    )


def _cors(response: HttpResponse, methods: Iterable[str]) -> HttpResponse:
    # Browsers send the Basic credentials themselves in the Authorization header; no cookie
    # is involved, so any origin may call the LRS.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ", ".join(methods)
    response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    response["Access-Control-Max-Age"] = "86400"
    return response


def _unwrap_alternate(request: HttpRequest) -> None:
    """Turn a request in the alternate syntax into the request it stands for, in place.

    POST ?method=PUT with a form body whose fields are headers (Authorization,
    X-Experience-API-Version, Content-Type, If-Match ...), the body (``content``) and the other
    parameters. Raises XapiError(400) when the syntax is broken.
    """
    if request.method != "POST":
        raise XapiError(400, "The alternate request syntax (?method=...) must be sent as POST.")
    if set(request.GET) != {"method"}:
        raise XapiError(
            400, "With the alternate request syntax, put every parameter but method in the form."
        )
    method = request.GET["method"].upper()
    if method not in ALTERNATE_METHODS:
        raise XapiError(400, f"method must be one of {', '.join(sorted(ALTERNATE_METHODS))}.")
    if request.content_type != "application/x-www-form-urlencoded":
        raise XapiError(
            400, "The alternate request syntax needs an application/x-www-form-urlencoded body."
        )
    try:
        form = QueryDict(request.body, encoding="utf-8")
    except UnicodeDecodeError:
        raise XapiError(400, "The form is not UTF-8.") from None
    params = QueryDict(mutable=True)
    content: str | None = None
    content_type = ""
    for name, values in form.lists():
        header = ALTERNATE_HEADERS.get(name.lower())
        if name == "content":
            content = values[-1]
        elif header is not None:
            if header == "CONTENT_TYPE":
                content_type = values[-1]
            elif header:
                request.META[header] = values[-1]
        else:
            params.setlist(name, values)
    if method in ("PUT", "POST") and content is None:
        raise XapiError(400, f"A {method} in the alternate syntax carries its body in content.")
    if content is not None and not content_type:
        content_type = "application/json"
    body = (content or "").encode()
    request.method = request.META["REQUEST_METHOD"] = method
    request.META["CONTENT_TYPE"] = content_type
    request.META["CONTENT_LENGTH"] = str(len(body))
    request.content_type, request.content_params = parse_header_parameters(content_type)
    request._body = body  # what request.body returns from now on
    request.GET = params  # type: ignore[assignment]  # the stubs want it immutable; it is ours
    request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
    request.__dict__.pop("headers", None)  # rebuilt from the new META on next access
    if request_version(request) == XAPI_2:
        raise XapiError(400, "xAPI 2.0 has no alternate request syntax; send the request itself.")


def dispatch(
    request: HttpRequest,
    routes: Mapping[str, Route | PublicRoute],
    *,
    errors: Mapping[type[Exception], int] | None = None,
) -> HttpResponse:
    """Answer one request to an xAPI resource whose methods are ``routes``.

    ``errors`` maps the handlers' exception types to status codes (their message is the error).
    """
    methods = sorted({*routes, "OPTIONS", *(["HEAD"] if "GET" in routes else [])})
    response = _answer(request, routes, methods, errors or {})
    # Read after _answer: the alternate syntax may carry the version header in its form.
    return _cors(_versioned(response, request_version(request)), methods)


def _answer(
    request: HttpRequest,
    routes: Mapping[str, Route | PublicRoute],
    methods: list[str],
    errors: Mapping[type[Exception], int],
) -> HttpResponse:
    if request.method == "OPTIONS":  # CORS preflight: browsers send it without credentials
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(methods)
        return response
    try:
        if "method" in request.GET:
            _unwrap_alternate(request)
        method = request.method or ""
        head = method == "HEAD" and "HEAD" not in routes
        route = routes.get("GET" if head else method)
        if route is None:
            response = _error(405, f"This resource answers {', '.join(methods)}.")
            response["Allow"] = ", ".join(methods)
            return response
        if isinstance(route, PublicRoute):
            response = route.handler(request)
        else:
            client = _client(request)
            _remember_version(request, client)
            if not VERSION_ACCEPTED.match(request.headers.get(VERSION_HEADER, "").strip()):
                raise XapiError(400, f"Send {VERSION_HEADER}: {XAPI_VERSION} or {XAPI_2}.")
            if client is None:
                response = _error(
                    401, "Authenticate with the key and secret your administrator issued."
                )
                response["WWW-Authenticate"] = 'Basic realm="Tandem xAPI"'
                return response
            if not client_has_scope(client, route.scopes):
                needed = " or ".join(sorted(route.scopes))
                raise XapiError(403, f"This client's scopes do not allow this; it needs {needed}.")
            response = route.handler(request, client)
    except XapiError as error:
        return _error(error.status, str(error))
    except RequestDataTooBig:
        return _error(413, "The request body is too large.")
    except Exception as error:
        status = next((code for kind, code in errors.items() if isinstance(error, kind)), None)
        if status is None:
            raise
        return _error(status, str(error))
    if head:
        response.content = b""
    return response
