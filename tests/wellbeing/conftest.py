"""Test state for wellbeing: the goals tests' small school (grade 6 standards only), a counselor
of that school, one of another school, and a way to answer in a given week."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.factories import make_school, make_user
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.services import selfcheck_submit

__all__ = ["_fast_passwords", "grade_6_pack", "school"]


@pytest.fixture
def counselor(school):  # type: ignore[no-untyped-def]
    user = make_user(Role.COUNSELOR)
    user.orgs.add(school.org)
    return user


@pytest.fixture
def other_counselor(school):  # type: ignore[no-untyped-def]
    elsewhere = make_school()
    user = make_user(Role.COUNSELOR)
    user.orgs.add(elsewhere.org)
    return user


def answer(
    student: User, weeks_ago: int, feeling: int, someone: str = "yes", *, now: dt.datetime
) -> SelfCheck:
    check, _ = selfcheck_submit(
        student=student,
        feeling=feeling,
        has_someone=someone,
        note="",
        now=now - dt.timedelta(weeks=weeks_ago),
    )
    return check
