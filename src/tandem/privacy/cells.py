"""The small-cell threshold: no figure about a group of fewer students is shown anywhere.

One setting (``TANDEM_SMALL_CELL``, default 10) for every page and export that counts students
in groups: the leaders' pages and the counselor's week of self-checks alike.
"""

from __future__ import annotations

from django.conf import settings


def small_cell() -> int:
    """The fewest students a group may have for any figure about it to be shown."""
    return int(settings.TANDEM_SMALL_CELL)
