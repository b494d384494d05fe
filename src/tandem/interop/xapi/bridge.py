"""From LRS statements to Tandem evidence: which actors are students, which activities standards.

Mapping, documented for schools configuring other software:

* Actor -> student: ``account.name`` equal to the student's OneRoster ``sourcedId`` or username
  (when ``settings.TANDEM_XAPI_ACCOUNT_HOMEPAGES`` is set, ``account.homePage`` must be one of
  them), or ``mbox`` equal to ``mailto:`` + the student's email.
* Activity -> competency: the activity id equals the competency's CASE ``uri``, or is its CASE
  ``identifier`` (bare, ``urn:uuid:<identifier>``, or the last path segment of a CFItem URL), or
  is ``urn:tandem:competency:<human coding scheme>`` (e.g. ``urn:tandem:competency:6.EE.A.2``).
* Only statements carrying ``result.success`` become evidence (an answer, weight 1).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.db.models import Q

from tandem.competencies.models import Competency
from tandem.roster.constants import Role
from tandem.roster.models import User

COMPETENCY_URN = "urn:tandem:competency:"
# Addresses per query when looking students up by mbox: SQLite nests OR terms, and caps depth.
EMAIL_CHUNK = 200


def _agent_lookup(agent: dict[str, Any]) -> tuple[str, str] | None:
    """("account", name) or ("mbox", address) to look a student up by, or None."""
    account = agent.get("account")
    if isinstance(account, dict):
        homepages = getattr(settings, "TANDEM_XAPI_ACCOUNT_HOMEPAGES", None)
        if homepages and account.get("homePage") not in homepages:
            return None
        return ("account", str(account.get("name", "")))
    mbox = agent.get("mbox")
    if isinstance(mbox, str) and mbox.startswith("mailto:") and len(mbox) > len("mailto:"):
        return ("mbox", mbox.removeprefix("mailto:"))
    return None


def students_for_agents(agents: Sequence[dict[str, Any]]) -> list[User | None]:
    """The student each agent names (None where none), in one query per EMAIL_CHUNK addresses.

    As one by one: an account name matches a sourcedId before a username; an mbox matches an
    email case-insensitively; of several matches the first in the users' default order wins.
    """
    lookups = [_agent_lookup(agent) for agent in agents]
    names = sorted({value for kind, value in filter(None, lookups) if kind == "account"})
    addresses = sorted({value for kind, value in filter(None, lookups) if kind == "mbox"})
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    found: list[User] = []
    if names:
        found += students.filter(Q(sourced_id__in=names) | Q(username__in=names))
    for start in range(0, len(addresses), EMAIL_CHUNK):
        matches = Q()
        for address in addresses[start : start + EMAIL_CHUNK]:
            matches |= Q(email__iexact=address)
        found += students.filter(matches)
    by_sourced_id: dict[str, User] = {}
    by_username: dict[str, User] = {}
    by_email: dict[str, User] = {}
    for user in found:
        by_sourced_id.setdefault(user.sourced_id, user)
        by_username.setdefault(user.username, user)
        by_email.setdefault(user.email.lower(), user)
    out: list[User | None] = []
    for lookup in lookups:
        if lookup is None:
            out.append(None)
        elif lookup[0] == "account":
            out.append(by_sourced_id.get(lookup[1]) or by_username.get(lookup[1]))
        else:
            out.append(by_email.get(lookup[1].lower()))
    return out


def student_for_agent(agent: dict[str, Any]) -> User | None:
    return students_for_agents([agent])[0]


def competencies_for_activities(activity_ids: Iterable[str]) -> dict[str, Competency | None]:
    """The competency each activity id names (None where none), in one query."""
    wanted = {activity_id for activity_id in activity_ids if activity_id}
    codes: dict[str, str] = {}
    identifiers: dict[str, uuid.UUID] = {}
    for activity_id in wanted:
        if activity_id.startswith(COMPETENCY_URN):
            # Tandem writes codes percent-encoded where a code holds characters an IRI cannot.
            codes[activity_id] = unquote(activity_id.removeprefix(COMPETENCY_URN))
            continue
        candidate = activity_id.removeprefix("urn:uuid:").rstrip("/").rsplit("/", 1)[-1]
        with contextlib.suppress(ValueError):
            identifiers[activity_id] = uuid.UUID(candidate)
    uris = [activity_id for activity_id in wanted if activity_id not in codes]
    found: list[Competency] = []
    if wanted:
        found = list(
            Competency.objects.filter(
                Q(human_coding_scheme__in=set(codes.values()))
                | Q(uri__in=uris)
                | Q(identifier__in=set(identifiers.values()))
            )
        )
    by_code: dict[str, Competency] = {}
    by_uri: dict[str, Competency] = {}
    by_identifier: dict[uuid.UUID, Competency] = {}
    for competency in found:  # in the default order, as .first() takes it
        code = competency.human_coding_scheme
        if code not in by_code or competency.pk < by_code[code].pk:
            by_code[code] = competency
        if competency.uri:
            by_uri.setdefault(competency.uri, competency)
        by_identifier.setdefault(competency.identifier, competency)
    out: dict[str, Competency | None] = {}
    for activity_id in wanted:
        if activity_id in codes:
            out[activity_id] = by_code.get(codes[activity_id])
        elif activity_id in by_uri:
            out[activity_id] = by_uri[activity_id]
        elif activity_id in identifiers:
            out[activity_id] = by_identifier.get(identifiers[activity_id])
        else:
            out[activity_id] = None
    return out


def competency_for_activity(activity_id: str) -> Competency | None:
    return competencies_for_activities([activity_id]).get(activity_id)
