"""Structural validation of xAPI 1.0.3 statements, as the ADL LRS conformance suite checks it.

Every property is checked for its type and form, unknown properties are refused (xAPI fixes the
names and their case), and the cross-property rules hold: a SubStatement carries no id, stored,
version or authority and contains no SubStatement; ``context.revision`` and ``context.platform``
go only with an Activity object; interaction components fit the interaction type; a voiding
statement's object is a StatementRef. The first problem found is raised as StatementError.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.utils.dateparse import parse_datetime

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_TYPE = "application/octet-stream"

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
SUBSTATEMENT_KEYS = {
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
ACTIVITY_DEFINITION_KEYS = {
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
}
# Which component lists each interaction type may carry (xAPI 1.0.3, data 2.4.4.1).
INTERACTION_COMPONENTS: dict[str, set[str]] = {
    "true-false": set(),
    "choice": {"choices"},
    "fill-in": set(),
    "long-fill-in": set(),
    "matching": {"source", "target"},
    "performance": {"steps"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "numeric": set(),
    "other": set(),
}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
ATTACHMENT_KEYS = {
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
}
# ISO 8601 durations as xAPI uses them (PnYnMnDTnHnMnS, seconds may have a fraction).
# ISO 8601 forbids weeks beside any other unit (PnW stands alone), so P4W1D is refused.
DURATION = re.compile(
    r"^P(?!$)((\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?|\d+(\.\d+)?W)$"
)
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2 = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
VERSION = re.compile(r"^1\.0(\.\d+)?$")
VERSION_2 = re.compile(r"^(1|2)\.0(\.\d+)?$")
MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;.*)?$")
# ISO 8601 date-time, extended or basic, with an optional offset; xAPI forbids the "unknown
# local offset" -00:00 (and -0000, -00).
TIMESTAMP = re.compile(
    r"^\d{4}(-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?"
    r"|\d{4}T\d{2}(\d{2}(\d{2}([.,]\d+)?)?)?)(Z|[+-]\d{2}(:?\d{2})?)?$"
)


def duration_compared(duration: str) -> str:
    """The duration as statements are compared: seconds cut (not rounded) to hundredths
    (xAPI 2.0, data types: precision beyond 0.01 s is not part of a comparison)."""

    def cut(match: re.Match[str]) -> str:
        whole, fraction = match.group(1), (match.group(2) or "")[:2].rstrip("0")
        return f"{whole}.{fraction}S" if fraction else f"{whole}S"

    return re.sub(r"(\d+)(?:\.(\d+))?S$", cut, duration)


class StatementError(ValueError):
    """A statement breaks the xAPI specification; the message says where."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StatementError(f"{where} must be a JSON object.")
    return value


def _keys(value: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise StatementError(f"{where} has unknown properties: {', '.join(sorted(unknown))}.")
    nulls = [key for key, item in value.items() if item is None]
    if nulls:
        raise StatementError(f"{where}.{nulls[0]} must not be null.")


def _iri(value: Any, where: str) -> str:
    if not isinstance(value, str) or not IRI.match(value):
        raise StatementError(f"{where} must be an IRI.")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise StatementError(f"{where} must be a string.")
    return value


def _language_map(value: Any, where: str) -> None:
    for tag, text in _object(value, where).items():
        if not LANGUAGE_TAG.match(tag) or not isinstance(text, str):
            raise StatementError(f"{where} must map language tags to strings.")


def _extensions(value: Any, where: str) -> None:
    for key in _object(value, where):
        _iri(key, f"{where} key")


def parse_timestamp(value: Any, where: str) -> dt.datetime:
    text = value if isinstance(value, str) else ""
    if text and not TIMESTAMP.match(text):
        raise StatementError(f"{where} must be an ISO 8601 timestamp.")
    if re.search(r"-00(:?00)?$", text):
        raise StatementError(f"{where} must not use the offset -00:00.")
    parsed = parse_datetime(text) if text else None
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
    _keys(agent, AGENT_KEYS, where)
    kind = agent.get("objectType", "Agent")
    if kind not in ("Agent", "Group") or (kind == "Group" and not group_allowed):
        raise StatementError(f"{where}.objectType must be Agent.")
    ifis = [key for key in IFI_KEYS if key in agent]
    if kind == "Agent" and len(ifis) != 1:
        raise StatementError(f"{where} must have exactly one inverse functional identifier.")
    if kind == "Agent" and "member" in agent:
        raise StatementError(f"{where} is an Agent; only a Group has members.")
    if len(ifis) > 1:
        raise StatementError(f"{where} must have at most one inverse functional identifier.")
    if kind == "Group" and not ifis and not isinstance(agent.get("member"), list):
        raise StatementError(f"{where} is an anonymous group without members.")
    if "mbox" in agent and not (
        isinstance(agent["mbox"], str)
        and agent["mbox"].startswith("mailto:")
        and "@" in agent["mbox"]
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
    if "name" in agent:
        _string(agent["name"], f"{where}.name")
    if "member" in agent and not isinstance(agent["member"], list):
        raise StatementError(f"{where}.member must be a list of Agents.")
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


def _interaction_components(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise StatementError(f"{where} must be a list of interaction components.")
    seen: set[str] = set()
    for n, component in enumerate(value):
        component = _object(component, f"{where}[{n}]")
        _keys(component, {"id", "description"}, f"{where}[{n}]")
        component_id = _string(component.get("id"), f"{where}[{n}].id")
        if component_id in seen:
            raise StatementError(f"{where} repeats the id {component_id!r}.")
        seen.add(component_id)
        if "description" in component:
            _language_map(component["description"], f"{where}[{n}].description")


def _validate_definition(value: Any, where: str) -> None:
    definition = _object(value, where)
    _keys(definition, ACTIVITY_DEFINITION_KEYS, where)
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{where}.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            _iri(definition[key], f"{where}.{key}")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{where}.extensions")
    components = {"choices", "scale", "source", "target", "steps"} & set(definition)
    interaction = definition.get("interactionType")
    if interaction is None:
        if components or "correctResponsesPattern" in definition:
            raise StatementError(f"{where} has interaction properties but no interactionType.")
        return
    if not isinstance(interaction, str) or interaction not in INTERACTION_COMPONENTS:
        raise StatementError(f"{where}.interactionType is not one xAPI knows.")
    wrong = components - INTERACTION_COMPONENTS[interaction]
    if wrong:
        raise StatementError(f"{where}: {interaction} interactions take no {sorted(wrong)[0]}.")
    for key in components:
        _interaction_components(definition[key], f"{where}.{key}")
    pattern = definition.get("correctResponsesPattern")
    if pattern is not None and not (
        isinstance(pattern, list) and all(isinstance(p, str) for p in pattern)
    ):
        raise StatementError(f"{where}.correctResponsesPattern must be a list of strings.")


def _validate_activity(value: Any, where: str) -> None:
    activity = _object(value, where)
    _keys(activity, {"objectType", "id", "definition"}, where)
    if activity.get("objectType", "Activity") != "Activity":
        raise StatementError(f"{where}.objectType must be Activity.")
    _iri(activity.get("id"), f"{where}.id")
    if "definition" in activity:
        _validate_definition(activity["definition"], f"{where}.definition")


def _validate_object(value: Any, where: str, *, in_substatement: bool, v2: bool) -> str:
    obj = _object(value, where)
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        _validate_activity(obj, where)
    elif kind == "StatementRef":
        _keys(obj, {"objectType", "id"}, where)
        _uuid(obj.get("id"), f"{where}.id")
    elif kind in ("Agent", "Group"):
        validate_agent(obj, where)
    elif kind == "SubStatement":
        if in_substatement:
            raise StatementError("A SubStatement cannot contain a SubStatement.")
        _validate_body(obj, where, keys=SUBSTATEMENT_KEYS, in_substatement=True, v2=v2)
    else:
        raise StatementError(f"{where}.objectType is not one xAPI knows.")
    return str(kind)


def _validate_verb(value: Any, where: str) -> None:
    verb = _object(value, where)
    _keys(verb, {"id", "display"}, where)
    _iri(verb.get("id"), f"{where}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{where}.display")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatementError(f"{where} must be a number.")
    return float(value)


def _validate_result(value: Any, where: str) -> None:
    result = _object(value, where)
    _keys(result, {"score", "success", "completion", "response", "duration", "extensions"}, where)
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise StatementError(f"{where}.{key} must be true or false.")
    if "response" in result:
        _string(result["response"], f"{where}.response")
    if "duration" in result and not (
        isinstance(result["duration"], str) and DURATION.match(result["duration"])
    ):
        raise StatementError(f"{where}.duration must be an ISO 8601 duration.")
    if "extensions" in result:
        _extensions(result["extensions"], f"{where}.extensions")
    if "score" in result:
        score = _object(result["score"], f"{where}.score")
        _keys(score, {"scaled", "raw", "min", "max"}, f"{where}.score")
        numbers = {key: _number(n, f"{where}.score.{key}") for key, n in score.items()}
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            raise StatementError(f"{where}.score.scaled must lie between -1 and 1.")
        if "min" in numbers and "max" in numbers and numbers["min"] >= numbers["max"]:
            raise StatementError(f"{where}.score.min must be less than max.")
        if "raw" in numbers and (
            numbers["raw"] < numbers.get("min", numbers["raw"])
            or numbers["raw"] > numbers.get("max", numbers["raw"])
        ):
            raise StatementError(f"{where}.score.raw must lie between min and max.")


def _context_members(value: Any, where: str, *, kind: str, member: str, group: bool) -> None:
    """xAPI 2.0 contextAgents / contextGroups: a list of {objectType, agent|group,
    relevantTypes?}, relevantTypes a non-empty list of IRIs."""
    if not isinstance(value, list):
        raise StatementError(f"{where} must be a list.")
    for n, entry in enumerate(value):
        at = f"{where}[{n}]"
        item = _object(entry, at)
        _keys(item, {"objectType", member, "relevantTypes"}, at)
        if item.get("objectType") != kind:
            raise StatementError(f"{at}.objectType must be {kind}.")
        if member not in item:
            raise StatementError(f"{at} needs {member}.")
        agent = validate_agent(item[member], f"{at}.{member}", group_allowed=group)
        if group and agent.get("objectType") != "Group":
            raise StatementError(f"{at}.{member} must be a Group.")
        if "relevantTypes" in item:
            types = item["relevantTypes"]
            if not isinstance(types, list) or not types:
                raise StatementError(f"{at}.relevantTypes must be a non-empty list of IRIs.")
            for t, iri in enumerate(types):
                _iri(iri, f"{at}.relevantTypes[{t}]")


def _validate_context(value: Any, where: str, *, object_kind: str, v2: bool) -> None:
    context = _object(value, where)
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
        *(("contextAgents", "contextGroups") if v2 else ()),
    }
    _keys(context, known, where)
    if "contextAgents" in context:
        _context_members(
            context["contextAgents"],
            f"{where}.contextAgents",
            kind="contextAgent",
            member="agent",
            group=False,
        )
    if "contextGroups" in context:
        _context_members(
            context["contextGroups"],
            f"{where}.contextGroups",
            kind="contextGroup",
            member="group",
            group=True,
        )
    if "registration" in context:
        _uuid(context["registration"], f"{where}.registration")
    if "instructor" in context:
        validate_agent(context["instructor"], f"{where}.instructor")
    if "team" in context:
        team = validate_agent(context["team"], f"{where}.team")
        if team.get("objectType") != "Group":
            raise StatementError(f"{where}.team must be a Group.")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{where}.{key}")
            if object_kind != "Activity":
                raise StatementError(f"{where}.{key} is only for statements about an Activity.")
    if "language" in context and not (
        isinstance(context["language"], str) and LANGUAGE_TAG.match(context["language"])
    ):
        raise StatementError(f"{where}.language must be a language tag.")
    if "statement" in context:
        ref = _object(context["statement"], f"{where}.statement")
        if ref.get("objectType") != "StatementRef":
            raise StatementError(f"{where}.statement must be a StatementRef.")
        _keys(ref, {"objectType", "id"}, f"{where}.statement")
        _uuid(ref.get("id"), f"{where}.statement.id")
    if "contextActivities" in context:
        activities = _object(context["contextActivities"], f"{where}.contextActivities")
        _keys(activities, CONTEXT_ACTIVITY_KEYS, f"{where}.contextActivities")
        for key, entry in activities.items():
            entries = entry if isinstance(entry, list) else [entry]
            for n, activity in enumerate(entries):
                _validate_activity(activity, f"{where}.contextActivities.{key}[{n}]")
    if "extensions" in context:
        _extensions(context["extensions"], f"{where}.extensions")


def _validate_attachments(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise StatementError(f"{where} must be a list.")
    for n, entry in enumerate(value):
        at = f"{where}[{n}]"
        attachment = _object(entry, at)
        _keys(attachment, ATTACHMENT_KEYS, at)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                raise StatementError(f"{at} needs {key}.")
        _iri(attachment["usageType"], f"{at}.usageType")
        _language_map(attachment["display"], f"{at}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{at}.description")
        if not (
            isinstance(attachment["contentType"], str)
            and MEDIA_TYPE.match(attachment["contentType"])
        ):
            raise StatementError(f"{at}.contentType must be an Internet media type.")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise StatementError(f"{at}.length must be a whole number of octets.")
        if not (isinstance(attachment["sha2"], str) and SHA2.match(attachment["sha2"])):
            raise StatementError(f"{at}.sha2 must be a SHA-2 hex digest.")
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], f"{at}.fileUrl")
        if attachment["usageType"] == SIGNATURE_USAGE and (
            attachment["contentType"] != "application/octet-stream"
        ):
            raise StatementError(
                f"{at} is a signature; its contentType is application/octet-stream."
            )


def _validate_body(
    statement: dict[str, Any], where: str, *, keys: set[str], in_substatement: bool, v2: bool
) -> None:
    _keys(statement, keys, where)
    for key in ("actor", "verb", "object"):
        if key not in statement:
            raise StatementError(f"{where} needs {key}.")
    validate_agent(statement["actor"], f"{where}.actor")
    _validate_verb(statement["verb"], f"{where}.verb")
    kind = _validate_object(
        statement["object"], f"{where}.object", in_substatement=in_substatement, v2=v2
    )
    if "result" in statement:
        _validate_result(statement["result"], f"{where}.result")
    if "context" in statement:
        _validate_context(statement["context"], f"{where}.context", object_kind=kind, v2=v2)
    if "timestamp" in statement:
        parse_timestamp(statement["timestamp"], f"{where}.timestamp")
    if "attachments" in statement:
        _validate_attachments(statement["attachments"], f"{where}.attachments")


def validate_statement(value: Any, *, version: str = "1.0.3") -> dict[str, Any]:
    """Check one statement under the rules of xAPI ``version`` (1.0.3 or 2.0.0); raises
    StatementError with the first problem found."""
    statement = _object(value, "A statement")
    v2 = version.startswith("2")
    _validate_body(statement, "statement", keys=STATEMENT_KEYS, in_substatement=False, v2=v2)
    if "id" in statement:
        _uuid(statement["id"], "id")
    if "stored" in statement:
        parse_timestamp(statement["stored"], "stored")
    if "authority" in statement:
        authority = validate_agent(statement["authority"], "authority")
        # An OAuth authority is an anonymous two-member group (the application and the user).
        if authority.get("objectType") == "Group" and (
            any(key in authority for key in IFI_KEYS) or len(authority.get("member", [])) != 2
        ):
            raise StatementError("authority, when a Group, is anonymous with exactly two members.")
    if "version" in statement and not (
        isinstance(statement["version"], str)
        and (VERSION_2 if v2 else VERSION).match(statement["version"])
    ):
        raise StatementError("version must be 1.0.x or 2.0.x." if v2 else "version must be 1.0.x.")
    if statement["verb"]["id"] == VOIDED_VERB and (
        statement["object"].get("objectType") != "StatementRef"
    ):
        raise StatementError("A voiding statement's object must be a StatementRef.")
    return statement


def _context_lists(context: Any) -> Any:
    if not isinstance(context, dict) or not isinstance(context.get("contextActivities"), dict):
        return context
    activities = {
        key: entry if isinstance(entry, list) else [entry]
        for key, entry in context["contextActivities"].items()
    }
    return {**context, "contextActivities": activities}


def statement_normalized(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement as the LRS stores and returns it: every contextActivities value a list,
    in the statement and in its SubStatement (xAPI 1.0.3 data 2.4.6.2: a single Activity sent
    is returned as an array of one)."""
    out = dict(statement)
    if "context" in out:
        out["context"] = _context_lists(out["context"])
    obj = out.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement" and "context" in obj:
        out["object"] = {**obj, "context": _context_lists(obj["context"])}
    return out
