"""Writes for a family's rights over their child's data: the export, the erasure, the requests.

Both the export and the erasure are audited in the privacy log. The erasure keeps the student's
evidence, mastery and attempts as pseudonymous rows (so class and school aggregates do not
change) and leaves a tombstone; everything that names the student, or that they or their teachers
wrote about them, is deleted or blanked, and uploaded files are removed from storage.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tandem.evidence.services import evidence_erase_free_text
from tandem.interop.xapi.services import lrs_student_pseudonymise
from tandem.privacy.services import access_log_record
from tandem.roster.constants import Role
from tandem.roster.models import User, new_pseudonym
from tandem.studentdata.constants import ERASED_PREFIX, RequestKind, RequestStatus
from tandem.studentdata.models import DataRequest, Erasure
from tandem.studentdata.registry import HOLDINGS, Erase, Holding
from tandem.studentdata.selectors import export_summary_context

# Account fields never exported: secrets, not data about the student.
SECRET_FIELDS = {"password"}


# --- export -----------------------------------------------------------------------------------


def student_export(*, student: User, by: User, now: dt.datetime | None = None) -> bytes:
    """A zip of everything Tandem holds about ``student``: one JSON file per table, the files
    they uploaded, ``people.json`` naming everyone the rows point at, and ``summary.html`` for
    the family. The export is recorded in the audit log as a read of the record by ``by``."""
    now = now or timezone.now()
    access_log_record(actor=by, student=student, action="privacy:export")
    tables: dict[str, list[dict[str, Any]]] = {}
    for holding in HOLDINGS:
        if holding.export:
            tables[holding.model] = _rows(holding, student)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model, rows in tables.items():
            archive.writestr(f"data/{model}.json", _json(rows))
        archive.writestr("people.json", _json(_people(tables)))
        archive.writestr("competencies.json", _json(_competencies(tables)))
        files = _uploaded_files(student)
        for name, stored in files:
            try:
                with default_storage.open(stored, "rb") as handle:
                    archive.writestr(name, handle.read())
            except FileNotFoundError:
                archive.writestr(name + ".missing.txt", "This file is no longer in storage.\n")
        context = export_summary_context(student=student, now=now) | {
            "files": [name for name, _ in files],
            "tables": {model: len(rows) for model, rows in tables.items()},
        }
        archive.writestr("summary.html", render_to_string("studentdata/summary.html", context))
        archive.writestr("summary.css", render_to_string("studentdata/summary.css"))
    return buffer.getvalue()


def _rows(holding: Holding, student: User) -> list[dict[str, Any]]:
    rows = [
        {k: v for k, v in row.items() if k not in SECRET_FIELDS}
        for row in holding.rows_of(student).order_by("pk").values()
    ]
    model = holding.model_class
    pks = [row["id"] for row in rows if "id" in row]
    for m2m in model._meta.many_to_many:
        if m2m.name in ("groups", "user_permissions"):
            continue
        through: Any = m2m.remote_field.through
        source = m2m.m2m_field_name()
        target = m2m.m2m_reverse_field_name()
        linked: dict[Any, list[Any]] = {}
        pairs = through._base_manager.filter(**{f"{source}__in": pks}).values_list(
            f"{source}_id", f"{target}_id"
        )
        for row_pk, other in pairs:
            linked.setdefault(row_pk, []).append(other)
        for row in rows:
            row[m2m.name] = sorted(linked.get(row.get("id"), []))
    return rows


def _competencies(tables: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """The competencies the exported rows name, by id: their code and statement."""
    from tandem.competencies.models import Competency

    ids: set[int] = set()
    for rows in tables.values():
        for row in rows:
            for key in ("competency_id", "competencies", "practises"):
                value = row.get(key)
                if isinstance(value, int):
                    ids.add(value)
                elif isinstance(value, list):
                    ids.update(v for v in value if isinstance(v, int))
    return {
        str(pk): {"code": code, "statement": text}
        for pk, code, text in Competency.objects.filter(pk__in=ids).values_list(
            "pk", "human_coding_scheme", "full_statement"
        )
    }


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _people(tables: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Everyone the exported rows point at (teachers, guardians, readers), by id."""
    user_fields: set[str] = set()
    for model in tables:
        holding = next(h for h in HOLDINGS if h.model == model)
        for f in holding.model_class._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is User:
                user_fields.add(f.attname)
    ids = {
        value
        for rows in tables.values()
        for row in rows
        for key, value in row.items()
        if key in user_fields and value is not None
    }
    return {
        str(person.pk): {"name": person.display_name, "role": person.get_role_display()}
        for person in User.objects.filter(pk__in=ids)
    }


def _uploaded_files(student: User) -> list[tuple[str, str]]:
    """(name in the zip, name in storage) of each file the student uploaded."""
    from tandem.practice.models import WrittenAnswer
    from tandem.projects.models import Submission

    out = []
    for pk, stored, sent_as in (
        Submission.objects.filter(project__student=student)
        .exclude(file="")
        .values_list("pk", "file", "file_name")
        .order_by("pk")
    ):
        name = PurePosixPath(sent_as or stored).name
        out.append((f"files/submission-{pk}-{name}", stored))
    for answer_id, photo in (
        WrittenAnswer.objects.filter(student=student)
        .exclude(photo="")
        .values_list("pk", "photo")
        .order_by("submitted_at", "pk")
    ):
        out.append((f"files/written-answer-{answer_id}{PurePosixPath(photo).suffix}", photo))
    return out


# --- erasure ----------------------------------------------------------------------------------


@dataclass
class _Erasing:
    student: User
    new_id: str
    old_names: list[str]
    email: str
    files: list[str] = field(default_factory=list)


def student_erase(
    *,
    student: User,
    by: User,
    reason: str,
    request: DataRequest | None = None,
    now: dt.datetime | None = None,
) -> tuple[Erasure, bool]:
    """Erase ``student``'s personal data; returns the tombstone and whether this call erased.

    Erasing an erased student again does nothing and returns the first tombstone, so a form
    sent twice is harmless. Uploaded files are removed from storage once the erasure commits.
    """
    if student.role != Role.STUDENT:
        raise ValueError("Only a student's record can be erased this way.")
    if not reason.strip():
        raise ValueError("Say why the record is erased.")
    now = now or timezone.now()
    try:
        erasure, erased = _erase(student=student, by=by, reason=reason, request=request, now=now)
    except IntegrityError:
        # Another request erased the student between our check and our tombstone.
        existing = Erasure.objects.filter(student_id=student.pk).first()
        if existing is None:
            raise
        return existing, False
    student.refresh_from_db()
    return erasure, erased


def _erase(
    *, student: User, by: User, reason: str, request: DataRequest | None, now: dt.datetime
) -> tuple[Erasure, bool]:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=student.pk)
        existing = Erasure.objects.filter(student=locked).first()
        if existing is not None:
            return existing, False
        access_log_record(actor=by, student=locked, action="privacy:erase")
        erasing = _Erasing(
            student=locked,
            new_id=ERASED_PREFIX + secrets.token_hex(6),
            old_names=[locked.sourced_id, locked.username],
            email=locked.email,
        )
        counts: dict[str, Any] = {}
        for holding in HOLDINGS:
            rows = holding.rows_of(locked)
            if holding.erase == Erase.SERVICE:
                counts[holding.model] = ERASERS[holding.model](erasing, holding, rows)
            elif holding.erase == Erase.BLANK:
                counts[holding.model] = _blank(holding, rows)
            elif holding.erase == Erase.DELETE:
                counts[holding.model] = rows.delete()[0]
            else:
                counts[holding.model] = rows.count()
        counts["files removed"] = len(erasing.files)
        erasure = Erasure.objects.create(
            student=locked,
            erased_by=by,
            erased_at=now,
            reason=reason.strip()[:500],
            request=request,
            counts=counts,
        )
        if request is not None:
            _request_done(request, by=by, now=now)
        files = list(erasing.files)
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    return erasure, True


def _blank(holding: Holding, rows: models.QuerySet[Any]) -> int:
    meta = holding.model_class._meta
    values = {}
    for name in holding.blank:
        model_field = meta.get_field(name)
        values[name] = (
            model_field.get_default() if isinstance(model_field, models.JSONField) else ""
        )
    return rows.update(**values)


def _erase_evidence(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    return evidence_erase_free_text(student=erasing.student)


def _erase_lrs(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    return lrs_student_pseudonymise(
        student=erasing.student,
        account_names=erasing.old_names,
        email=erasing.email,
        new_name=erasing.new_id,
    )


def _erase_lrs_links(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    return rows.count()  # rebuilt with the statements by _erase_lrs


def _erase_submissions(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    erasing.files += [name for name in rows.exclude(file="").values_list("file", flat=True)]
    return _blank(holding, rows)


def _erase_written_answers(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    erasing.files += [name for name in rows.exclude(photo="").values_list("photo", flat=True)]
    return _blank(holding, rows)


def _erase_enrollments(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    enrollments = list(rows)
    for enrollment in enrollments:
        enrollment.sourced_id = f"{erasing.new_id}-{enrollment.pk}"
    return int(rows.model._base_manager.bulk_update(enrollments, ["sourced_id"]))


# Free text outside the student's own rows that may quote them: (model, fields) whose mentions
# of the student's name and identifiers are replaced by the new token.
MENTIONS = (
    ("admin.LogEntry", ("object_repr", "change_message")),
    ("interop.OneRosterImportRun", ("message", "error", "report")),
)


def _scrub_mentions(erasing: _Erasing) -> int:
    """Replace the student's full name, sourcedId, username and email where staff tools wrote
    them into free text (the admin's history, roster import reports)."""
    student = erasing.student
    full_name = f"{student.first_name} {student.last_name}".strip()
    needles = [n for n in (full_name, *erasing.old_names, erasing.email) if len(n) >= 3]
    if not needles:
        return 0
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in needles), re.IGNORECASE)
    changed = 0
    for label, fields in MENTIONS:
        model = apps.get_model(label)
        found = models.Q()
        for name in fields:
            for needle in needles:
                found |= models.Q(**{f"{name}__icontains": needle})
        for row in model._base_manager.filter(found):
            for name in fields:
                setattr(row, name, pattern.sub(erasing.new_id, getattr(row, name)))
            row.save(update_fields=list(fields))
            changed += 1
    return changed


def _erase_account(erasing: _Erasing, holding: Holding, rows: models.QuerySet[Any]) -> int:
    student = erasing.student
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(student.pk)
    ).update(object_repr=erasing.new_id, change_message="")
    _scrub_mentions(erasing)
    student.groups.clear()
    student.user_permissions.clear()
    student.first_name = student.last_name = student.email = student.identifier = ""
    student.username = student.sourced_id = erasing.new_id
    student.pseudonym = new_pseudonym()
    student.is_active = False
    student.last_login = None
    student.set_unusable_password()
    student.save()
    return 1


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


ERASERS: dict[str, Callable[[_Erasing, Holding, models.QuerySet[Any]], int]] = {
    "evidence.Statement": _erase_evidence,
    "interop.LrsStatement": _erase_lrs,
    "interop.LrsStatementLink": _erase_lrs_links,
    "projects.Submission": _erase_submissions,
    "practice.WrittenAnswer": _erase_written_answers,
    "roster.Enrollment": _erase_enrollments,
    "roster.User": _erase_account,
}


# --- retention --------------------------------------------------------------------------------


def students_purge_expired(
    *, years: int, by: User, today: dt.date | None = None, apply: bool = False
) -> list[User]:
    """Students whose enrolments all ended more than ``years`` ago; erased when ``apply``."""
    from tandem.studentdata.selectors import students_past_retention

    due = list(students_past_retention(years=years, today=today))
    if apply:
        for student in due:
            student_erase(
                student=student,
                by=by,
                reason=f"Retention period ended ({years} years after the last enrolment).",
            )
    return due


# --- requests ---------------------------------------------------------------------------------


def data_request_create(
    *,
    student: User,
    kind: RequestKind,
    recorded_by: User,
    requested_by: User | None = None,
    requester_name: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> DataRequest:
    if student.role != Role.STUDENT:
        raise ValueError("A request is about a student.")
    return DataRequest.objects.create(
        student=student,
        kind=kind,
        requested_by=requested_by,
        requester_name=requester_name.strip()[:200],
        note=note.strip(),
        recorded_by=recorded_by,
        received_at=now or timezone.now(),
    )


def data_request_export(*, request: DataRequest, by: User, now: dt.datetime | None = None) -> bytes:
    """The export a request asked for, marking the request done (each download is audited)."""
    if request.kind != RequestKind.EXPORT:
        raise ValueError("This request is not for a copy of the data.")
    now = now or timezone.now()
    with transaction.atomic():
        archive = student_export(student=request.student, by=by, now=now)
        if request.status == RequestStatus.OPEN:
            _request_done(request, by=by, now=now)
    return archive


def data_request_erase(
    *, request: DataRequest, by: User, reason: str, now: dt.datetime | None = None
) -> tuple[Erasure, bool]:
    if request.kind != RequestKind.ERASURE:
        raise ValueError("This request is not for an erasure.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=request.pk)
        erasure, erased = student_erase(
            student=locked.student, by=by, reason=reason, request=locked, now=now
        )
        if not erased and locked.status == RequestStatus.OPEN:
            # Erased already (from the command line, or another request): this one is done too.
            _request_done(locked, by=by, now=now)
    return erasure, erased


def data_request_decline(*, request: DataRequest, by: User, now: dt.datetime | None = None) -> None:
    if request.status == RequestStatus.OPEN:
        request.status = RequestStatus.DECLINED
        request.handled_by = by
        request.handled_at = now or timezone.now()
        request.save(update_fields=["status", "handled_by", "handled_at"])


def _request_done(request: DataRequest, *, by: User, now: dt.datetime) -> None:
    request.status = RequestStatus.DONE
    request.handled_by = by
    request.handled_at = now
    request.save(update_fields=["status", "handled_by", "handled_at"])
