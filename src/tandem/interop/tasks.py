"""OneRoster import as a background task: queue an uploaded bundle, import it with progress."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_tasks import task

from tandem.interop.models import OneRosterImportRun
from tandem.interop.oneroster.importer import oneroster_import
from tandem.mastery.constants import RunStatus
from tandem.mastery.tasks import run_slot_holder

logger = logging.getLogger(__name__)


class OneRosterImportBusyError(RuntimeError):
    """An import is already queued or running; a second at once could interleave the roster."""

    def __init__(self, run: OneRosterImportRun) -> None:
        super().__init__(f"{run} is already {run.get_status_display().lower()}.")
        self.run = run


def oneroster_import_run_active() -> OneRosterImportRun | None:
    """The run holding the import slot, after releasing one that was abandoned."""
    return run_slot_holder(OneRosterImportRun)


def oneroster_import_run_start(
    *, upload: UploadedFile[bytes], dry_run: bool, requested_by: Any | None
) -> OneRosterImportRun:
    """Store the uploaded zip and queue its import; raises :class:`OneRosterImportBusyError`.

    The upload must already be checked (a zip, within the size limit): see the admin's form.
    """
    active = oneroster_import_run_active()
    if active is not None:
        raise OneRosterImportBusyError(active)
    try:
        with transaction.atomic():
            run = OneRosterImportRun(
                requested_by=requested_by,
                dry_run=dry_run,
                original_name=(upload.name or "")[:255],
                message="Waiting for the background worker",
            )
            run.bundle.save("bundle.zip", upload, save=False)
            run.save()
            # Enqueued in the same transaction: the task row and the run appear together or not.
            result = oneroster_import_task.enqueue(run.pk)
            OneRosterImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    except IntegrityError:
        # Lost a race with a simultaneous request: the database allows one active run.
        active = oneroster_import_run_active()
        if active is None:
            raise
        raise OneRosterImportBusyError(active) from None
    run.refresh_from_db()
    return run


def _discard_bundle(run_id: int) -> None:
    run = OneRosterImportRun.objects.get(pk=run_id)
    if run.bundle:
        run.bundle.delete(save=False)
        OneRosterImportRun.objects.filter(pk=run_id).update(bundle="")


def oneroster_import_run_execute(run_id: int) -> OneRosterImportRun:
    """Import a queued run's bundle, recording progress, the report and any error on it.

    A run no longer queued (already carried out, or given up as abandoned) is left as it is.
    """
    runs = OneRosterImportRun.objects.filter(pk=run_id)
    claimed = runs.filter(status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0, message="Starting"
    )
    if not claimed:
        logger.warning("OneRoster import run %s is not queued; not running it", run_id)
        return OneRosterImportRun.objects.get(pk=run_id)
    run = runs.get()

    def progress(done: int, total: int, message: str) -> None:
        percent = min(100, max(0, round(100 * done / total))) if total else 0
        runs.update(progress=percent, message=message[:255])

    try:
        with stored_file_on_disk(run.bundle) as path:
            report = oneroster_import(path=path, dry_run=run.dry_run, progress=progress)
    except BaseException as error:  # also an interrupt or the worker's exit: never left running
        logger.exception("OneRoster import run %s failed", run_id)
        detail = str(error)
        runs.update(
            status=RunStatus.FAILED,
            error=f"{type(error).__name__}: {detail}" if detail else type(error).__name__,
            message="Failed",
            finished_at=timezone.now(),
        )
        _discard_bundle(run_id)
        raise
    counts = {
        name: {
            "created": c.created,
            "updated": c.updated,
            "removed": c.removed,
            "unchanged": c.unchanged,
        }
        for name, c in report.files.items()
    }
    outcome: dict[str, Any] = {
        "report": "\n".join(report.lines()),
        "counts": counts,
        "finished_at": timezone.now(),
    }
    if report.refused:
        runs.update(
            status=RunStatus.FAILED,
            error=f"{len(report.refused)} row(s) refused; nothing was imported.",
            message="Refused: see the report",
            **outcome,
        )
    else:
        done = "Dry run: nothing was saved" if run.dry_run else f"Done: {report.changed} changed"
        runs.update(status=RunStatus.SUCCEEDED, progress=100, message=done, **outcome)
    _discard_bundle(run_id)
    return runs.get()


@contextlib.contextmanager
def stored_file_on_disk(stored: FieldFile) -> Iterator[Path]:
    """A path to a stored file: its own on local storage, a temporary copy from a bucket."""
    try:
        local: str | None = stored.path
    except NotImplementedError:  # a storage without local paths (an S3 bucket)
        local = None
    if local is not None:
        yield Path(local)
        return
    suffix = Path(stored.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with stored.open("rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


@task()
def oneroster_import_task(run_id: int) -> str:
    """The worker's entry point: import run ``run_id`` and return its final status."""
    return oneroster_import_run_execute(run_id).status
