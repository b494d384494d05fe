"""The error body every endpoint answers with, and the error statuses documented for each."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    error: str = Field(
        description="unauthenticated (401), forbidden (403), not_found (404), invalid_request "
        "or answer_format (422), bad_request (400)",
    )
    detail: Any = Field(description="A message, or for invalid_request the list of problems")


# 400: a value the service refuses; 401: no session and no valid token; 403: a token without
# the endpoint's scope (or a failed CSRF check); 404: missing or not yours (the two look the
# same); 422: a malformed request.
ERRORS: dict[int, type[ErrorOut]] = {status: ErrorOut for status in (400, 401, 403, 404, 422)}
