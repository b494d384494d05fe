"""The process caches (tandem.caching): what a load overtaken by an invalidation keeps."""

from __future__ import annotations

from collections.abc import Callable

from tandem.caching import _REGISTRY, ProcessCache


def _cache(load: Callable[[], int]) -> ProcessCache[int]:
    """A cache left out of the registry (invalidate_all need not know it)."""
    cache = ProcessCache("test", load)
    _REGISTRY.remove(cache)  # type: ignore[arg-type]
    return cache


def test_a_value_is_loaded_once_and_kept() -> None:
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    cache = _cache(load)
    assert (cache.get(), cache.get()) == (1, 1)
    cache.invalidate()
    assert (cache.get(), cache.get()) == (2, 2)


def test_a_load_that_invalidates_the_cache_itself_is_loaded_again_and_kept() -> None:
    """Creating the default parameter set inside the load drops the cache (a model signal):
    the value read again right after is kept, so the next request finds it."""
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        if len(loads) == 1:
            cache.invalidate()
        return len(loads)

    cache = _cache(load)
    assert cache.get() == 2
    assert cache.get() == 2
    assert len(loads) == 2


def test_a_cache_invalidated_during_every_load_keeps_nothing_and_stops() -> None:
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        cache.invalidate()
        return len(loads)

    cache = _cache(load)
    assert cache.get() == 2
    assert len(loads) == 2
    assert cache.get() == 4  # nothing was kept: read again, twice
