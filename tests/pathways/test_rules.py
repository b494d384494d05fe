"""The pathway rules on plain ids: what a plan needs, a valid order, and which moves skip."""

from __future__ import annotations

from tandem.pathways.rules import (
    moved,
    needed_competencies,
    new_violations,
    order_violations,
    plan_order,
    swap_allowed,
)

# 1 <- 2 <- 3 (3 builds on 2, which builds on 1); 4 builds on 1 too; 5 stands alone.
PREREQS = {2: {1}, 3: {2}, 4: {1}}


def test_needed_includes_unmastered_prerequisites_transitively():
    assert needed_competencies(targets=[3], prerequisites=PREREQS, mastered=[]) == {1, 2, 3}
    assert needed_competencies(targets=[3, 5], prerequisites=PREREQS, mastered=[]) == {1, 2, 3, 5}


def test_needed_stops_at_mastered_prerequisites():
    assert needed_competencies(targets=[3], prerequisites=PREREQS, mastered=[2]) == {3}
    # A mastered target is still on the plan (shown as done), without what it built on.
    assert needed_competencies(targets=[3], prerequisites=PREREQS, mastered=[3]) == {3}


def test_needed_keeps_steps_already_on_the_plan_once_mastered():
    needed = needed_competencies(
        targets=[3], prerequisites=PREREQS, mastered=[1, 2], planned=[1, 2]
    )
    assert needed == {1, 2, 3}


def test_plan_order_puts_prerequisites_first_and_breaks_ties_by_the_tie_key():
    keys = [5, 4, 3, 2, 1]
    tie = {k: (k,) for k in keys}
    order = plan_order(keys=keys, prerequisites=PREREQS, current={}, tie=tie)
    assert order == [1, 2, 3, 4, 5]
    assert not order_violations(order, prerequisites=PREREQS, mastered=[])


def test_plan_order_keeps_the_chosen_order_and_slots_a_new_prerequisite_before_its_dependent():
    # The student put 5 and 4 before 2 and 3; 1 is new (it relapsed).
    current = {5: 0, 4: 1, 2: 2, 3: 3}
    keys = [5, 4, 2, 3, 1]
    order = plan_order(
        keys=keys, prerequisites=PREREQS, current=current, tie={k: (k,) for k in keys}
    )
    assert order == [5, 1, 4, 2, 3]


def test_plan_order_repairs_an_order_that_skips_a_prerequisite():
    current = {3: 0, 2: 1, 1: 2}
    order = plan_order(
        keys=[3, 2, 1], prerequisites=PREREQS, current=current, tie={1: 1, 2: 2, 3: 3}
    )
    assert order == [1, 2, 3]


def test_plan_order_survives_a_cycle():
    order = plan_order(keys=[1, 2], prerequisites={1: {2}, 2: {1}}, current={}, tie={1: 1, 2: 2})
    assert sorted(order) == [1, 2]


def test_moves_that_skip_an_unmastered_prerequisite_are_violations():
    order = [1, 2, 3, 5]
    assert moved(order, 3, 0) == [3, 1, 2, 5]
    assert moved(order, 1, 99) == [2, 3, 5, 1]
    broken = new_violations(order, moved(order, 3, 1), prerequisites=PREREQS, mastered=[])
    assert broken == [(3, 2)]
    # Once 2 is mastered, 3 may come before it.
    assert not new_violations(order, moved(order, 3, 1), prerequisites=PREREQS, mastered=[2])
    # Unrelated steps move freely.
    assert not new_violations(order, moved(order, 5, 0), prerequisites=PREREQS, mastered=[])


def test_swap_allowed_only_when_the_first_is_not_an_unmastered_prerequisite_of_the_second():
    assert not swap_allowed(1, 2, prerequisites=PREREQS, mastered=[])
    assert swap_allowed(1, 2, prerequisites=PREREQS, mastered=[1])
    assert swap_allowed(2, 4, prerequisites=PREREQS, mastered=[])
    assert swap_allowed(("project", 9), 2, prerequisites=PREREQS, mastered=[])
