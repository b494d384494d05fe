"""CASE version detection and validation against the official 1EdTech CASE 1.1 JSON Schema."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

SCHEMA_FILE = "case_v1p1_cfpackage-jsonschema1.json"
# The official schema is not shipped (1EdTech spec artefact); it is read from the shared data
# folder unless TANDEM_CASE_SCHEMA names the file.
_REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_SCHEMA = (
    _REPO_ROOT.parent / "shared" / "data" / "interop" / "case" / "schemas-1edtech-case-v1p1"
) / SCHEMA_FILE


class CaseSchemaMissingError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Violation:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_path(explicit: Path | str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if env := os.environ.get("TANDEM_CASE_SCHEMA"):
        return Path(env)
    shared = os.environ.get("TANDEM_SHARED_DIR")
    if shared:
        return (
            Path(shared) / "data" / "interop" / "case" / "schemas-1edtech-case-v1p1" / SCHEMA_FILE
        )
    return DEFAULT_SCHEMA


@cache
def _validator(path: Path) -> Draft201909Validator:
    if not path.is_file():
        raise CaseSchemaMissingError(
            f"The CASE 1.1 schema was not found at {path}; set TANDEM_CASE_SCHEMA or pass --schema."
        )
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=FormatChecker())


def case_version(package: dict[str, Any]) -> str:
    """``"1.1"`` or ``"1.0"``: caseVersion decides; otherwise 1.0-only fields (CFPackageURI,
    /v1p0/ URIs) mean 1.0 and 1.1-only fields (frameworkType) mean 1.1; unknown reads as 1.0,
    which is imported leniently."""
    document = package.get("CFDocument") or {}
    if not isinstance(document, dict):
        return "1.0"
    if document.get("caseVersion") == "1.1":
        return "1.1"
    if "CFPackageURI" in document or "/v1p0/" in str(document.get("uri", "")):
        return "1.0"
    if "frameworkType" in document or "caseVersion" in document:
        return "1.1"
    return "1.0"


def case_validate(package: object, *, schema: Path | str | None = None) -> list[Violation]:
    """Violations of the CASE 1.1 CFPackage schema, in document order (empty when valid)."""
    validator = _validator(schema_path(schema))
    errors = sorted(validator.iter_errors(package), key=lambda e: [str(p) for p in e.path])
    return [
        Violation(
            path="/" + "/".join(str(part) for part in error.absolute_path), message=error.message
        )
        for error in errors
    ]
