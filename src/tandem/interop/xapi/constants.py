"""Constants of Tandem's xAPI Learning Record Store."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    """The authorization scopes of xAPI 1.0.3 (communication, section 4.1.9)."""

    STATEMENTS_WRITE = "statements/write", "Write statements"
    STATEMENTS_READ_MINE = "statements/read/mine", "Read the statements it wrote"
    STATEMENTS_READ = "statements/read", "Read all statements (includes Tandem's own evidence)"
    STATE = "state", "Read and write activity state"
    DEFINE = "define", "Define activities"
    PROFILE = "profile", "Read and write activity and agent profiles"
    ALL_READ = "all/read", "Read everything"
    ALL = "all", "Everything"


# What a newly issued client may do: report learning and keep its own state and profiles, but
# not read other software's statements or Tandem's evidence about students.
DEFAULT_SCOPES = [
    Scope.STATEMENTS_WRITE.value,
    Scope.STATEMENTS_READ_MINE.value,
    Scope.STATE.value,
    Scope.PROFILE.value,
]


def default_scopes() -> list[str]:
    return list(DEFAULT_SCOPES)


class LinkKind(models.TextChoices):
    """What an agent or activity is to a statement, as the query filters match it."""

    AGENT = "agent", "Actor or object"
    RELATED_AGENT = "related_agent", "Any agent (related_agents)"
    ACTIVITY = "activity", "Object"
    RELATED_ACTIVITY = "related_activity", "Any activity (related_activities)"
