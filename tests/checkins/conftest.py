"""Test state for check-ins: the goals tests' school (grade 6 standards only) and moments."""

from __future__ import annotations

from tests.goals.conftest import _fast_passwords, grade_6_pack, school

__all__ = ["_fast_passwords", "grade_6_pack", "school"]
