"""Test state for credit: the goals tests' school (grade 6 standards only), a credit rule on its
Math 6 course, and a helper that masters a number of the course's standards."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.factories import master
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.credit.models import CreditRule
from tandem.credit.selectors import course_standards

__all__ = ["_fast_passwords", "grade_6_pack", "school"]

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


def master_standards(student, course, count: int, *, now: dt.datetime = NOW) -> list[str]:
    """Master the first ``count`` of the course's standards (a confirmed mastery each)."""
    codes = [c.code for c in course_standards(course)[:count]]
    for code in codes:
        master(student, code, now=now)
    return codes


@pytest.fixture
def course(school):
    return school.class_a.course


@pytest.fixture
def rule(course):
    return CreditRule.objects.create(course=course, share_required=0.5, requires_sign_off=True)
