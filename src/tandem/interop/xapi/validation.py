"""Structural validation of xAPI 1.0.3 statements: the essentials an LRS must reject."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.utils.dateparse import parse_datetime

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
# ISO 8601 durations as xAPI uses them (PnYnMnDTnHnMnS, seconds may have a fraction).
DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")


class StatementError(ValueError):
    """A statement breaks the xAPI specification; the message says where."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StatementError(f"{where} must be a JSON object.")
    return value


def _iri(value: Any, where: str) -> str:
    if not isinstance(value, str) or not IRI.match(value):
        raise StatementError(f"{where} must be an IRI.")
    return value


def _language_map(value: Any, where: str) -> None:
    for tag, text in _object(value, where).items():
        if not LANGUAGE_TAG.match(tag) or not isinstance(text, str):
            raise StatementError(f"{where} must map language tags to strings.")


def parse_timestamp(value: Any, where: str) -> dt.datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise StatementError(f"{where} must be an ISO 8601 timestamp.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else uuid.UUID("x")
    except ValueError:
        raise StatementError(f"{where} must be a UUID.") from None


def validate_agent(value: Any, where: str, *, group_allowed: bool = True) -> dict[str, Any]:
    agent = _object(value, where)
    unknown = set(agent) - AGENT_KEYS
    if unknown:
        raise StatementError(f"{where} has unknown properties: {', '.join(sorted(unknown))}.")
    kind = agent.get("objectType", "Agent")
    if kind not in ("Agent", "Group") or (kind == "Group" and not group_allowed):
        raise StatementError(f"{where}.objectType must be Agent.")
    ifis = [key for key in IFI_KEYS if key in agent]
    if kind == "Agent" and len(ifis) != 1:
        raise StatementError(f"{where} must have exactly one inverse functional identifier.")
    if len(ifis) > 1:
        raise StatementError(f"{where} must have at most one inverse functional identifier.")
    if kind == "Group" and not ifis and not isinstance(agent.get("member"), list):
        raise StatementError(f"{where} is an anonymous group without members.")
    if "mbox" in agent and not (
        isinstance(agent["mbox"], str) and agent["mbox"].startswith("mailto:")
    ):
        raise StatementError(f"{where}.mbox must be a mailto: IRI.")
    if "mbox_sha1sum" in agent and not (
        isinstance(agent["mbox_sha1sum"], str) and SHA1.match(agent["mbox_sha1sum"])
    ):
        raise StatementError(f"{where}.mbox_sha1sum must be a SHA-1 hex digest.")
    if "openid" in agent:
        _iri(agent["openid"], f"{where}.openid")
    if "account" in agent:
        account = _object(agent["account"], f"{where}.account")
        if set(account) != {"homePage", "name"} or not isinstance(account["name"], str):
            raise StatementError(f"{where}.account must have exactly homePage and name.")
        _iri(account["homePage"], f"{where}.account.homePage")
    if "name" in agent and not isinstance(agent["name"], str):
        raise StatementError(f"{where}.name must be a string.")
    for n, member in enumerate(agent.get("member", [])):
        validate_agent(member, f"{where}.member[{n}]", group_allowed=False)
    return agent


def agent_key(agent: dict[str, Any]) -> str:
    """The one string that identifies an agent in queries (its inverse functional identifier)."""
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in agent:
            return f"{key}:{agent[key]}"
    if "account" in agent:
        return f"account:{agent['account']['homePage']}|{agent['account']['name']}"
    return ""


def _validate_object(value: Any) -> None:
    obj = _object(value, "object")
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        if set(obj) - {"objectType", "id", "definition"}:
            raise StatementError("object has unknown properties for an Activity.")
        _iri(obj.get("id"), "object.id")
        definition = obj.get("definition")
        if definition is not None:
            definition = _object(definition, "object.definition")
            for key in ("name", "description"):
                if key in definition:
                    _language_map(definition[key], f"object.definition.{key}")
    elif kind == "StatementRef":
        if set(obj) != {"objectType", "id"}:
            raise StatementError("A StatementRef has exactly objectType and id.")
        _uuid(obj.get("id"), "object.id")
    elif kind in ("Agent", "Group"):
        validate_agent(obj, "object")
    elif kind == "SubStatement":
        for key in ("actor", "verb", "object"):
            if key not in obj:
                raise StatementError(f"object (a SubStatement) needs {key}.")
        validate_agent(obj["actor"], "object.actor")
        _validate_verb(obj["verb"])
        if _object(obj["object"], "object.object").get("objectType") == "SubStatement":
            raise StatementError("A SubStatement cannot contain a SubStatement.")
    else:
        raise StatementError("object.objectType is not one xAPI knows.")


def _validate_verb(value: Any) -> None:
    verb = _object(value, "verb")
    if set(verb) - {"id", "display"}:
        raise StatementError("verb has unknown properties.")
    _iri(verb.get("id"), "verb.id")
    if "display" in verb:
        _language_map(verb["display"], "verb.display")


def _validate_result(value: Any) -> None:
    result = _object(value, "result")
    if set(result) - {"score", "success", "completion", "response", "duration", "extensions"}:
        raise StatementError("result has unknown properties.")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise StatementError(f"result.{key} must be true or false.")
    if "response" in result and not isinstance(result["response"], str):
        raise StatementError("result.response must be a string.")
    if "duration" in result and not (
        isinstance(result["duration"], str) and DURATION.match(result["duration"])
    ):
        raise StatementError("result.duration must be an ISO 8601 duration.")
    if "score" in result:
        score = _object(result["score"], "result.score")
        if set(score) - {"scaled", "raw", "min", "max"}:
            raise StatementError("result.score has unknown properties.")
        for key, number in score.items():
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise StatementError(f"result.score.{key} must be a number.")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            raise StatementError("result.score.scaled must lie between -1 and 1.")
        if "min" in score and "max" in score and score["min"] > score["max"]:
            raise StatementError("result.score.min must not exceed max.")


def _validate_context(value: Any) -> None:
    context = _object(value, "context")
    known = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    if set(context) - known:
        raise StatementError("context has unknown properties.")
    if "registration" in context:
        _uuid(context["registration"], "context.registration")
    if "instructor" in context:
        validate_agent(context["instructor"], "context.instructor")
    if "extensions" in context:
        for key in _object(context["extensions"], "context.extensions"):
            _iri(key, "context.extensions key")


def validate_statement(value: Any) -> dict[str, Any]:
    """Check one statement; raises StatementError with the first problem found."""
    statement = _object(value, "A statement")
    unknown = set(statement) - STATEMENT_KEYS
    if unknown:
        raise StatementError(f"Unknown statement properties: {', '.join(sorted(unknown))}.")
    for key in ("actor", "verb", "object"):
        if key not in statement:
            raise StatementError(f"A statement needs {key}.")
    if "id" in statement:
        _uuid(statement["id"], "id")
    validate_agent(statement["actor"], "actor")
    _validate_verb(statement["verb"])
    _validate_object(statement["object"])
    if "result" in statement:
        _validate_result(statement["result"])
    if "context" in statement:
        _validate_context(statement["context"])
    if "timestamp" in statement:
        parse_timestamp(statement["timestamp"], "timestamp")
    if "version" in statement and not (
        isinstance(statement["version"], str) and statement["version"].startswith("1.0")
    ):
        raise StatementError("version must be 1.0.x.")
    if statement["verb"]["id"] == VOIDED_VERB and (
        statement["object"].get("objectType") != "StatementRef"
    ):
        raise StatementError("A voiding statement's object must be a StatementRef.")
    return statement
