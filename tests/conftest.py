"""Suite-wide test plumbing: skip-or-fail for missing services and data, and plain static files.

Outside CI a test whose service (PostgreSQL, Redis, Chromium) or data (``../shared``) is absent
is skipped with the reason; with ``CI`` set the same condition fails the test, so CI never
passes by skipping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require(condition: object, reason: str) -> None:
    """Skip the calling test unless ``condition`` holds; under CI, fail it instead."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(name="require", scope="session")
def _require_fixture() -> Callable[[object, str], None]:
    """``require`` as a fixture, for conftests and tests that should not import this module."""
    return require


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder (``<repo>/../shared`` or ``$TANDEM_SHARED_DIR``)."""
    path = Path(os.environ.get("TANDEM_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
    require(path.is_dir(), f"shared data folder {path} is missing (set TANDEM_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL that answers (``$TANDEM_TEST_POSTGRES_URL`` or the local ``test`` DB)."""
    url = os.environ.get(
        "TANDEM_TEST_POSTGRES_URL", f"postgres://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/test"
    )
    ok = False
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        ok = True
    except Exception:  # any failure means "not available"; the reason below says where
        ok = False
    require(ok, f"PostgreSQL does not answer at {url}")
    return url


@pytest.fixture(scope="session")
def postgres_available(postgres_url: str) -> bool:
    return True


@pytest.fixture(scope="session")
def redis_url() -> str:
    """``redis://127.0.0.1:6379/0`` when something listens there."""
    require(
        port_open(REDIS_HOST, REDIS_PORT), f"Redis does not answer at {REDIS_HOST}:{REDIS_PORT}"
    )
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@pytest.fixture(scope="session", autouse=True)
def _plain_static_files() -> Iterator[None]:
    """Serve static files from the finders, without the manifest ``collectstatic`` would build.

    Production uses WhiteNoise's manifest storage, whose ``{% static %}`` fails without a prior
    ``collectstatic``; tests render templates without running it.
    """
    from django.conf import settings

    if not settings.configured:  # e.g. the pure engine suite run with ``-p no:django``
        yield
        return
    from django.test import override_settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Heavy tasks run in the calling process: a forked child could not reach the test
    # database (SQLite's lives in this process's memory) nor its open transaction.
    with override_settings(
        STORAGES=storages, WHITENOISE_USE_FINDERS=True, TANDEM_HEAVY_TASKS_IN_CHILD=False
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Each test starts with empty process caches: rows a rolled-back test cached (the active
    parameter set, the framework) must not leak into the next one."""
    try:
        from tandem.caching import invalidate_all
    except ImportError:  # the engine-only suite may run without the web layer importable
        yield
        return
    invalidate_all()
    yield
    invalidate_all()


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """A page asked for in Spanish activates Spanish for the thread (LocaleMiddleware leaves it
    active after the response): the next test, often one without a request, must not inherit it."""
    yield
    try:
        from django.conf import settings
        from django.utils import translation
    except ImportError:  # the engine-only suite may run without Django
        return
    if settings.configured:
        translation.deactivate()
