"""Process-memory caches for data that changes rarely and is read on every practice request:
the framework's practisable competencies, the prerequisite graph, the active parameter set.

Kolibri keeps its content tree in memory the same way. Each cache is filled on first use and
dropped explicitly by the services (and model signals) that change what it holds, in this
process; other server processes pick the change up when their copy expires (``ttl`` seconds),
so a change made in the admin reaches every worker within a minute. Tests drop every cache
between tests (see ``tests/conftest.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# Seconds after which another process's change is picked up.
DEFAULT_TTL = 60.0

_REGISTRY: list[ProcessCache[object]] = []


class ProcessCache(Generic[T]):
    """One value computed by ``load``, kept until it expires or is invalidated."""

    def __init__(self, name: str, load: Callable[[], T], *, ttl: float = DEFAULT_TTL) -> None:
        self.name = name
        self._load = load
        self._ttl = ttl
        self._lock = threading.Lock()
        self._value: T | None = None
        self._expires = 0.0
        self._generation = 0
        _REGISTRY.append(self)  # type: ignore[arg-type]

    def get(self) -> T:
        now = time.monotonic()
        value = self._value
        if value is not None and now < self._expires:
            return value
        # An invalidation while loading means the load may have read old data: load once more
        # (the load may itself have caused it, as creating the default parameter set does);
        # if that load is overtaken too, keep it for this caller only.
        for _ in range(2):
            with self._lock:
                generation = self._generation
            fresh = self._load()
            with self._lock:
                if generation == self._generation:
                    self._value = fresh
                    self._expires = time.monotonic() + self._ttl
                    return fresh
        return fresh

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
            self._expires = 0.0
            self._generation += 1


def invalidate_all() -> None:
    """Drop every process cache (after an import, in tests)."""
    for cache in _REGISTRY:
        cache.invalidate()
