"""Export of the roster as a OneRoster 1.1 or 1.2 CSV bulk bundle: a folder, or a zip (path ends
.zip).

Writes what the roster stores; columns Tandem does not keep (middle name, phone, location ...)
are left empty, so import → export → import changes nothing. Guardian links are written as
``agentSourcedIds`` on both sides. In 1.2, roles.csv holds the roles an import kept, or for
people who came another way one role per org derived from their Tandem role.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.db import models
from django.utils import timezone

from tandem.interop.models import Demographics, OneRosterRole, OneRosterUserProfile
from tandem.interop.oneroster import spec
from tandem.roster.constants import OrgType, Role
from tandem.roster.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    SchoolClass,
    User,
)


def _join(values: Iterable[str]) -> str:
    return ",".join(values)


def _date(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


def _role_v11(user: User, relationship: dict[int, str]) -> str:
    if user.role == Role.GUARDIAN:
        return relationship.get(user.pk, "guardian")
    return str(user.role)


def _roles_v12(user: User, relationship: dict[int, str]) -> list[dict[str, str]]:
    """One role per org, the first primary, for a user no 1.2 import gave roles to."""
    rows = []
    for number, org in enumerate(user.orgs.all()):
        role = _role_v11(user, relationship)
        if role == Role.ADMINISTRATOR:
            role = "districtAdministrator" if org.type == OrgType.DISTRICT else "siteAdministrator"
        rows.append(
            {
                "sourcedId": f"{user.sourced_id}-role-{org.sourced_id}",
                "userSourcedId": user.sourced_id,
                "roleType": "primary" if number == 0 else "secondary",
                "role": role,
                "orgSourcedId": org.sourced_id,
            }
        )
    return rows


def _rows(stamp: str, version: str) -> dict[str, list[dict[str, str]]]:
    base = {"status": "active", "dateLastModified": stamp}
    out: dict[str, list[dict[str, str]]] = {name: [] for name in spec.FILES}
    for org in Org.objects.select_related("parent").order_by("pk"):
        out["orgs"].append(
            base
            | {
                "sourcedId": org.sourced_id,
                "name": org.name,
                "type": org.type,
                "identifier": org.identifier,
                "parentSourcedId": org.parent.sourced_id if org.parent else "",
            }
        )
    for s in AcademicSession.objects.select_related("parent").order_by("pk"):
        out["academicSessions"].append(
            base
            | {
                "sourcedId": s.sourced_id,
                "title": s.title,
                "type": s.type,
                "startDate": _date(s.start_date),
                "endDate": _date(s.end_date),
                "parentSourcedId": s.parent.sourced_id if s.parent else "",
                "schoolYear": str(s.school_year),
            }
        )
    for c in Course.objects.select_related("org", "school_year").order_by("pk"):
        out["courses"].append(
            base
            | {
                "sourcedId": c.sourced_id,
                "schoolYearSourcedId": c.school_year.sourced_id if c.school_year else "",
                "title": c.title,
                "courseCode": c.course_code,
                "grades": _join(c.grades),
                "orgSourcedId": c.org.sourced_id,
                "subjects": _join(c.subjects),
            }
        )
    classes = SchoolClass.objects.select_related("course", "school").prefetch_related("terms")
    for k in classes.order_by("pk"):
        out["classes"].append(
            base
            | {
                "sourcedId": k.sourced_id,
                "title": k.title,
                "grades": _join(k.grades),
                "courseSourcedId": k.course.sourced_id,
                "classCode": k.class_code,
                "classType": k.class_type,
                "schoolSourcedId": k.school.sourced_id,
                "termSourcedIds": _join(t.sourced_id for t in k.terms.order_by("pk")),
                "periods": _join(k.periods),
            }
        )
    agents: dict[int, list[str]] = {}
    relationship: dict[int, str] = {}
    links = GuardianLink.objects.select_related("guardian", "student")
    for link in links.order_by("guardian__sourced_id", "student__sourced_id"):
        agents.setdefault(link.guardian_id, []).append(link.student.sourced_id)
        agents.setdefault(link.student_id, []).append(link.guardian.sourced_id)
        relationship.setdefault(link.guardian_id, link.relationship)
    kept_roles: dict[int, list[OneRosterRole]] = {}
    if version == "1.2":
        for r in OneRosterRole.objects.select_related("org", "user_profile").order_by("pk"):
            kept_roles.setdefault(r.user_id, []).append(r)
    users = User.objects.prefetch_related(models.Prefetch("orgs", Org.objects.order_by("pk")))
    exported_pks: set[int] = set()
    for u in users.order_by("pk"):
        if not u.orgs.all():
            continue  # OneRoster requires an org; local accounts (demo, admin) stay home
        if version == "1.1" and u.role == Role.COUNSELOR:
            continue  # 1.1 has no counselor role; any other would grant the wrong access
        exported_pks.add(u.pk)
        row = base | {
            "sourcedId": u.sourced_id,
            "enabledUser": "true" if u.is_active else "false",
            "username": u.username,
            "givenName": u.first_name,
            "familyName": u.last_name,
            "identifier": u.identifier,
            "email": u.email,
            "agentSourcedIds": _join(sorted(agents.get(u.pk, []))),
            "grades": u.grade,
        }
        if version == "1.1":
            row["orgSourcedIds"] = _join(o.sourced_id for o in u.orgs.all())
            row["role"] = _role_v11(u, relationship)
            out["users"].append(row)
            continue
        roles = [
            {
                "sourcedId": r.sourced_id,
                "userSourcedId": u.sourced_id,
                "roleType": r.role_type,
                "role": r.role,
                "beginDate": _date(r.begin_date),
                "endDate": _date(r.end_date),
                "orgSourcedId": r.org.sourced_id,
                "userProfileSourcedId": r.user_profile.sourced_id if r.user_profile else "",
            }
            for r in kept_roles.get(u.pk, [])
        ] or _roles_v12(u, relationship)
        primary = next(r for r in roles if r["roleType"] == "primary")
        row["primaryOrgSourcedId"] = primary["orgSourcedId"]
        out["users"].append(row)
        out["roles"].extend(base | r for r in roles)
    if version == "1.2":
        profiles = OneRosterUserProfile.objects.select_related("user").order_by("pk")
        for p in profiles:
            if p.user_id not in exported_pks:
                continue
            out["userProfiles"].append(
                base
                | {
                    "sourcedId": p.sourced_id,
                    "userSourcedId": p.user.sourced_id,
                    "profileType": p.profile_type,
                    "vendorId": p.vendor_id,
                    "applicationId": p.application_id,
                    "description": p.description,
                    "credentialType": p.credential_type,
                    "username": p.username,
                }
            )
    exported = {row["sourcedId"] for row in out["users"]}
    enrollments = Enrollment.objects.select_related("user", "school_class__school")
    for e in enrollments.order_by("pk"):
        if e.user.sourced_id not in exported:
            continue
        out["enrollments"].append(
            base
            | {
                "sourcedId": e.sourced_id,
                "classSourcedId": e.school_class.sourced_id,
                "schoolSourcedId": e.school_class.school.sourced_id,
                "userSourcedId": e.user.sourced_id,
                "role": e.role,
                "primary": "true" if e.primary else "false",
                "beginDate": _date(e.begin_date),
                "endDate": _date(e.end_date),
            }
        )
    for d in Demographics.objects.order_by("pk"):
        if d.sourced_id not in exported:
            continue
        out["demographics"].append(
            base
            | {"sourcedId": d.sourced_id, "birthDate": _date(d.birth_date), "sex": d.sex}
            | {k: str(v) for k, v in d.fields.items() if k in spec.HEADERS["demographics"]}
        )
    return out


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def oneroster_export(*, path: Path | str, version: str = "1.1") -> dict[str, int]:
    """Write the bundle in OneRoster ``version`` (1.1 or 1.2); returns the rows per file."""
    if version not in spec.VERSIONS:
        raise ValueError(f"OneRoster version must be one of {', '.join(spec.VERSIONS)}")
    target = Path(path)
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rows = _rows(stamp, version)
    files = spec.files_for(version)
    headers = spec.headers_for(version)
    manifest = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    manifest += [f"file.{name},bulk" for name in files]
    manifest += ["source.systemName,Tandem", "source.systemCode,tandem"]
    texts = {"manifest": "\n".join(manifest) + "\n"}
    texts |= {name: _csv(headers[name], rows[name]) for name in files}
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in texts.items():
                archive.writestr(f"{name}.csv", text)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (target / f"{name}.csv").write_text(text, encoding="utf-8")
    return {name: len(rows[name]) for name in files}
