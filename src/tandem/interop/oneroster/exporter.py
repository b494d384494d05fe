"""Export of the roster as a OneRoster 1.1 CSV bulk bundle: a folder, or a zip (path ends .zip).

Writes what the roster stores; columns Tandem does not keep (middle name, phone, location ...)
are left empty, so import → export → import changes nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone

from tandem.interop.models import Demographics
from tandem.interop.oneroster import spec
from tandem.roster.models import AcademicSession, Course, Enrollment, Org, SchoolClass, User


def _join(values: Iterable[str]) -> str:
    return ",".join(values)


def _date(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


def _rows(stamp: str) -> dict[str, list[dict[str, str]]]:
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
    for u in User.objects.prefetch_related("orgs").order_by("pk"):
        if not u.orgs.all():
            continue  # OneRoster requires an org; local accounts (demo, admin) stay home
        out["users"].append(
            base
            | {
                "sourcedId": u.sourced_id,
                "enabledUser": "true" if u.is_active else "false",
                "orgSourcedIds": _join(o.sourced_id for o in u.orgs.order_by("pk")),
                "role": u.role,
                "username": u.username,
                "givenName": u.first_name,
                "familyName": u.last_name,
                "identifier": u.identifier,
                "email": u.email,
                "grades": u.grade,
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


def oneroster_export(*, path: Path | str) -> dict[str, int]:
    """Write the bundle; returns the number of rows per file."""
    target = Path(path)
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rows = _rows(stamp)
    manifest = ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1"]
    manifest += [f"file.{name},bulk" for name in spec.FILES]
    manifest += ["source.systemName,Tandem", "source.systemCode,tandem"]
    texts = {"manifest": "\n".join(manifest) + "\n"}
    texts |= {name: _csv(spec.HEADERS[name], rows[name]) for name in spec.FILES}
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in texts.items():
                archive.writestr(f"{name}.csv", text)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (target / f"{name}.csv").write_text(text, encoding="utf-8")
    return {name: len(rows[name]) for name in spec.FILES}
