"""Leaders' figures as a background task: a page whose stored figures are missing or older
than the setting queues one refresh of its scope, and the worker (``tandem serve`` starts one)
works them out and stores them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from tandem.leaders.constants import FIGURES_REFRESH_ABANDONED_MINUTES
from tandem.leaders.models import FigureSnapshot
from tandem.leaders.selectors import Scope, StoredFigures, leader_scope, scope_key
from tandem.leaders.services import figures_compute
from tandem.roster.constants import OrgType
from tandem.roster.models import Org

ABANDONED_AFTER = dt.timedelta(minutes=FIGURES_REFRESH_ABANDONED_MINUTES)


def figures_refresh_due(stored: StoredFigures, *, now: dt.datetime) -> bool:
    """Whether a page should queue a refresh: the figures are missing or stale, and no refresh
    is queued (or the one queued was lost)."""
    if not stored.stale:
        return False
    requested = stored.refresh_requested_at
    return requested is None or now - requested > ABANDONED_AFTER


def figures_refresh_request(*, scope: Scope, now: dt.datetime) -> bool:
    """Queue a refresh of the scope's figures unless one is queued already; True if queued.

    The claim is one conditional update, so two pages asking at once queue one task."""
    key = scope_key(scope)
    with transaction.atomic():
        FigureSnapshot.objects.get_or_create(scope_key=key)
        claimed = (
            FigureSnapshot.objects.filter(scope_key=key)
            .filter(
                Q(refresh_requested_at__isnull=True)
                | Q(refresh_requested_at__lt=now - ABANDONED_AFTER)
            )
            .update(refresh_requested_at=now)
        )
        if claimed:
            # In the same transaction: the claim is recorded if and only if the task is queued.
            figures_refresh_task.enqueue(scope.school.pk if scope.school else None)
    return bool(claimed)


@task()
def figures_refresh_task(school_id: int | None) -> int:
    """The worker's entry point: work out and store one scope's figures (None: the district);
    returns the number of students. A school gone since is done as the district."""
    if school_id is not None and not Org.objects.filter(pk=school_id, type=OrgType.SCHOOL).exists():
        school_id = None
    snapshot = figures_compute(scope=leader_scope(school_id), now=timezone.now())
    return snapshot.students
