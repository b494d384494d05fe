"""Import of a OneRoster 1.1 or 1.2 CSV bundle into the roster: validated whole, applied whole
or not at all.

Rows are written directly to the roster models inside this one transaction rather than through
``roster.services``: those create only (no update, no email/identifier/active flag), and an
import must compare every field to report "0 changed" on a re-import. Matching is by sourcedId.
Guardian links, which have create and delete services, go through them.

In 1.2 a user's role and orgs come from roles.csv (kept as ``OneRosterRole`` rows): the primary
role gives the Tandem role, every supported role adds its org. Users' ``agentSourcedIds`` become
guardian -> student links: each user row in the bundle states that user's agents in full.
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

from tandem.interop.models import Demographics, OneRosterRole, OneRosterUserProfile
from tandem.interop.oneroster import spec
from tandem.interop.oneroster.bundle import Bundle, Row, bundle_read
from tandem.interop.oneroster.report import ImportReport
from tandem.roster.constants import Role
from tandem.roster.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    SchoolClass,
    User,
)
from tandem.roster.services import guardian_link_create, guardian_link_delete

Progress = Callable[[int, int, str], None]

MODELS: dict[str, type[models.Model]] = {
    "orgs": Org,
    "academicSessions": AcademicSession,
    "courses": Course,
    "classes": SchoolClass,
    "users": User,
    "enrollments": Enrollment,
    "demographics": Demographics,
    "userProfiles": OneRosterUserProfile,
    "roles": OneRosterRole,
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
    role: str = ""  # users: the OneRoster role as given (1.1), for a guardian's relationship


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


def _parse(name: str, row: Row, version: str) -> Record:
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
        if version == "1.1":
            role = _choice(row, "role", set(spec.USER_ROLES), "role", spec.USER_ROLES_UNSUPPORTED)
            rec.role = role
            f["role"] = spec.USER_ROLES[role]
            # Administrators work in Django's admin; nobody else may enter it (as user_create).
            f["is_staff"] = f["is_superuser"] = f["role"] == Role.ADMINISTRATOR
            rec.m2m["orgs"] = set(_list(row.get("orgSourcedIds")))
        elif row.get("primaryOrgSourcedId"):
            rec.m2m["_primary_org"] = {row.get("primaryOrgSourcedId")}  # checked, not stored
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
        rec.m2m["_agents"] = set(_list(row.get("agentSourcedIds"))) - {rec.sourced_id}
    elif name == "userProfiles":
        f["profile_type"] = row.get("profileType")
        f["vendor_id"] = row.get("vendorId")
        f["application_id"] = row.get("applicationId")
        f["description"] = row.get("description")
        f["credential_type"] = row.get("credentialType")
        f["username"] = row.get("username")
        rec.refs["user_id"] = ("users", row.get("userSourcedId"))
    elif name == "roles":
        f["role_type"] = _choice(row, "roleType", spec.ROLE_TYPES, "roleType", set())
        role = row.get("role")
        if role not in spec.ROLES_V12 and role not in spec.ROLES_V12_UNSUPPORTED:
            raise RowRefusedError(f"unknown role {role!r}")
        if role in spec.ROLES_V12_UNSUPPORTED and f["role_type"] == "primary":
            raise RowRefusedError(
                f"primary role {role!r} is valid OneRoster but not supported by Tandem"
            )
        f["role"] = role
        f["begin_date"] = _date(row, "beginDate")
        f["end_date"] = _date(row, "endDate")
        rec.refs["user_id"] = ("users", row.get("userSourcedId"))
        rec.refs["org_id"] = ("orgs", row.get("orgSourcedId"))
        if row.get("userProfileSourcedId"):
            rec.refs["user_profile_id"] = ("userProfiles", row.get("userProfileSourcedId"))
        else:
            f["user_profile_id"] = None
    elif name == "enrollments":
        f["role"] = _choice(
            row,
            "role",
            spec.ENROLLMENT_ROLES,
            "enrollment role",
            spec.ENROLLMENT_ROLES_UNSUPPORTED,
        )
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


M2M_TARGET = {
    "terms": "academicSessions",
    "orgs": "orgs",
    "_school": "orgs",
    "_primary_org": "orgs",
    "_agents": "users",
}


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
    required = spec.required_for(bundle.version)
    for name in spec.files_for(bundle.version):
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
                    for key in required[name]:
                        if not row.get(key):
                            raise RowRefusedError(f"{key} is required")
                rec = _parse(name, row, bundle.version)
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
    if bundle.version == "1.2":
        _validate_primary_roles(bundle, records, report)
    for name in ("users", "userProfiles"):
        dropped = sum(1 for row in bundle.rows.get(name, []) if row.get("password"))
        if dropped:
            report.note(
                f"{name}.csv: {dropped} password(s) dropped; Tandem never stores imported "
                "credentials (people sign in through the school's sign-in or a reset)"
            )
    return records


def _validate_primary_roles(
    bundle: Bundle, records: dict[str, list[Record]], report: ImportReport
) -> None:
    """Every active user the bundle touches must end up with exactly one primary role."""
    primary: dict[str, tuple[str, str]] = {  # role sourcedId -> (user sourcedId, role type)
        sid: (user, kind)
        for sid, user, kind in OneRosterRole.objects.values_list(
            "sourced_id", "user__sourced_id", "role_type"
        )
    }
    role_lines: dict[str, int] = {}
    for rec in records["roles"]:
        if rec.deleted:
            gone = primary.pop(rec.sourced_id, None)
            if gone is None:
                continue
            # A removed row names only itself; remember whose role it was, to re-derive them.
            rec.refs["user_id"] = ("users", gone[0])
        user = rec.refs["user_id"][1]
        role_lines.setdefault(user, rec.line)
        if rec.deleted:
            continue
        primary[rec.sourced_id] = (user, rec.fields["role_type"])
    count: dict[str, int] = {}
    for user, kind in primary.values():
        count[user] = count.get(user, 0) + (kind == "primary")
    user_lines = {rec.sourced_id: rec.line for rec in records["users"] if not rec.deleted}
    deleted = {rec.sourced_id for rec in records["users"] if rec.deleted}
    for user in (set(user_lines) | set(role_lines)) - deleted:
        n = count.get(user, 0)
        if n == 1:
            continue
        reason = "has no primary role in roles.csv" if n == 0 else f"has {n} primary roles"
        if user in user_lines:
            report.refuse("users", user_lines[user], user, reason)
        else:
            report.refuse("roles", role_lines[user], user, f"user {reason}")


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
        for target in {"orgs", "academicSessions", "courses", "classes", "users", "userProfiles"}
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


def _derive_roles(users: set[str], report: ImportReport) -> None:
    """Set the Tandem role and orgs of these users (1.2) from their stored OneRoster roles."""
    roles: dict[str, list[OneRosterRole]] = {}
    for r in OneRosterRole.objects.filter(user__sourced_id__in=users).select_related("user", "org"):
        roles.setdefault(r.user.sourced_id, []).append(r)
    people = User.objects.filter(sourced_id__in=roles).prefetch_related("orgs")
    for user in people.order_by("sourced_id"):
        mine = sorted(roles[user.sourced_id], key=lambda r: r.sourced_id)
        main = next(r for r in mine if r.role_type == "primary")  # checked in _validate
        role = spec.ROLES_V12[main.role]
        for r in mine:
            if r.role in spec.ROLES_V12_UNSUPPORTED:
                report.note(
                    f"roles.csv [{r.sourced_id}]: secondary role {r.role!r} of "
                    f"{user.username} is not supported by Tandem and was ignored"
                )
            elif spec.ROLES_V12[r.role] != role:
                report.note(
                    f"roles.csv [{r.sourced_id}]: {user.username} is also {r.role!r} at "
                    f"{r.org.sourced_id}; Tandem keeps one role per person, {role!r}"
                )
        orgs = {r.org_id for r in mine if r.role in spec.ROLES_V12}
        admin = role == Role.ADMINISTRATOR
        if (user.role, user.is_staff, user.is_superuser) != (role, admin, admin):
            user.role, user.is_staff, user.is_superuser = role, admin, admin
            user.save(update_fields=["role", "is_staff", "is_superuser"])
        if {o.pk for o in user.orgs.all()} != orgs:
            user.orgs.set(orgs)


def _relationships(users: list[Record], version: str) -> dict[str, str]:
    """Guardian sourcedId -> how they relate to their students (parent, guardian, relative)."""
    if version == "1.1":
        return {r.sourced_id: r.role for r in users if r.role in spec.GUARDIAN_RELATIONSHIPS}
    return dict(
        OneRosterRole.objects.filter(
            role_type="primary", role__in=spec.GUARDIAN_RELATIONSHIPS
        ).values_list("user__sourced_id", "role")
    )


def _link_guardians(users: list[Record], version: str, report: ImportReport) -> None:
    """Make the guardian -> student links of the users in the bundle what their rows say.

    A link stands when the guardian's row names the student as an agent or the student's row
    names the guardian. Each user row states that user's agents in full (a delta row is a
    whole record), so links of a user in the bundle that no row names any more are removed,
    and so are all links of a user the bundle deletes.
    """
    counts = report.counts("guardianLinks")
    in_bundle = {r.sourced_id for r in users}
    deleted = {r.sourced_id for r in users if r.deleted}
    pairs: set[frozenset[str]] = set()
    for rec in users:
        if not rec.deleted:
            pairs.update(frozenset((rec.sourced_id, agent)) for agent in rec.m2m["_agents"])
    people = {
        u.sourced_id: u
        for u in User.objects.filter(sourced_id__in=in_bundle | {p for x in pairs for p in x})
    }
    relationship = _relationships(users, version)
    # None: the guardian's row is not in this bundle, so an existing link keeps its relationship.
    wanted: dict[tuple[str, str], str | None] = {}
    for pair in sorted(pairs, key=sorted):
        a, b = sorted(pair)
        if pair & deleted:
            report.note(f"users.csv: agent link {a} - {b} skipped: one of them is removed")
            continue
        roles = {people[a].role: a, people[b].role: b}
        if set(roles) != {Role.GUARDIAN, Role.STUDENT}:
            report.note(
                f"users.csv: agents {a} ({people[a].role}) and {b} ({people[b].role}) are "
                "not a guardian and a student; no link made"
            )
            continue
        guardian, student = roles[Role.GUARDIAN], roles[Role.STUDENT]
        wanted[(guardian, student)] = relationship.get(guardian)
    existing = GuardianLink.objects.filter(
        models.Q(guardian__sourced_id__in=in_bundle) | models.Q(student__sourced_id__in=in_bundle)
    ).select_related("guardian", "student")
    for link in existing:
        key = (link.guardian.sourced_id, link.student.sourced_id)
        if key not in wanted:
            guardian_link_delete(link=link)
            counts.removed += 1
            continue
        rel = wanted.pop(key)
        if rel is not None and rel != link.relationship:
            guardian_link_delete(link=link)
            guardian_link_create(guardian=link.guardian, student=link.student, relationship=rel)
            counts.updated += 1
        else:
            counts.unchanged += 1
    for (guardian, student), rel in wanted.items():
        guardian_link_create(
            guardian=people[guardian], student=people[student], relationship=rel or "guardian"
        )
        counts.created += 1


def oneroster_import(
    *, path: Path | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a OneRoster bundle (folder or zip). Any refused row means nothing is imported."""
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    bundle = bundle_read(Path(path), report)
    files = spec.files_for(bundle.version)
    steps = len(files) + 2
    if progress:
        progress(0, steps, "Checking rows")
    records = _validate(bundle, report)
    if report.refused:
        report.seconds = time.monotonic() - started
        return report
    with transaction.atomic():
        for step, name in enumerate(files, start=1):
            if name in bundle.rows:
                if progress:
                    progress(step, steps, f"Importing {name}")
                _apply(name, records[name], report)
            if name == "roles" and ("roles" in bundle.rows or "users" in bundle.rows):
                touched = {r.sourced_id for r in records["users"] if not r.deleted}
                touched |= {r.refs["user_id"][1] for r in records["roles"] if "user_id" in r.refs}
                _derive_roles(touched, report)
        # A users.csv without the agentSourcedIds column says nothing about guardians.
        if "agentSourcedIds" in bundle.headers.get("users", []):
            if progress:
                progress(len(files) + 1, steps, "Linking guardians")
            _link_guardians(records["users"], bundle.version, report)
        if report.refused or dry_run:
            transaction.set_rollback(True)
        else:
            report.applied = True
    if progress:
        progress(steps, steps, "Done")
    report.seconds = time.monotonic() - started
    return report
