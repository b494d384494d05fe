"""Heavy background work runs in a forked child, so that the task worker gives memory back."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from tandem import isolation
from tandem.isolation import in_child_process


def _fail(message: str) -> None:
    raise ValueError(message)


class _UnpicklableError(Exception):
    def __reduce__(self) -> object:
        raise TypeError("cannot pickle this")


def _fail_unpicklably() -> None:
    raise _UnpicklableError("the fit broke")


def test_the_work_runs_in_another_process_and_its_answer_comes_back(settings, monkeypatch):
    settings.TANDEM_HEAVY_TASKS_IN_CHILD = True
    # The test database lives in this process: the parent must not close it here.
    monkeypatch.setattr(isolation, "connections", SimpleNamespace(close_all=lambda: None))
    assert in_child_process(os.getpid) != os.getpid()
    assert in_child_process(sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="no answers to fit"):
        in_child_process(_fail, "no answers to fit")
    with pytest.raises(RuntimeError, match="_UnpicklableError: the fit broke"):
        in_child_process(_fail_unpicklably)


def test_off_it_runs_in_this_process(settings):
    settings.TANDEM_HEAVY_TASKS_IN_CHILD = False
    assert in_child_process(os.getpid) == os.getpid()
