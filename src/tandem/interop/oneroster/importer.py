"""Import of a OneRoster CSV bundle into the roster: validated whole, applied whole or not at all.

Rows are written directly to the roster models inside this one transaction rather than through
``roster.services``: those create only (no update, no email/identifier/active flag), and an
import must compare every field to report "0 changed" on a re-import. Matching is by sourcedId.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError

from tandem.interop.models import Demographics
from tandem.interop.oneroster import spec
from tandem.interop.oneroster.bundle import Bundle, Row, bundle_read
from tandem.interop.oneroster.report import ImportReport
from tandem.roster.models import AcademicSession, Course, Enrollment, Org, SchoolClass, User

Progress = Callable[[int, int, str], None]

MODELS: dict[str, type[models.Model]] = {
    "orgs": Org,
    "academicSessions": AcademicSession,
    "courses": Course,
    "classes": SchoolClass,
    "users": User,
    "enrollments": Enrollment,
    "demographics": Demographics,
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
DEMOGRAPHIC_EXTRA = [h for h in spec.HEADERS["demographics"][5:]]


class RowRefusedError(Exception):
    """A row cannot be imported; the message says why."""


@dataclass
class Record:
    """One validated row: its model fields, many-to-many id sets, and whether it is removed."""

    line: int
    sourced_id: str
    deleted: bool
    fields: dict[str, Any] = field(default_factory=dict)
    m2m: dict[str, set[str]] = field(default_factory=dict)  # relation -> referenced sourcedIds
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # fk_id -> (file, sourcedId)


def _date(row: Row, key: str, *, required: bool = False) -> dt.date | None:
    value = row.get(key)
    if not value:
        if required:
            raise RowRefusedError(f"{key} is required")
        return None
    value = value[:10] if "T" in value else value
    if not DATE_RE.match(value):
        raise RowRefusedError(f"bad date in {key}: {row.get(key)!r} (expected YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowRefusedError(f"bad date in {key}: {value!r} (no such day)") from None


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _bool(row: Row, key: str, default: bool) -> bool:
    value = row.get(key).lower()
    if value == "":
        return default
    if value not in {"true", "false"}:
        raise RowRefusedError(f"{key} must be true or false, not {row.get(key)!r}")
    return value == "true"


def _choice(row: Row, key: str, allowed: set[str], what: str, unsupported: set[str]) -> str:
    value = row.get(key)
    if value in allowed:
        return value
    if value in unsupported:
        raise RowRefusedError(f"{what} {value!r} is valid OneRoster but not supported by Tandem")
    raise RowRefusedError(f"unknown {what} {value!r}")


def _parse(name: str, row: Row) -> Record:
    """Field values of one row (references as sourcedIds, resolved later)."""
    rec = Record(row.line, row.get("sourcedId"), row.get("status") == spec.DELETED)
    if rec.deleted:
        return rec
    f = rec.fields
    if name == "orgs":
        f["name"] = row.get("name")
        f["type"] = _choice(row, "type", spec.ORG_TYPES, "org type", spec.ORG_TYPES_UNSUPPORTED)
        f["identifier"] = row.get("identifier")
        if row.get("parentSourcedId"):
            rec.refs["parent_id"] = ("orgs", row.get("parentSourcedId"))
        else:
            f["parent_id"] = None
    elif name == "academicSessions":
        f["title"] = row.get("title")
        f["type"] = _choice(row, "type", spec.SESSION_TYPES, "session type", set())
        f["start_date"] = _date(row, "startDate", required=True)
        f["end_date"] = _date(row, "endDate", required=True)
        if f["end_date"] < f["start_date"]:
            raise RowRefusedError("endDate is before startDate")
        year = YEAR_RE.match(row.get("schoolYear"))
        if not year:
            raise RowRefusedError(f"bad schoolYear {row.get('schoolYear')!r} (expected YYYY)")
        f["school_year"] = int(year.group(1))
        if row.get("parentSourcedId"):
            rec.refs["parent_id"] = ("academicSessions", row.get("parentSourcedId"))
        else:
            f["parent_id"] = None
    elif name == "courses":
        f["title"] = row.get("title")
        f["course_code"] = row.get("courseCode")
        f["grades"] = _list(row.get("grades"))
        f["subjects"] = _list(row.get("subjects"))
        rec.refs["org_id"] = ("orgs", row.get("orgSourcedId"))
        if row.get("schoolYearSourcedId"):
            rec.refs["school_year_id"] = ("academicSessions", row.get("schoolYearSourcedId"))
        else:
            f["school_year_id"] = None
    elif name == "classes":
        f["title"] = row.get("title")
        f["class_code"] = row.get("classCode")
        f["class_type"] = _choice(row, "classType", spec.CLASS_TYPES, "class type", set())
        f["grades"] = _list(row.get("grades"))
        f["periods"] = _list(row.get("periods"))
        rec.refs["course_id"] = ("courses", row.get("courseSourcedId"))
        rec.refs["school_id"] = ("orgs", row.get("schoolSourcedId"))
        rec.m2m["terms"] = set(_list(row.get("termSourcedIds")))
    elif name == "users":
        role = _choice(row, "role", set(spec.USER_ROLES), "role", spec.USER_ROLES_UNSUPPORTED)
        f["role"] = spec.USER_ROLES[role]
        f["username"] = row.get("username") or rec.sourced_id
        f["first_name"] = row.get("givenName")[:150]
        f["last_name"] = row.get("familyName")[:150]
        f["identifier"] = row.get("identifier")
        f["email"] = row.get("email")
        f["is_active"] = _bool(row, "enabledUser", True)
        grades = _list(row.get("grades"))
        if grades and len(grades[0]) > 4:
            raise RowRefusedError(f"bad grade {grades[0]!r}")
        f["grade"] = grades[0] if grades else ""
        # Administrators work in Django's admin; nobody else may enter it (as user_create).
        f["is_staff"] = f["is_superuser"] = f["role"] == "administrator"
        rec.m2m["orgs"] = set(_list(row.get("orgSourcedIds")))
    elif name == "enrollments":
        f["role"] = _choice(row, "role", spec.ENROLLMENT_ROLES, "enrollment role", set())
        f["primary"] = _bool(row, "primary", False)
        f["begin_date"] = _date(row, "beginDate")
        f["end_date"] = _date(row, "endDate")
        rec.refs["school_class_id"] = ("classes", row.get("classSourcedId"))
        rec.refs["user_id"] = ("users", row.get("userSourcedId"))
        rec.m2m["_school"] = {row.get("schoolSourcedId")}  # checked, not stored
    elif name == "demographics":
        f["birth_date"] = _date(row, "birthDate")
        f["sex"] = row.get("sex")
        f["fields"] = {k: row.get(k) for k in DEMOGRAPHIC_EXTRA if row.get(k)}
        rec.refs["_user"] = ("users", rec.sourced_id)
    return rec


M2M_TARGET = {"terms": "academicSessions", "orgs": "orgs", "_school": "orgs"}


def _validate(bundle: Bundle, report: ImportReport) -> dict[str, list[Record]]:
    """Every row checked; refusals go into the report. Returns the parsed records per file."""
    records: dict[str, list[Record]] = {}
    known: dict[str, set[str]] = {
        name: set(MODELS[name].objects.values_list("sourced_id", flat=True))  # type: ignore[attr-defined]
        for name in spec.FILES
    }
    usernames = dict(User.objects.values_list("username", "sourced_id"))
    triples = {
        (u, c, r): s
        for u, c, r, s in Enrollment.objects.values_list(
            "user__sourced_id", "school_class__sourced_id", "role", "sourced_id"
        )
    }
    # Every sourcedId the bundle holds, so a row may refer to one later in its file.
    in_bundle = {
        name: {r.get("sourcedId") for r in bundle.rows.get(name, [])} for name in spec.FILES
    }
    for name in spec.FILES:
        seen: dict[str, int] = {}
        parsed = records[name] = []
        for row in bundle.rows.get(name, []):
            sid = row.get("sourcedId")
            try:
                if not sid:
                    raise RowRefusedError("sourcedId is missing")
                if sid in seen:
                    raise RowRefusedError(f"duplicate sourcedId (also on line {seen[sid]})")
                seen[sid] = row.line
                status = row.get("status")
                if status not in spec.STATUSES:
                    raise RowRefusedError(f"unknown status {status!r}")
                if status == spec.DELETED and bundle.modes.get(name) != "delta":
                    raise RowRefusedError("tobedeleted is only allowed in a delta file")
                if status != spec.DELETED:
                    for key in spec.REQUIRED[name]:
                        if not row.get(key):
                            raise RowRefusedError(f"{key} is required")
                rec = _parse(name, row)
                for target_file, ref in rec.refs.values():
                    if ref not in known[target_file] and ref not in in_bundle[target_file]:
                        raise RowRefusedError(f"refers to unknown {target_file} sourcedId {ref!r}")
                for rel, refs in rec.m2m.items():
                    target_file = M2M_TARGET[rel]
                    for ref in refs:
                        if ref not in known[target_file] and ref not in in_bundle[target_file]:
                            raise RowRefusedError(
                                f"refers to unknown {target_file} sourcedId {ref!r}"
                            )
                if name == "users" and not rec.deleted:
                    owner = usernames.get(rec.fields["username"])
                    if owner is not None and owner != sid:
                        raise RowRefusedError(
                            f"username {rec.fields['username']!r} is already taken"
                        )
                    usernames[rec.fields["username"]] = sid
                if name == "enrollments" and not rec.deleted:
                    triple = (
                        rec.refs["user_id"][1],
                        rec.refs["school_class_id"][1],
                        rec.fields["role"],
                    )
                    owner = triples.get(triple)
                    if owner is not None and owner != sid:
                        raise RowRefusedError(f"same user, class and role as enrollment {owner!r}")
                    triples[triple] = sid
            except RowRefusedError as refusal:
                report.refuse(name, row.line, sid, str(refusal))
                continue
            parsed.append(rec)
    return records


def _parents_first(recs: list[Record]) -> list[Record]:
    """Orgs and sessions ordered so that a parent in the same file comes before its children."""
    ids = {r.sourced_id for r in recs}
    done: set[str] = set()
    ordered: list[Record] = []
    pending = list(recs)
    while pending:
        ready = [
            r
            for r in pending
            if "parent_id" not in r.refs
            or r.refs["parent_id"][1] not in ids
            or r.refs["parent_id"][1] in done
        ]
        if not ready:  # a cycle: the rest cannot be ordered; the database refuses it below
            return ordered + pending
        ordered.extend(ready)
        done.update(r.sourced_id for r in ready)
        ready_ids = {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in ready_ids]
    return ordered


def _apply(name: str, recs: list[Record], report: ImportReport) -> None:
    model = MODELS[name]
    counts = report.counts(name)
    if name in {"orgs", "academicSessions"}:
        recs = _parents_first(recs)
    existing: dict[str, Any] = {o.sourced_id: o for o in model.objects.all()}  # type: ignore[attr-defined]
    pk_of: dict[str, dict[str, int]] = {
        target: dict(MODELS[target].objects.values_list("sourced_id", "pk"))  # type: ignore[attr-defined]
        for target in {"orgs", "academicSessions", "courses", "classes", "users"}
    }
    for rec in recs:
        obj = existing.get(rec.sourced_id)
        if rec.deleted:
            if obj is None:
                counts.unchanged += 1
            elif name == "users":
                # People are deactivated, never deleted: their evidence and history stay.
                if obj.is_active:
                    obj.is_active = False
                    obj.save(update_fields=["is_active"])
                    counts.removed += 1
                else:
                    counts.unchanged += 1
            else:
                try:
                    with transaction.atomic():
                        obj.delete()
                    counts.removed += 1
                except ProtectedError:
                    report.refuse(name, rec.line, rec.sourced_id, "cannot remove: still in use")
            continue
        values = dict(rec.fields)
        for fk, (target, ref) in rec.refs.items():
            if not fk.startswith("_"):
                values[fk] = pk_of[target][ref]
        if obj is None:
            obj = model(sourced_id=rec.sourced_id, **values)
            if isinstance(obj, User):
                obj.set_unusable_password()
            obj.save()
            created = True
        else:
            changed = [k for k, v in values.items() if getattr(obj, k) != v]
            for key in changed:
                setattr(obj, key, values[key])
            if changed:
                obj.save(update_fields=changed)
            created = False
        m2m_changed = False
        for rel, refs in rec.m2m.items():
            if rel.startswith("_"):
                continue
            target = M2M_TARGET[rel]
            wanted = {pk_of[target][r] for r in refs}
            manager = getattr(obj, rel)
            if created or set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(wanted)
                m2m_changed = not created
        if created:
            counts.created += 1
        elif changed or m2m_changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        if name in pk_of:
            pk_of[name][rec.sourced_id] = obj.pk


def oneroster_import(
    *, path: Path | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a OneRoster bundle (folder or zip). Any refused row means nothing is imported."""
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    bundle = bundle_read(Path(path), report)
    if progress:
        progress(0, len(spec.FILES) + 1, "Checking rows")
    records = _validate(bundle, report)
    if report.refused:
        report.seconds = time.monotonic() - started
        return report
    with transaction.atomic():
        for step, name in enumerate(spec.FILES, start=1):
            if name in bundle.rows:
                if progress:
                    progress(step, len(spec.FILES) + 1, f"Importing {name}")
                _apply(name, records[name], report)
        if report.refused or dry_run:
            transaction.set_rollback(True)
        else:
            report.applied = True
    if progress:
        progress(len(spec.FILES) + 1, len(spec.FILES) + 1, "Done")
    report.seconds = time.monotonic() - started
    return report
