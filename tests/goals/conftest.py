"""Test state for goals: the shared small school, and fixed moments in a known week.

The school's framework is grade 6 of the Common Core pack only: loading all of it for every test
would take most of the suite's time, and these tests need only a few grade 6 standards.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.factories import School, make_school

from tandem.competencies.services import COHERENCE_MAP, framework_load_coherence_map

UTC = dt.UTC
# Monday 10 March 2025 and the days around it; tests run with TIME_ZONE = "UTC".
MONDAY = dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
FRIDAY = MONDAY + dt.timedelta(days=4)
SUNDAY_LATE = MONDAY + dt.timedelta(days=6, hours=14)
NEXT_TUESDAY = MONDAY + dt.timedelta(days=8)
WEEK = MONDAY.date()


@pytest.fixture(scope="session")
def grade_6_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Coherence Map pack cut down to grade 6 and the links among its standards."""
    data = json.loads(COHERENCE_MAP.read_text(encoding="utf-8"))
    standards = [s for s in data["standards"] if s["grade"] == "6"]
    codes = {s["code"] for s in standards}
    data["standards"] = standards
    data["prerequisites"] = [
        e for e in data["prerequisites"] if e["from"] in codes and e["to"] in codes
    ]
    data["related"] = [p for p in data["related"] if p["a"] in codes and p["b"] in codes]
    path = tmp_path_factory.mktemp("packs") / "coherence-map-grade-6.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing each test user's password properly would take most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(db, grade_6_pack) -> School:
    # Loaded first, the small pack takes the framework's place; make_school's load is then a
    # no-op (the loader is idempotent).
    framework_load_coherence_map(grade_6_pack)
    return make_school()
