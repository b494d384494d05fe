"""Model reads on the practice loop's hot path, as SQL composed once per process.

Building a query through the ORM costs about 0.2 ms of CPU on top of the database's own work
(a user by id: 226 µs through ``objects.get``, 26 µs through a cursor; 2-core development
machine, 2026-12-05), and every practice request runs several. A :class:`ModelReader` selects a
model's concrete columns (joined to the foreign keys it is told to follow, as
``select_related`` does), converts each value with the converters the ORM itself would apply,
and builds ordinary model instances with ``Model.from_db``: callers get the same objects as
from a queryset, related objects cached on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Field, ForeignKey, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]
# (index in the row, the converters to apply in order, the column they are given)
Conversions = tuple[tuple[int, tuple[Converter, ...], Any], ...]


def model_field(model: type[Model], name: str) -> Field[Any, Any]:
    """The concrete field ``name`` (or a foreign key's ``<name>_id``) of ``model``."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise ValueError(f"{name} is not a concrete field of {model.__name__}")
    return field


def db_value(model: type[Model], field: str, value: Any, *, using: str = "default") -> Any:
    """``value`` as the database stores ``model``'s ``field``, for a ``%s`` parameter (a UUID
    is 32 hex characters on SQLite, a datetime naive UTC text there)."""
    return model_field(model, field).get_db_prep_value(value, connections[using], prepared=False)


def column_of(field: Field[Any, Any]) -> str:
    """The database column of a concrete field."""
    assert field.column is not None
    return field.column


@dataclass(frozen=True)
class _Part:
    """One model's columns in the row: where they start, how to convert them."""

    model: type[Model]
    alias: str
    fields: tuple[Field[Any, Any], ...]
    converters: Conversions
    # The foreign key on the main model that this part fills (None for the main model).
    via: ForeignKey[Any, Any] | None


class ModelReader(Generic[M]):
    """Instances of ``model`` (alias ``t0`` in ``where``) with ``related`` foreign keys joined
    (alias ``t1``, ``t2`` … in the order given). Nullable foreign keys are not supported: a
    followed key must always point at a row (an inner join)."""

    def __init__(self, model: type[M], *, related: Sequence[str] = ()) -> None:
        self.model = model
        self.related = tuple(related)
        self._compiled: dict[str, tuple[str, tuple[_Part, ...]]] = {}

    def _compile(self, using: str) -> tuple[str, tuple[_Part, ...]]:
        connection = connections[using]
        quote = connection.ops.quote_name
        specs: list[tuple[type[Model], str, ForeignKey[Any, Any] | None]] = [
            (self.model, "t0", None)
        ]
        joins = []
        for n, name in enumerate(self.related, start=1):
            fk = self.model._meta.get_field(name)
            if not isinstance(fk, ForeignKey) or fk.null:
                raise ValueError(f"{name} is not a required foreign key of {self.model}")
            target = fk.related_model
            assert isinstance(target, type)
            alias = f"t{n}"
            specs.append((target, alias, fk))
            joins.append(
                f" INNER JOIN {quote(target._meta.db_table)} {alias}"
                f" ON {alias}.{quote(column_of(fk.target_field))} = t0.{quote(column_of(fk))}"
            )
        parts, columns, start = [], [], 0
        for model, alias, via in specs:
            fields = tuple(model._meta.concrete_fields)
            columns += [f"{alias}.{quote(column_of(field))}" for field in fields]
            converters = _converters(connection, fields, alias=alias, start=start)
            parts.append(_Part(model, alias, fields, converters, via))
            start += len(fields)
        table = quote(self.model._meta.db_table)
        sql = f"SELECT {', '.join(columns)} FROM {table} t0{''.join(joins)}"
        return sql, tuple(parts)

    def _build(self, row: Sequence[Any], parts: tuple[_Part, ...], using: str) -> M:
        values = list(row)
        connection = connections[using]
        for part in parts:
            _convert(values, part.converters, connection)
        start, instances = 0, []
        for part in parts:
            end = start + len(part.fields)
            names = [field.attname for field in part.fields]
            instances.append(part.model.from_db(using, names, values[start:end]))
            start = end
        main = instances[0]
        for part, related in zip(parts[1:], instances[1:], strict=True):
            assert part.via is not None
            part.via.set_cached_value(main, related)
        return main  # type: ignore[return-value]

    def param(self, field: str, value: Any, *, using: str = "default") -> Any:
        return db_value(self.model, field, value, using=using)

    def rows(
        self,
        where: str,
        params: Sequence[Any],
        *,
        order_by: str = "",
        limit: int | None = None,
        for_update: bool = False,
        using: str = "default",
    ) -> list[M]:
        """Instances matching ``where`` (SQL over ``t0``, ``t1`` …, ``%s`` placeholders; params
        already in their database form, e.g. through ``connection.ops``). ``for_update`` locks
        the main model's rows where the database can (PostgreSQL; SQLite's transactions
        already hold its one write lock)."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        select, parts = compiled
        sql = f"{select} WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if for_update and connections[using].features.has_select_for_update:
            sql += " FOR UPDATE OF t0"
        with connections[using].cursor() as cursor:
            cursor.execute(sql, list(params))
            found = cursor.fetchall()
        return [self._build(row, parts, using) for row in found]

    def first(self, where: str, params: Sequence[Any], *, order_by: str = "") -> M | None:
        found = self.rows(where, params, order_by=order_by, limit=1)
        return found[0] if found else None


def _converters(
    connection: Any, fields: Sequence[Field[Any, Any]], *, alias: str = "", start: int = 0
) -> Conversions:
    """Where in a row each field's value is converted, and by what: the database backend's
    converters, then the field's, as the ORM's compiler applies them."""
    found = []
    for i, field in enumerate(fields):
        column = field.get_col(alias or field.model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((start + i, tuple(converters), column))
    return tuple(found)


def _convert(
    values: list[Any],
    converters: Conversions,
    connection: Any,
) -> None:
    for index, functions, column in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)


class ValuesQuery:
    """Rows of plain values from SQL written out once (``sql`` with ``%s`` placeholders),
    each column converted as the ORM converts the model field given for it (a datetime made
    aware on SQLite, a JSON document decoded)."""

    def __init__(self, sql: str, fields: Sequence[Field[Any, Any]]) -> None:
        self.sql = sql
        self.fields = tuple(fields)
        self._converters: dict[str, Conversions] = {}

    def rows(self, params: Sequence[Any], *, using: str = "default") -> list[tuple[Any, ...]]:
        connection = connections[using]
        converters = self._converters.get(using)
        if converters is None:
            converters = self._converters[using] = _converters(connection, self.fields)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, list(params))
            found = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in found]
        converted = []
        for row in found:
            values = list(row)
            _convert(values, converters, connection)
            converted.append(tuple(values))
        return converted

    def first(self, params: Sequence[Any], *, using: str = "default") -> tuple[Any, ...] | None:
        found = self.rows(params, using=using)
        return found[0] if found else None


class ModelWriter(Generic[M]):
    """Inserts of ``model`` instances as SQL composed once: the values are prepared by each
    field (``pre_save`` and ``get_db_prep_save``, as ``bulk_create`` prepares them) and no
    signal is sent (as with ``bulk_create``). A primary key the database assigns is read back
    with ``RETURNING`` (PostgreSQL; SQLite 3.35+)."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        pk = model._meta.pk
        assert pk is not None
        self._pk = pk
        self._compiled: dict[tuple[str, bool], tuple[str, str, tuple[Field[Any, Any], ...]]] = {}

    def _compile(self, using: str, auto: bool) -> tuple[str, str, tuple[Field[Any, Any], ...]]:
        quote = connections[using].ops.quote_name
        fields = tuple(f for f in self.model._meta.concrete_fields if not (auto and f is self._pk))
        head = (
            f"INSERT INTO {quote(self.model._meta.db_table)}"
            f" ({', '.join(quote(column_of(f)) for f in fields)}) VALUES "
        )
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        return head, row, fields

    def insert(
        self, objs: Sequence[M], *, ignore_conflicts: bool = False, using: str = "default"
    ) -> list[M]:
        """Insert ``objs``; returns those inserted (with ``ignore_conflicts``, a row that would
        break a unique constraint is skipped instead of raising ``IntegrityError``; then the
        primary key must be the database's and one row is inserted at a time)."""
        if not objs:
            return []
        connection = connections[using]
        auto = bool(self._pk.db_returning) and objs[0].pk is None
        if ignore_conflicts and (not auto or len(objs) != 1):
            raise ValueError("ignore_conflicts inserts one row whose key the database assigns")
        compiled = self._compiled.get((using, auto))
        if compiled is None:
            compiled = self._compiled[(using, auto)] = self._compile(using, auto)
        head, row, fields = compiled
        for obj in objs:
            # A related object saved after it was assigned: take its key, as save() does.
            obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
        tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        if auto:
            tail += f" RETURNING {connection.ops.quote_name(column_of(self._pk))}"
        # In batches, as bulk_create: SQLite caps the parameters of one statement.
        batch = max(connection.ops.bulk_batch_size(list(fields), list(objs)), 1)
        ids: list[Any] = []
        with connection.cursor() as cursor:
            for start in range(0, len(objs), batch):
                chunk = objs[start : start + batch]
                params = [
                    field.get_db_prep_save(field.pre_save(obj, True), connection)
                    for obj in chunk
                    for field in fields
                ]
                cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
                if auto:
                    ids += [r[0] for r in cursor.fetchall()]
        if auto and not ignore_conflicts:
            if len(ids) != len(objs):  # pragma: no cover - the database broke its contract
                raise RuntimeError("the database returned fewer keys than rows inserted")
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
        elif auto:
            if not ids:
                return []
            objs[0].pk = ids[0]
        for obj in objs:
            obj._state.adding = False
            obj._state.db = using
        return list(objs)

    def upsert(
        self,
        objs: Sequence[M],
        *,
        unique_fields: Sequence[str],
        update_fields: Sequence[str],
        using: str = "default",
    ) -> list[M]:
        """Insert ``objs``, or where a row with the same ``unique_fields`` exists, update its
        ``update_fields``; every object gets the key of its row (inserted or updated), as
        ``bulk_create(update_conflicts=True)`` does. One statement per batch."""
        if not objs:
            return []
        if not self._pk.db_returning:
            raise ValueError("upsert needs a primary key the database assigns")
        connection = connections[using]
        quote = connection.ops.quote_name
        compiled = self._compiled.get((using, True))
        if compiled is None:
            compiled = self._compiled[(using, True)] = self._compile(using, True)
        head, row, fields = compiled
        conflict = ", ".join(quote(column_of(model_field(self.model, f))) for f in unique_fields)
        updates = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in (column_of(model_field(self.model, f)) for f in update_fields)
        )
        tail = (
            f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            f" RETURNING {quote(column_of(self._pk))}"
        )
        batch = max(connection.ops.bulk_batch_size(list(fields), list(objs)), 1)
        with connection.cursor() as cursor:
            for start in range(0, len(objs), batch):
                chunk = objs[start : start + batch]
                for obj in chunk:
                    obj._prepare_related_fields_for_save(operation_name="upsert")  # type: ignore[attr-defined]
                params = [
                    field.get_db_prep_save(field.pre_save(obj, obj.pk is None), connection)
                    for obj in chunk
                    for field in fields
                ]
                cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding = False
                    obj._state.db = using
        return list(objs)


def commit_without_waiting_for_disk(*, using: str = "default") -> None:
    """Inside a transaction: its commit does not wait for the write-ahead log to reach the
    disk (PostgreSQL's ``synchronous_commit`` off for this transaction only; nothing on SQLite,
    whose WAL mode with ``synchronous=NORMAL`` already commits so). A database crash may lose
    such a transaction, never half of it: only for writes a student would redo without
    noticing (the next item chosen), never for evidence such as an answer or a hint taken."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
