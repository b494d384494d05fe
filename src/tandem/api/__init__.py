"""The JSON API (OpenAPI at /api/docs): the same services and access chokepoints as the pages."""

from tandem.api.main import api

__all__ = ["api"]
