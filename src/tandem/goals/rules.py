"""The calendar of goals: which week a moment falls in, and when a week can be reflected on.

Weeks are named by their Monday, in the school's time zone, so a goal set late on Sunday
evening belongs to the week the student sees on the calendar.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.goals.constants import REFLECTION_OPENS_WEEKDAY, GoalStatus


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` falls in."""
    return day - dt.timedelta(days=day.weekday())


def today(now: dt.datetime) -> dt.date:
    """The school's calendar date at ``now``."""
    return timezone.localdate(now)


def current_week(now: dt.datetime) -> dt.date:
    return week_of(today(now))


def previous_week(week: dt.date) -> dt.date:
    return week - dt.timedelta(days=7)


def week_end(week: dt.date) -> dt.date:
    """The Sunday that closes the week."""
    return week + dt.timedelta(days=6)


def reflection_opens(week: dt.date) -> dt.date:
    return week + dt.timedelta(days=REFLECTION_OPENS_WEEKDAY)


def effective_status(*, status: str, week: dt.date, this_week: dt.date) -> str:
    """An open goal from a week that has ended was missed, whether or not that was stored yet."""
    if status == GoalStatus.OPEN and week < this_week:
        return GoalStatus.MISSED
    return status


def reflection_may_save(
    *,
    week: dt.date,
    now: dt.datetime,
    existing_created_at: dt.datetime | None,
) -> bool:
    """Whether a reflection on ``week`` may be written or changed at ``now``.

    This week's opens on Friday and stays open until Sunday. Last week's may be written late,
    during the following week, if there is none yet; a late one may then be edited during the
    week it was written. Older weeks are history.
    """
    this_week = current_week(now)
    if week == this_week:
        return today(now) >= reflection_opens(week)
    if week == previous_week(this_week):
        return existing_created_at is None or current_week(existing_created_at) == this_week
    return False
