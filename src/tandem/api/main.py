"""The NinjaAPI instance, its authentication and its error contract (4xx JSON, never a 500)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tandem.api.auth import SESSION_ONLY
from tandem.api.practice import router as practice_router
from tandem.api.students import router as students_router
from tandem.content.answers import AnswerFormatError

api = NinjaAPI(
    title="Tandem API",
    version="1",
    description="Personalized-learning platform: practice, evidence and mastery.",
    # Practice is for a signed-in student's browser only; the student-record endpoints take
    # an API token too (each names its scope, in api/students.py).
    auth=SESSION_ONLY,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, detail: Any) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail}, status=status)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_request", exc.errors)


@api.exception_handler(AnswerFormatError)
def _answer_format(request: HttpRequest, exc: AnswerFormatError) -> HttpResponse:
    return _error(request, 422, "answer_format", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in first, or send a valid API token.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed", 429: "throttled"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(ValueError)
def _bad_value(request: HttpRequest, exc: ValueError) -> HttpResponse:
    return _error(request, 400, "bad_request", str(exc))


api.add_router("/practice", practice_router, tags=["practice"])
api.add_router("/students", students_router, tags=["students"])
