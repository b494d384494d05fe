"""Fixtures for the pathway tests: the shared small school, fast passwords, a clean cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from tests.factories import make_school


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing each test user's password properly would take most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_estimates():
    """Time estimates are cached installation-wide; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    """Teacher A teaches class A (grade-6 student A, guardian A); teacher B teaches class B."""
    return make_school()
