"""``tandem calibrate`` / ``tandem manage calibrate``, and the worker ``tandem serve`` runs."""

import io
import os
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from tests.mastery.conftest import (
    activate_poor_parameter_set,
    activate_true_parameter_set,
    add_synthetic_evidence,
)

from tandem import cli
from tandem.mastery.constants import RunStatus
from tandem.mastery.models import CalibrationRun
from tandem.mastery.services import active_parameter_set


@pytest.mark.django_db
def test_command_calibrates_and_prints_a_report():
    add_synthetic_evidence(n_students=25, n_steps=8, seed=4)
    activate_poor_parameter_set()
    out = io.StringIO()
    call_command("calibrate", stdout=out)
    text = out.getvalue()
    version = active_parameter_set().version
    assert f"Calibrated parameter set {version} (now active)" in text
    assert "activated: held-out AUC" in text and "≥ active" in text and "(bkt-poor)" in text
    assert "[100%]" in text
    assert "400 answers from 25 students" in text
    assert "new AUC" in text and "vs active" in text and "log-loss" in text and "took" in text
    assert "prior P(mastered) by grade gap" in text
    run = CalibrationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.parameter_set.version == version
    assert run.message.startswith(f"{version} activated: held-out AUC")


@pytest.mark.django_db
def test_command_prints_why_a_worse_set_was_kept_inactive():
    add_synthetic_evidence(n_students=20, n_steps=8, seed=9)
    truth = activate_true_parameter_set()
    out = io.StringIO()
    call_command("calibrate", "--quiet", stdout=out)
    text = out.getvalue()
    run = CalibrationRun.objects.get()
    kept = run.parameter_set
    assert f"Calibrated parameter set {kept.version} (stored, not active)" in text
    assert "kept inactive: held-out" in text
    assert "< active" in text or "> active" in text
    assert f"The active set stays {truth.version}" in text
    assert active_parameter_set() == truth and not kept.is_active
    assert run.status == RunStatus.SUCCEEDED and "kept inactive" in run.message


@pytest.mark.django_db
def test_command_refuses_with_too_little_evidence():
    with pytest.raises(CommandError, match="Too little evidence"):
        call_command("calibrate", "--quiet", stdout=io.StringIO())
    assert CalibrationRun.objects.get().status == RunStatus.FAILED


def test_tandem_calibrate_runs_the_management_command(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_manage", lambda argv: calls.append(argv) or 0)
    assert cli.main(["calibrate"]) == 0
    assert cli.main(["calibrate", "--quiet"]) == 0
    assert calls == [["calibrate"], ["calibrate", "--quiet"]]


def test_serve_can_leave_the_worker_out(monkeypatch):
    parser_args = type("Args", (), {"worker": True})()
    monkeypatch.setenv("TANDEM_WORKER", "0")
    assert not cli._worker_enabled(parser_args)
    monkeypatch.setenv("TANDEM_WORKER", "1")
    assert cli._worker_enabled(parser_args)
    parser_args.worker = False
    assert not cli._worker_enabled(parser_args)


def test_supervise_stops_the_worker_when_the_server_exits(tmp_path):
    pid_file = tmp_path / "worker.pid"
    worker = [
        sys.executable,
        "-c",
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    ]
    server = [sys.executable, "-c", "import time; time.sleep(1); raise SystemExit(3)"]
    started = time.monotonic()
    assert cli.supervise(server, worker, poll=0.1) == 3
    assert time.monotonic() - started < 20
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
