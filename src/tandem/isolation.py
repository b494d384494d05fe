"""Heavy background work in a child process, so that the task worker gives its memory back.

A calibration imports scikit-learn and holds the installation's whole evidence log as arrays:
about 100 MiB that stayed with the long-lived task worker afterwards (Python neither unloads a
module nor hands most freed memory back to the system), so a school server idled at 424 MiB
after its first calibration instead of 317. Run in a forked child, that memory leaves with the
child. The child shares nothing with the worker but what the fork copies: database connections
are closed first and each side opens its own.

Off where the database lives in the process itself (the test suite's in-memory SQLite):
``TANDEM_HEAVY_TASKS_IN_CHILD`` (on by default; the tests turn it off).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")


def in_child_process(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a forked child process; its result, or its exception raised here."""
    if not getattr(settings, "TANDEM_HEAVY_TASKS_IN_CHILD", True) or os.name != "posix":
        return func(*args)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, func, args), daemon=False)
    child.start()
    sender.close()
    try:
        ok, value = receiver.recv()
    except EOFError:
        child.join()
        raise RuntimeError(
            f"the background task's process ended without an answer (exit code {child.exitcode})"
        ) from None
    finally:
        receiver.close()
    child.join()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _child(sender: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, func(*args))
    except BaseException as error:
        outcome = (False, error)
    try:
        sender.send(outcome)
    except Exception:  # a result or exception that cannot be pickled: say what it was
        sender.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    finally:
        sender.close()
        connections.close_all()
