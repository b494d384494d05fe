"""Fixtures for the guardian pages: two families, each with one child."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from tandem.competencies.services import framework_load_coherence_map
from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.roster.services import guardian_link_create, user_create

PASSWORD = "correct-horse-battery"
_ids = itertools.count(1)


def make_user(role: Role, *, grade: str = "", first_name: str = "") -> User:
    n = next(_ids)
    return user_create(
        sourced_id=f"family-test-{role}-{n}",
        username=f"family-{role}-{n}",
        role=role,
        first_name=first_name or role.label,
        last_name=f"Number{n}",
        password=PASSWORD,
        grade=grade,
    )


@dataclass
class Families:
    guardian: User
    child: User
    other_guardian: User
    other_child: User


@pytest.fixture(name="make_user")
def _make_user_fixture():
    return make_user


@pytest.fixture
def families(db) -> Families:
    framework_load_coherence_map()
    guardian, other_guardian = make_user(Role.GUARDIAN), make_user(Role.GUARDIAN)
    child = make_user(Role.STUDENT, grade="05", first_name="Ana")
    other_child = make_user(Role.STUDENT, grade="05", first_name="Ben")
    guardian_link_create(guardian=guardian, student=child)
    guardian_link_create(guardian=other_guardian, student=other_child)
    return Families(guardian, child, other_guardian, other_child)
