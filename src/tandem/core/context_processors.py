"""Values every page of the shell needs: the product's name and version."""

from __future__ import annotations

from importlib import metadata

from django.http import HttpRequest


def _version() -> str:
    try:
        return metadata.version("tandem")
    except metadata.PackageNotFoundError:  # running from a source tree that was not installed
        return "dev"


_VERSION = _version()


def shell(request: HttpRequest) -> dict[str, object]:
    return {
        "tandem_product": "Tandem",
        "tandem_version": _VERSION,
    }
