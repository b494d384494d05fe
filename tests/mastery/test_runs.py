"""Calibration as a background task, and the admin page that starts it and shows its progress."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.factories import make_user
from tests.mastery.conftest import (
    IMMEDIATE_TASKS,
    activate_poor_parameter_set,
    add_synthetic_evidence,
)

from tandem.mastery.constants import RunStatus
from tandem.mastery.models import CalibrationRun, LearnerState, ParameterSet
from tandem.mastery.services import active_parameter_set
from tandem.mastery.tasks import (
    CalibrationBusyError,
    calibrate_task,
    calibration_run_create,
    calibration_run_execute,
    calibration_run_start,
)
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db

START = reverse("admin:mastery_calibrationrun_start")
RUNS = reverse("admin:mastery_calibrationrun_changelist")


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_task_run_succeeds_with_progress_and_the_new_parameter_set():
    add_synthetic_evidence(n_students=30, n_steps=8, seed=1)
    activate_poor_parameter_set()
    run = calibration_run_start(requested_by=None)
    assert run.status == RunStatus.SUCCEEDED
    assert run.progress == 100
    assert run.task_id
    assert run.parameter_set == active_parameter_set()
    assert run.parameter_set.params["fit"]["n_responses"] == 30 * 8 * 2
    assert run.report["heldout"]["auc"] > 0.5
    assert run.started_at <= run.finished_at
    assert not LearnerState.objects.exclude(parameter_set=run.parameter_set).exists()


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_task_run_with_too_little_evidence_fails_readably():
    versions = set(ParameterSet.objects.values_list("version", flat=True))
    run = calibration_run_start(requested_by=None)
    assert run.status == RunStatus.FAILED
    assert "Too little evidence" in run.error and run.parameter_set is None
    assert set(ParameterSet.objects.values_list("version", flat=True)) == versions


def test_task_records_unexpected_errors_on_the_run(monkeypatch):
    import tandem.mastery.tasks as tasks

    def broken(**kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(tasks, "calibrate", broken)
    run = calibration_run_create(requested_by=None)
    with pytest.raises(ZeroDivisionError):
        calibrate_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "ZeroDivisionError: division by zero"
    assert run.finished_at is not None


def test_only_one_run_is_queued_or_running_at_a_time():
    first = calibration_run_create(requested_by=None)
    with pytest.raises(CalibrationBusyError):
        calibration_run_create(requested_by=None)
    # A run that is no longer queued is not run again by a late worker.
    CalibrationRun.objects.filter(pk=first.pk).update(status=RunStatus.FAILED)
    assert calibration_run_execute(first.pk).status == RunStatus.FAILED
    assert calibration_run_create(requested_by=None).status == RunStatus.QUEUED


def test_an_abandoned_run_gives_up_its_slot():
    stuck = calibration_run_create(requested_by=None)
    CalibrationRun.objects.filter(pk=stuck.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    fresh = calibration_run_create(requested_by=None)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "Abandoned" in stuck.error
    assert "30 minutes" in stuck.error
    assert fresh.status == RunStatus.QUEUED


def test_the_database_holds_the_line_when_two_requests_race(monkeypatch):
    import tandem.mastery.tasks as tasks

    first = calibration_run_create(requested_by=None)
    real = tasks.calibration_run_active
    calls = []

    def active_unseen_at_first():
        # The second request checks before the first one's row is visible to it.
        calls.append(1)
        return None if len(calls) == 1 else real()

    monkeypatch.setattr(tasks, "calibration_run_active", active_unseen_at_first)
    with pytest.raises(CalibrationBusyError) as busy:
        calibration_run_create(requested_by=None)
    assert busy.value.run == first and len(calls) == 2
    assert CalibrationRun.objects.count() == 1


def _staff(*, superuser=False, can_start=False, can_view=True):
    user = make_user(Role.ADMINISTRATOR)
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    codenames = (["view_calibrationrun"] if can_view else []) + (
        ["start_calibration"] if can_start else []
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_start_needs_an_administrator_allowed_to_calibrate(client):
    client.force_login(make_user(Role.TEACHER))
    response = client.post(START)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(_staff(can_start=False))
    assert client.post(START).status_code == 403
    assert client.get(RUNS).status_code == 200
    assert not CalibrationRun.objects.exists()


def test_start_is_post_only_and_csrf_protected():
    client = Client(enforce_csrf_checks=True)
    client.force_login(_staff(superuser=True))
    assert client.get(START).status_code == 405
    assert client.post(START).status_code == 403
    assert not CalibrationRun.objects.exists()


def test_double_submit_queues_exactly_one_run(client):
    admin = _staff(can_start=True)
    client.force_login(admin)
    first = client.post(START, follow=True)
    second = client.post(START, follow=True)
    assert first.status_code == second.status_code == 200
    run = CalibrationRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.requested_by == admin
    assert DBTaskResult.objects.filter(id=run.task_id).count() == 1
    assert DBTaskResult.objects.count() == 1
    warning = [str(m) for m in second.context["messages"]]
    assert any("already queued" in m for m in warning)
    # While a run is pending the page follows it: progress bar and a self-refresh.
    page = second.content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert '<progress max="100" value="0"' in page and "0%" in page
    assert "Calibration in progress" in page
    detail = client.get(reverse("admin:mastery_calibrationrun_change", args=[run.pk]))
    assert '<meta http-equiv="refresh"' in detail.content.decode()


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_finished_run_page_stops_refreshing_and_shows_the_result(client):
    add_synthetic_evidence(n_students=20, n_steps=8, seed=2)
    client.force_login(_staff(superuser=True))
    response = client.post(START, follow=True)
    run = CalibrationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED
    page = response.content.decode()
    assert '<meta http-equiv="refresh"' not in page
    assert '<progress max="100" value="100"' in page and "100%" in page
    assert run.parameter_set.version in page
    assert "Start calibration" in page
    detail = client.get(reverse("admin:mastery_calibrationrun_change", args=[run.pk]))
    assert '<meta http-equiv="refresh"' not in detail.content.decode()
    versions = client.get(reverse("admin:mastery_parameterset_changelist")).content.decode()
    assert run.parameter_set.version in versions
