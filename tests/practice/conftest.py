"""Fixtures for the student pages: a framework, two students and a signed-in client."""

from __future__ import annotations

import itertools

import pytest

from tandem.competencies.services import framework_load_coherence_map
from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.roster.services import user_create

PASSWORD = "correct-horse-battery"
_ids = itertools.count(1)


def make_user(role: Role, *, grade: str = "") -> User:
    n = next(_ids)
    return user_create(
        sourced_id=f"practice-test-{role}-{n}",
        username=f"practice-{role}-{n}",
        role=role,
        first_name=role.label,
        last_name=f"Number{n}",
        password=PASSWORD,
        grade=grade,
    )


@pytest.fixture(name="make_user")
def _make_user_fixture():
    """``make_user(role, grade=...)``: a user made through the roster service."""
    return make_user


@pytest.fixture
def framework(db):
    framework_load_coherence_map()


@pytest.fixture
def student(framework) -> User:
    return make_user(Role.STUDENT, grade="07")


@pytest.fixture
def other_student(framework) -> User:
    return make_user(Role.STUDENT, grade="07")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client
