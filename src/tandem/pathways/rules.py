"""The pathway rules as pure functions over ids: which competencies a plan needs, a valid order
for its steps, and which moves would skip a prerequisite. No database, so they are easy to test.

A step's key is any hashable value (the services use competency ids for competency steps and
``("project", step_id)`` for projects). ``prerequisites`` maps a key to the keys it builds on
directly; ``mastered`` holds the keys already mastered, which never block anything.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)

_LAST = float("inf")


def needed_competencies(
    *,
    targets: Iterable[int],
    prerequisites: Mapping[int, Iterable[int]],
    mastered: Iterable[int],
    planned: Iterable[int] = (),
) -> set[int]:
    """The targets and, transitively, every prerequisite the student still has to master.

    The search stops at a mastered competency: what it builds on was evidently learnt. It does
    keep walking through competencies already on the plan (``planned``), so that a step stays,
    shown as done, once its student masters it.
    """
    done, on_plan = set(mastered), set(planned)
    needed: set[int] = set()
    stack = list(targets)
    while stack:
        competency = stack.pop()
        if competency in needed:
            continue
        needed.add(competency)
        for prerequisite in prerequisites.get(competency, ()):
            if prerequisite in needed:
                continue
            still_to_learn = competency not in done and prerequisite not in done
            if still_to_learn or prerequisite in on_plan:
                stack.append(prerequisite)
    return needed


def _dependents(keys: Sequence[K], prerequisites: Mapping[K, Iterable[K]]) -> dict[K, set[K]]:
    """Every key that builds on each key, directly or not (restricted to ``keys``)."""
    present = set(keys)
    direct: dict[K, set[K]] = {key: set() for key in keys}
    for key in keys:
        for prerequisite in prerequisites.get(key, ()):
            if prerequisite in present:
                direct[prerequisite].add(key)
    result: dict[K, set[K]] = {}
    for key in keys:
        seen: set[K] = set()
        stack = list(direct[key])
        while stack:
            dependent = stack.pop()
            if dependent not in seen:
                seen.add(dependent)
                stack.extend(direct[dependent])
        result[key] = seen
    return result


def plan_order(
    *,
    keys: Sequence[K],
    prerequisites: Mapping[K, Iterable[K]],
    current: Mapping[K, int],
    tie: Mapping[K, Any],
) -> list[K]:
    """Order ``keys`` so that prerequisites come first, keeping the current order where it holds.

    ``current`` gives the position of keys already on the plan; a key new to the plan goes just
    before the first planned step that builds on it, or else at the end. Remaining ties are
    broken by ``tie`` (the services pass (grade, list order)). A cycle, which a well-formed
    framework never has, is broken rather than looped on.
    """
    present = set(keys)
    needs = {key: {p for p in prerequisites.get(key, ()) if p in present} for key in keys}
    dependents = _dependents(keys, prerequisites)

    def sort_key(key: K) -> tuple[float, int, Any]:
        if key in current:
            return (current[key], 1, tie[key])
        anchors = [current[d] for d in dependents[key] if d in current]
        return (min(anchors, default=_LAST), 0, tie[key])

    order: list[K] = []
    placed: set[K] = set()
    remaining = sorted(keys, key=sort_key)
    while remaining:
        # The first key, in preference order, whose prerequisites are all placed.
        pick = next((key for key in remaining if needs[key] <= placed), remaining[0])
        remaining.remove(pick)
        order.append(pick)
        placed.add(pick)
    return order


def order_violations(
    order: Sequence[K], *, prerequisites: Mapping[K, Iterable[K]], mastered: Iterable[K]
) -> list[tuple[K, K]]:
    """``(step, prerequisite)`` for each step placed before an unmastered prerequisite of it."""
    done = set(mastered)
    position = {key: i for i, key in enumerate(order)}
    return [
        (key, prerequisite)
        for i, key in enumerate(order)
        for prerequisite in prerequisites.get(key, ())
        if prerequisite in position and prerequisite not in done and position[prerequisite] > i
    ]


def moved(order: Sequence[K], key: K, position: int) -> list[K]:
    """``order`` with ``key`` taken out and put back at index ``position`` (clamped)."""
    rest = [k for k in order if k != key]
    position = max(0, min(position, len(rest)))
    return [*rest[:position], key, *rest[position:]]


def new_violations(
    before: Sequence[K],
    after: Sequence[K],
    *,
    prerequisites: Mapping[K, Iterable[K]],
    mastered: Iterable[K],
) -> list[tuple[K, K]]:
    """The violations ``after`` has that ``before`` did not: what a move would break."""
    done = set(mastered)
    old = set(order_violations(before, prerequisites=prerequisites, mastered=done))
    return [
        pair
        for pair in order_violations(after, prerequisites=prerequisites, mastered=done)
        if pair not in old
    ]


def swap_allowed(
    first: K, second: K, *, prerequisites: Mapping[K, Iterable[K]], mastered: Iterable[K]
) -> bool:
    """Whether two neighbours may trade places: not when the first is an unmastered
    prerequisite of the second."""
    return first in set(mastered) or first not in set(prerequisites.get(second, ()))
