"""Calibration as a background task: start a run, and carry it out with visible progress."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from tandem.isolation import in_child_process
from tandem.mastery.calibration import (
    InsufficientEvidenceError,
    calibrate,
    parameter_set_activate,
    parameter_set_import,
)
from tandem.mastery.constants import ACTIVE_RUN_STATUSES, RunStatus
from tandem.mastery.models import CalibrationRun, ParameterSet

logger = logging.getLogger(__name__)

# Calibration takes seconds; a run in the slot this long was abandoned (worker stopped or killed).
ABANDONED_AFTER = dt.timedelta(minutes=30)

_Run = TypeVar("_Run", bound=models.Model)


class CalibrationBusyError(RuntimeError):
    """A calibration is already queued or running; a second one would only repeat it."""

    def __init__(self, run: CalibrationRun) -> None:
        super().__init__(f"Calibration #{run.pk} is already {run.get_status_display().lower()}.")
        self.run = run


def run_slot_holder(model: type[_Run]) -> _Run | None:
    """The queued or running run of a one-at-a-time background job (calibration, an import),
    after marking failed any run that has held the slot longer than ``ABANDONED_AFTER``."""
    now = timezone.now()
    cutoff = now - ABANDONED_AFTER
    model._default_manager.filter(
        Q(status=RunStatus.QUEUED, created_at__lt=cutoff)
        | Q(status=RunStatus.RUNNING, started_at__lt=cutoff)
    ).update(
        status=RunStatus.FAILED,
        error=f"Abandoned: not finished after {ABANDONED_AFTER.total_seconds() / 60:.0f} minutes "
        "(was the background worker stopped? `tandem serve` starts one unless TANDEM_WORKER=0).",
        finished_at=now,
    )
    return model._default_manager.filter(status__in=ACTIVE_RUN_STATUSES).first()


def calibration_run_active() -> CalibrationRun | None:
    """The run holding the calibration slot, after releasing one that was abandoned."""
    return run_slot_holder(CalibrationRun)


def calibration_run_create(*, requested_by: Any | None) -> CalibrationRun:
    """Record a queued run; raises :class:`CalibrationBusyError` if one holds the slot."""
    active = calibration_run_active()
    if active is not None:
        raise CalibrationBusyError(active)
    try:
        with transaction.atomic():
            return CalibrationRun.objects.create(
                requested_by=requested_by, message="Waiting for the background worker"
            )
    except IntegrityError:
        # Lost a race with a simultaneous request: the database allows one active run.
        active = calibration_run_active()
        if active is None:
            raise
        raise CalibrationBusyError(active) from None


def calibration_run_start(*, requested_by: Any | None) -> CalibrationRun:
    """Queue a calibration for the background worker; at most one is queued or running."""
    with transaction.atomic():
        run = calibration_run_create(requested_by=requested_by)
        # Enqueued in the same transaction: the task row and the run appear together or not at all.
        result = calibrate_task.enqueue(run.pk)
        CalibrationRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def calibration_run_execute(
    run_id: int, *, echo: Callable[[int, str], None] | None = None
) -> CalibrationRun:
    """Carry out a queued run, recording progress, the outcome and any error on it.

    A run that is no longer queued (already carried out, or given up as abandoned) is left as
    it is, so a late worker never runs a second calibration alongside a newer one.
    """
    runs = CalibrationRun.objects.filter(pk=run_id)
    claimed = runs.filter(status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0, message="Starting"
    )
    if not claimed:
        logger.warning("calibration run %s is not queued; not running it", run_id)
        return CalibrationRun.objects.get(pk=run_id)

    def progress(percent: int, message: str) -> None:
        runs.update(progress=percent, message=message[:255])
        if echo is not None:
            echo(percent, message)

    try:
        report = calibrate(progress=progress)
    except InsufficientEvidenceError as refused:
        runs.update(
            status=RunStatus.FAILED,
            error=str(refused),
            message="Refused: too little evidence",
            finished_at=timezone.now(),
        )
    except BaseException as error:  # also an interrupt or the worker's exit: never left running
        logger.exception("calibration run %s failed", run_id)
        _run_failed(runs, error, message="Failed")
        raise
    else:
        run = CalibrationRun.objects.get(pk=run_id)
        _run_succeeded(
            runs,
            report,
            by=run.requested_by,
            log=run.log,
            text=lambda message: f"Calibrated {message}. {report.comparison()}.",
        )
    return CalibrationRun.objects.get(pk=run_id)


def _run_failed(runs: Any, error: BaseException, *, message: str) -> None:
    detail = str(error)
    runs.update(
        status=RunStatus.FAILED,
        error=f"{type(error).__name__}: {detail}" if detail else type(error).__name__,
        message=message,
        finished_at=timezone.now(),
    )


def _run_succeeded(
    runs: Any,
    report: Any,
    *,
    by: Any | None,
    log: list[dict[str, Any]],
    text: Callable[[str], str],
) -> None:
    """The run done: its parameter set, report and a log entry; ``text`` words the entry from
    the message ("bkt-… kept inactive: held-out AUC 0.669 < active 0.682", or "… activated")."""
    message = f"{report.version} {report.decision}"
    runs.update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        message=message[:255],
        parameter_set=ParameterSet.objects.get(version=report.version),
        report=report.as_dict(),
        log=[
            *log,
            _log_entry(
                by=by, event="activated" if report.activated else "kept", text=text(message)
            ),
        ],
        finished_at=timezone.now(),
    )


def _log_entry(*, by: Any | None, event: str, text: str) -> dict[str, Any]:
    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "by": by.get_username() if by is not None else "",
        "event": event,
        "text": text,
    }


def calibrate_and_record(
    *, requested_by: Any | None = None, echo: Callable[[int, str], None] | None = None
) -> CalibrationRun:
    """Calibrate now, in this process, recorded as a run like the admin's (``tandem
    calibrate``, ``tandem demo``): the run list shows every calibration, and two never overlap.

    Raises :class:`CalibrationBusyError` if a run holds the slot. Too little evidence is not
    an exception: the run is recorded as failed, with the reason.
    """
    run = calibration_run_create(requested_by=requested_by)
    return calibration_run_execute(run.pk, echo=echo)


def parameters_import_and_record(
    *, document: dict[str, Any], requested_by: Any | None = None, activate: bool = True
) -> CalibrationRun:
    """Import a parameter set fitted elsewhere (``tandem import parameters``), recorded as a
    calibration run: the run list shows it, it never overlaps a calibration, and a set it kept
    inactive can be activated deliberately like any calibration's.

    Raises :class:`CalibrationBusyError` if a run holds the slot, and
    :class:`~tandem.mastery.calibration.ParameterDocumentError` (the run marked failed, with
    the reason) for a document that cannot be used.
    """
    run = calibration_run_create(requested_by=requested_by)
    runs = CalibrationRun.objects.filter(pk=run.pk)
    runs.update(
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        message="Importing a parameter set fitted elsewhere",
    )
    try:
        report = parameter_set_import(document=document, activate=activate)
    except BaseException as error:
        _run_failed(runs, error, message="Import failed")
        raise
    _run_succeeded(
        runs, report, by=requested_by, log=[], text=lambda message: f"Imported {message}."
    )
    return CalibrationRun.objects.get(pk=run.pk)


class ActivationRefusedError(RuntimeError):
    """The run has no stored parameter set to activate, or its set is already active."""


def _kept_parameter_set(run: CalibrationRun) -> ParameterSet:
    """The set ``run`` stored and that is still inactive, or :class:`ActivationRefusedError`;
    :class:`CalibrationBusyError` while a calibration, which adopts its own set, is pending."""
    parameter_set = run.parameter_set
    if parameter_set is None:
        raise ActivationRefusedError(f"{run} has no parameter set to activate.")
    parameter_set.refresh_from_db()
    if parameter_set.is_active:
        raise ActivationRefusedError(f"{parameter_set.version} is already the active set.")
    busy = calibration_run_active()
    if busy is not None:
        raise CalibrationBusyError(busy)
    return parameter_set


def _log_append(run_id: int, entry: dict[str, Any], **fields: Any) -> None:
    """Append one entry to a run's log (locked, so that no entry is lost), with ``fields``."""
    with transaction.atomic():
        run = CalibrationRun.objects.select_for_update().get(pk=run_id)
        CalibrationRun.objects.filter(pk=run_id).update(log=[*run.log, entry], **fields)


def calibration_run_activate_start(*, run: CalibrationRun, by: Any) -> None:
    """Queue the deliberate activation of the set ``run`` kept inactive, for the background
    worker (it rebuilds every learner state, too long for a request on a large installation).

    Checked now as well as when it runs; the request is logged on the run with who made it.
    """
    run.refresh_from_db()
    parameter_set = _kept_parameter_set(run)
    with transaction.atomic():
        _log_append(
            run.pk,
            _log_entry(
                by=by,
                event="activation requested",
                text=f"Asked to activate {parameter_set.version} deliberately.",
            ),
        )
        # In the same transaction: the request is logged if and only if the task is queued.
        activate_task.enqueue(run.pk, by.pk)


def calibration_run_activate(*, run: CalibrationRun, by: Any) -> CalibrationRun:
    """Activate the parameter set ``run`` kept inactive, deliberately, and say so in its log.

    Every learner state is rebuilt under the set, as when calibration activates it. Refused
    (:class:`ActivationRefusedError`) when the set is gone or already active, and
    (:class:`CalibrationBusyError`) while a calibration is queued or running, which would
    otherwise adopt its own set at the same time.
    """
    run.refresh_from_db()
    parameter_set = _kept_parameter_set(run)
    previous = ParameterSet.objects.filter(is_active=True).order_by("-created_at").first()
    n_states, n_changes = parameter_set_activate(parameter_set=parameter_set)
    decision = (run.report or {}).get("decision", "")
    text = (
        f"Activated {parameter_set.version} deliberately, replacing "
        f"{previous.version if previous else 'no active set'}"
        + (f" (calibration had {decision})" if decision else "")
        + f"; recomputed {n_states} learner states and {n_changes} state changes."
    )
    _log_append(
        run.pk,
        _log_entry(by=by, event="activated by hand", text=text),
        message=f"{parameter_set.version} activated by {by.get_username()}"[:255],
    )
    logger.info("calibration run %s: %s", run.pk, text)
    run.refresh_from_db()
    return run


@task()
def activate_task(run_id: int, user_id: int) -> str:
    """The worker's entry point for a deliberate activation; a refusal is logged on the run.
    Runs in a child process (recomputing every estimate is heavy): see ``tandem.isolation``."""
    return in_child_process(_activate, run_id, user_id)


def _activate(run_id: int, user_id: int) -> str:
    run = CalibrationRun.objects.get(pk=run_id)
    by = get_user_model().objects.get(pk=user_id)
    try:
        calibration_run_activate(run=run, by=by)
    except (ActivationRefusedError, CalibrationBusyError) as refused:
        _log_append(
            run_id, _log_entry(by=by, event="activation refused", text=f"Not activated: {refused}")
        )
        return "refused"
    return "activated"


@task()
def calibrate_task(run_id: int) -> str:
    """The worker's entry point: run calibration ``run_id`` and return its final status, in a
    child process so that the worker gives the fit's memory back (``tandem.isolation``)."""
    return in_child_process(_calibrate, run_id)


def _calibrate(run_id: int) -> str:
    return str(calibration_run_execute(run_id).status)
