"""Taking the demo school out of a database: its people, orgs, classes and everything recorded
about them (evidence, attempts, estimates, plans, goals, check-ins, projects, audit entries).

All or nothing, in one transaction: every row that would be deleted or changed is checked to be
the demo's own, so a real record tied to the demo (a real teacher enrolled in a demo class, a
real administrator's audit entry about a demo student) refuses the whole removal. Shared content
(the framework, the items, the project library) and the calibrated parameter sets are kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from tandem.caching import invalidate_all
from tandem.core.demo import DEMO_SOURCED_ID_PREFIX, DemoRefusedError
from tandem.roster.models import AcademicSession, Course, Enrollment, Org, SchoolClass, User

# Roster rows are the demo's by their sourcedId; any other row by the people it points at.
_ROSTER_MODELS: tuple[type[models.Model], ...] = (
    Org,
    AcademicSession,
    Course,
    SchoolClass,
    Enrollment,
    User,
)
# Rows deleted in one statement at most (SQLite's limit on a statement's variables).
_BATCH = 500
# Rounds of "delete what protects the demo first": evidence protects its people, and so on.
_MAX_ROUNDS = 20


@dataclass
class DemoRemovalReport:
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def users(self) -> int:
        return self.removed["roster.User"]

    @property
    def statements(self) -> int:
        return self.removed["evidence.Statement"]

    def summary(self) -> str:
        if not self.removed:
            return "No demo school here; nothing removed."
        lines = ["Demo school removed:"]
        lines += [f"  {label}: {count}" for label, count in sorted(self.removed.items()) if count]
        return "\n".join(lines)


def demo_remove() -> DemoRemovalReport:
    """Delete the demo school and every record of its people; DemoRefusedError (and nothing
    deleted) where that would delete or change a row that is not the demo's."""
    report = DemoRemovalReport()
    demo_ids = set(
        User.objects.filter(sourced_id__startswith=DEMO_SOURCED_ID_PREFIX).values_list(
            "pk", flat=True
        )
    )
    roots = [
        model._base_manager.filter(sourced_id__startswith=DEMO_SOURCED_ID_PREFIX)
        for model in _ROSTER_MODELS
    ]
    if not any(root.exists() for root in roots):
        return report
    with transaction.atomic():
        _delete(roots, demo_ids=demo_ids, report=report, depth=0)
        transaction.on_commit(invalidate_all)
    return report


def _delete(
    roots: list[models.QuerySet[Any]], *, demo_ids: set[int], report: DemoRemovalReport, depth: int
) -> None:
    """Delete ``roots`` and what cascades from them, deleting first (recursively) the rows that
    protect them; every row is checked to be the demo's before anything is deleted."""
    for _ in range(_MAX_ROUNDS):
        collector = Collector(using=DEFAULT_DB_ALIAS)
        blocking: list[models.Model] = []
        for root in roots:
            try:
                collector.collect(root)
            except ProtectedError as error:
                blocking.extend(error.protected_objects)
            except RestrictedError as error:
                blocking.extend(error.restricted_objects)
        if not blocking:
            _check(collector, demo_ids)
            _, counts = collector.delete()
            report.removed.update({label: n for label, n in counts.items() if n})
            return
        if depth >= _MAX_ROUNDS:
            raise DemoRefusedError("the demo's records protect each other in a cycle")
        _delete(_querysets(blocking), demo_ids=demo_ids, report=report, depth=depth + 1)
    raise DemoRefusedError("the demo's records could not be removed in order")


def _querysets(objects: Iterable[models.Model]) -> list[models.QuerySet[Any]]:
    pks: dict[type[models.Model], set[Any]] = defaultdict(set)
    for obj in objects:
        pks[type(obj)].add(obj.pk)
    ordered = {model: sorted(ids) for model, ids in pks.items()}
    return [
        model._base_manager.filter(pk__in=ids[start : start + _BATCH])
        for model, ids in ordered.items()
        for start in range(0, len(ids), _BATCH)
    ]


def _user_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
        and f.related_model._meta.label == settings.AUTH_USER_MODEL
    ]


def _refuse(model: type[models.Model], what: str) -> DemoRefusedError:
    return DemoRefusedError(
        f"removing the demo would {what} {model._meta.verbose_name_plural} that are not the "
        "demo's (a real record is tied to the demo school); nothing was removed."
    )


def _check_rows(
    model: type[models.Model], rows: Iterable[Any], demo_ids: set[int], what: str
) -> None:
    user_fields = _user_fields(model)
    roster = model in _ROSTER_MODELS
    for row in rows:
        if model is User and row.pk not in demo_ids:
            raise _refuse(model, what)
        if roster and not row.sourced_id.startswith(DEMO_SOURCED_ID_PREFIX):
            raise _refuse(model, what)
        for name in user_fields:
            value = getattr(row, name)
            if value is not None and value not in demo_ids:
                raise _refuse(model, what)


def _check_queryset(qs: models.QuerySet[Any], demo_ids: set[int], what: str) -> None:
    """The same check as ``_check_rows``, in the database, for a fast delete's queryset."""
    model = qs.model
    if model is User and qs.exclude(pk__in=demo_ids).exists():
        raise _refuse(model, what)
    if (
        model in _ROSTER_MODELS
        and qs.exclude(sourced_id__startswith=DEMO_SOURCED_ID_PREFIX).exists()
    ):
        raise _refuse(model, what)
    for name in _user_fields(model):
        if qs.filter(**{f"{name}__isnull": False}).exclude(**{f"{name}__in": demo_ids}).exists():
            raise _refuse(model, what)


def _check(collector: Collector, demo_ids: set[int]) -> None:
    for model, instances in collector.data.items():
        _check_rows(model, instances, demo_ids, "delete")
    for qs in collector.fast_deletes:
        _check_queryset(qs, demo_ids, "delete")
    for (field_, _value), batches in collector.field_updates.items():
        for batch in batches:
            # Django keeps a queryset or a list of instances here (its stubs say one instance).
            found: Any = batch
            if isinstance(found, models.QuerySet):
                _check_queryset(found, demo_ids, "change")
            else:
                rows = [found] if isinstance(found, models.Model) else found
                _check_rows(field_.model, rows, demo_ids, "change")
