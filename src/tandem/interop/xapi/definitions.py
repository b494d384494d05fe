"""What the LRS knows about activities and agents: the Activities and Agents resources' objects.

An activity's canonical definition merges, oldest first, the definitions sent in statements by
clients trusted to define activities (scope ``define`` or ``all``), over what Tandem knows when
the activity is one of its competencies. An agent's Person object gathers the names the reading
client may see in statements about that agent; it never adds what Tandem's roster knows.
"""

from __future__ import annotations

from typing import Any

from tandem.interop.models import LrsClient, LrsStatement
from tandem.interop.xapi.bridge import competency_for_activity
from tandem.interop.xapi.constants import Scope
from tandem.interop.xapi.validation import IFI_KEYS, agent_key

OBJECTIVE_TYPE = "http://adlnet.gov/expapi/activities/objective"
LANGUAGE = "en-US"
# Definition properties that are language maps: a later definition adds languages to them.
LANGUAGE_MAPS = ("name", "description")


def _trusted_client_ids() -> list[int]:
    trusted = {Scope.DEFINE, Scope.ALL}
    return [
        pk
        for pk, scopes in LrsClient.objects.values_list("pk", "scopes")
        if trusted & set(scopes or [])
    ]


def _merge(definition: dict[str, Any], update: dict[str, Any]) -> None:
    for name, value in update.items():
        current = definition.get(name)
        if name in LANGUAGE_MAPS and isinstance(current, dict) and isinstance(value, dict):
            definition[name] = {**current, **value}
        else:
            definition[name] = value


def activity_canonical(*, activity_id: str) -> dict[str, Any] | None:
    """The Activity object for the id, or None when the LRS has never heard of it."""
    competency = competency_for_activity(activity_id)
    statements = LrsStatement.objects.filter(activity_id=activity_id, voided=False)
    if competency is None and not statements.exists():
        return None
    definition: dict[str, Any] = {}
    if competency is not None:
        definition = {
            "name": {LANGUAGE: competency.abbreviated_statement or competency.human_coding_scheme},
            "description": {LANGUAGE: competency.full_statement},
            "type": OBJECTIVE_TYPE,
        }
    sent = (
        statements.filter(client_id__in=_trusted_client_ids())
        .order_by("stored", "pk")
        .values_list("data__object__definition", flat=True)
    )
    for update in sent:
        if isinstance(update, dict):
            _merge(definition, update)
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def agent_person(*, agent: dict[str, Any], reader: LrsClient) -> dict[str, Any]:
    """The Person object of a (validated) agent, as far as ``reader`` may read statements.

    A client holding statements/read (or all/read, all) sees the names in every statement
    about the agent; one holding statements/read/mine only those in its own statements; any
    other client gets the agent it asked about and nothing more.
    """
    held = set(reader.scopes or [])
    rows = LrsStatement.objects.filter(actor_key=agent_key(agent), voided=False)
    if not held & {Scope.STATEMENTS_READ, Scope.ALL_READ, Scope.ALL}:
        rows = rows.filter(client=reader) if Scope.STATEMENTS_READ_MINE in held else rows.none()
    names = {name for name in rows.values_list("data__actor__name", flat=True) if name}
    if isinstance(agent.get("name"), str) and agent["name"]:
        names.add(agent["name"])
    person: dict[str, Any] = {"objectType": "Person"}
    if names:
        person["name"] = sorted(str(name) for name in names)
    for ifi in IFI_KEYS:
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return person
