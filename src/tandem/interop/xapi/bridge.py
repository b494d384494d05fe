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

import uuid
from typing import Any
from urllib.parse import unquote

from django.conf import settings

from tandem.competencies.models import Competency
from tandem.roster.constants import Role
from tandem.roster.models import User

COMPETENCY_URN = "urn:tandem:competency:"


def student_for_agent(agent: dict[str, Any]) -> User | None:
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    account = agent.get("account")
    if isinstance(account, dict):
        homepages = getattr(settings, "TANDEM_XAPI_ACCOUNT_HOMEPAGES", None)
        if homepages and account.get("homePage") not in homepages:
            return None
        name = str(account.get("name", ""))
        return students.filter(sourced_id=name).first() or students.filter(username=name).first()
    mbox = agent.get("mbox")
    if isinstance(mbox, str) and mbox.startswith("mailto:") and len(mbox) > len("mailto:"):
        return students.filter(email__iexact=mbox.removeprefix("mailto:")).first()
    return None


def competency_for_activity(activity_id: str) -> Competency | None:
    if not activity_id:
        return None
    if activity_id.startswith(COMPETENCY_URN):
        # Tandem writes codes percent-encoded where a code holds characters an IRI cannot.
        code = unquote(activity_id.removeprefix(COMPETENCY_URN))
        return Competency.objects.filter(human_coding_scheme=code).order_by("pk").first()
    by_uri = Competency.objects.filter(uri=activity_id).first()
    if by_uri is not None:
        return by_uri
    candidate = activity_id.removeprefix("urn:uuid:").rstrip("/").rsplit("/", 1)[-1]
    try:
        identifier = uuid.UUID(candidate)
    except ValueError:
        return None
    return Competency.objects.filter(identifier=identifier).first()
