"""Sign-ins under their own limit, so that password hashing never starves practice.

Checking a password is slow on purpose (PBKDF2, about half a second of CPU). When a whole
period signs in at once, unlimited checks would take every core and every server thread, and
the students already practicing would wait. So each server process lets at most
``PER_PROCESS`` sign-ins in at a time (the others get a "try again in a few seconds" page at
once, holding no thread), and the machine checks at most one password at a time (a lock file
in the data directory, shared by every server process), leaving the other cores to practice.
The hashing cost itself is unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tandem.rows import ModelReader

# Sign-in requests of one server process inside the limit at once (one checks, one waits).
PER_PROCESS = 2
_slots = threading.BoundedSemaphore(PER_PROCESS)


class SignInBusyError(RuntimeError):
    """Too many sign-ins at once: the page asks the person to try again shortly."""


def _lock_path() -> Path:
    return Path(settings.TANDEM_DATA_DIR) / "password-checks.lock"


@contextlib.contextmanager
def sign_in_slot() -> Iterator[None]:
    """Hold one of this process's sign-in slots, or raise ``SignInBusyError`` at once."""
    if not _slots.acquire(timeout=0.05):
        raise SignInBusyError
    try:
        yield
    finally:
        _slots.release()


@contextlib.contextmanager
def password_check_turn() -> Iterator[None]:
    """Hold the machine-wide turn to check a password (an advisory lock on a file)."""
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@cache
def _users() -> ModelReader[Any]:
    return ModelReader(get_user_model())


class TurnTakingModelBackend(ModelBackend):
    """Django's username-and-password check, one password at a time per machine."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        with password_check_turn():
            return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of every request, read without the ORM's query building."""
        users = _users()
        user = users.first("t0.id = %s", [users.param("id", user_id)])
        return user if user is not None and self.user_can_authenticate(user) else None
