"""What the Statements resource's query filters match in one statement, as (kind, value) pairs.

xAPI 1.0.3 (communication 2.1.3) filters by agent and activity, narrowly (the actor or object;
the object) or broadly with ``related_agents`` / ``related_activities`` (also authority,
instructor, team, context activities, and a SubStatement's parts). These are computed once, when
a statement is stored, into LrsStatementLink rows, so every filter is one indexed lookup on both
SQLite and PostgreSQL instead of a search inside JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tandem.interop.xapi.constants import LinkKind
from tandem.interop.xapi.validation import agent_key

AGENT = LinkKind.AGENT.value
RELATED_AGENT = LinkKind.RELATED_AGENT.value
ACTIVITY = LinkKind.ACTIVITY.value
RELATED_ACTIVITY = LinkKind.RELATED_ACTIVITY.value


def _agents(value: Any) -> Iterator[str]:
    """The keys of an Agent or Group and, for a Group, of its members."""
    if not isinstance(value, dict) or value.get("objectType", "Agent") not in ("Agent", "Group"):
        return
    key = agent_key(value)
    if key:
        yield key
    for member in value.get("member") or []:
        if isinstance(member, dict) and agent_key(member):
            yield agent_key(member)


def _is_agent(obj: dict[str, Any]) -> bool:
    return obj.get("objectType") in ("Agent", "Group")


def _context_parts(context: Any) -> tuple[list[str], list[str]]:
    """(agents, activity ids) of a context: instructor and team; every context activity."""
    if not isinstance(context, dict):
        return [], []
    agents = [*_agents(context.get("instructor")), *_agents(context.get("team"))]
    # xAPI 2.0: the agents and groups of contextAgents and contextGroups are related too.
    for entry in context.get("contextAgents") or []:
        agents += _agents(entry.get("agent")) if isinstance(entry, dict) else []
    for entry in context.get("contextGroups") or []:
        agents += _agents(entry.get("group")) if isinstance(entry, dict) else []
    activities: list[str] = []
    for entry in (context.get("contextActivities") or {}).values():
        for activity in entry if isinstance(entry, list) else [entry]:
            if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                activities.append(activity["id"])
    return agents, activities


def statement_links(statement: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, value) pairs a statement matches: agent keys and activity ids."""
    links: set[tuple[str, str]] = set()
    obj = statement.get("object") or {}
    kind = obj.get("objectType", "Activity")
    actor = list(_agents(statement.get("actor")))
    obj_agents = list(_agents(obj)) if _is_agent(obj) else []
    # The narrow agent filter: the actor or the object itself (a Group's own key, not members).
    for key in [agent_key(statement.get("actor") or {}), *([agent_key(obj)] if obj_agents else [])]:
        if key:
            links.add((AGENT, key))
    related_agents = [*actor, *obj_agents, *_agents(statement.get("authority"))]
    context_agents, context_activities = _context_parts(statement.get("context"))
    related_agents += context_agents
    related_activities = list(context_activities)
    if kind == "Activity" and isinstance(obj.get("id"), str):
        links.add((ACTIVITY, obj["id"]))
        related_activities.append(obj["id"])
    if kind == "SubStatement":
        inner = obj.get("object") or {}
        related_agents += list(_agents(obj.get("actor")))
        if _is_agent(inner):
            related_agents += list(_agents(inner))
        elif inner.get("objectType", "Activity") == "Activity" and isinstance(inner.get("id"), str):
            related_activities.append(inner["id"])
        inner_agents, inner_activities = _context_parts(obj.get("context"))
        related_agents += inner_agents
        related_activities += inner_activities
    links.update((RELATED_AGENT, key) for key in related_agents)
    links.update((RELATED_ACTIVITY, iri) for iri in related_activities)
    return links


def statement_ref_target(statement: dict[str, Any]) -> str | None:
    """The id of the statement this one targets with a StatementRef object, if any."""
    obj = statement.get("object") or {}
    if obj.get("objectType") == "StatementRef" and isinstance(obj.get("id"), str):
        return str(obj["id"]).lower()
    return None
