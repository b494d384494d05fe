"""The persistent map behaves like a dict and never changes an older version."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tandem_engine._pmap import PMap


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=200_000), st.integers()), max_size=60))
def test_pmap_matches_a_dict_and_keeps_old_versions(ops: list[tuple[int, int]]) -> None:
    versions: list[tuple[PMap[int], dict[int, int]]] = [(PMap(), {})]
    for key, value in ops:
        m, d = versions[-1]
        versions.append((m.set(key, value), {**d, key: value}))
    for m, d in versions:
        assert len(m) == len(d)
        assert dict(m.items()) == d
        for key, value in d.items():
            assert m.get(key) == value and key in m
        assert m.get(300_000) is None
