"""Writes of the leaders' pages: name a change to judge, set a school's screen-time limit, and
store a scope's figures once worked out."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from tandem.leaders.constants import CHANGE_MAX_WEEKS
from tandem.leaders.models import Change, FigureSnapshot, TimeLimit
from tandem.leaders.selectors import (
    FRAME_FORMAT,
    Scope,
    frame_dump,
    leader_frame,
    leader_scope,
    scope_key,
)
from tandem.roster.models import Org, SchoolClass, User


class LeaderInputError(ValueError):
    """What a leader entered cannot be recorded; the message says why, in plain words."""


def change_create(
    *,
    leader: User,
    title: str,
    start_date: dt.date,
    weeks: int,
    classes: Sequence[SchoolClass],
    now: dt.datetime,
    description: str = "",
    idempotency_key: str | None = None,
) -> tuple[Change, bool]:
    """Record a change; returns ``(change, created)``. A repeated key returns the first one."""
    if idempotency_key:
        existing = Change.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if not title.strip():
        raise LeaderInputError("Give the change a name.")
    if not classes:
        raise LeaderInputError("Choose at least one class the change touched.")
    if not 1 <= weeks <= CHANGE_MAX_WEEKS:
        raise LeaderInputError(f"Compare between 1 and {CHANGE_MAX_WEEKS} weeks.")
    if start_date > now.date():
        raise LeaderInputError("The start date is in the future; name the change once it began.")
    try:
        with transaction.atomic():
            change = Change.objects.create(
                title=title.strip(),
                description=description.strip(),
                start_date=start_date,
                weeks=weeks,
                created_by=leader,
                created_at=now,
                idempotency_key=idempotency_key or None,
            )
            change.classes.set(classes)
    except IntegrityError:
        if idempotency_key:
            return Change.objects.get(idempotency_key=idempotency_key), False
        raise
    return change, True


@transaction.atomic
def time_limit_set(*, leader: User, org: Org, weekly_minutes: int, now: dt.datetime) -> TimeLimit:
    """Set (or change) a school's limit on minutes of practice per student per week."""
    if not 10 <= weekly_minutes <= 3000:
        raise LeaderInputError("Choose a limit between 10 and 3000 minutes a week.")
    limit, _ = TimeLimit.objects.update_or_create(
        org=org,
        defaults={"weekly_minutes": weekly_minutes, "updated_by": leader, "updated_at": now},
    )
    return limit


def figures_compute(*, scope: Scope, now: dt.datetime) -> FigureSnapshot:
    """Work out the scope's figures from its whole history and store them, as of ``now``.

    The reading is done first and outside any transaction; only the store is a write, so no
    lock is held while the figures are worked out (SQLite has a single writer)."""
    started = time.perf_counter()
    frame = leader_frame(scope, now=now)
    data = frame_dump(frame)
    seconds = time.perf_counter() - started
    snapshot, _ = FigureSnapshot.objects.update_or_create(
        scope_key=scope_key(scope),
        defaults={
            "data": data,
            "data_format": FRAME_FORMAT,
            "students": int(frame.ids.size),
            "computed_at": now,
            "compute_seconds": seconds,
            "refresh_requested_at": None,
        },
    )
    return snapshot


def figures_compute_all(*, now: dt.datetime) -> list[FigureSnapshot]:
    """The district's figures and every school's (the demo seed, ``bench/leaders.py``)."""
    everywhere = leader_scope(None)
    scopes = [everywhere, *(Scope(school, everywhere.schools) for school in everywhere.schools)]
    return [figures_compute(scope=scope, now=now) for scope in scopes]
