"""`tandem student export|erase|purge-expired`, and the retention rule behind the purge."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.factories import make_school
from tests.studentdata.conftest import FIRST, SOURCED_ID

from tandem import cli
from tandem.privacy.models import AccessLog
from tandem.roster.models import Enrollment
from tandem.studentdata.models import Erasure
from tandem.studentdata.selectors import students_past_retention


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_writes_the_zip_and_audits_it(learner, tmp_path):
    out = tmp_path / "export.zip"
    _run("student_export", SOURCED_ID, "--out", str(out), "--by", learner.school.admin.username)
    assert FIRST in zipfile.ZipFile(out).read("summary.html").decode()
    assert AccessLog.objects.filter(student=learner.student, action="privacy:export").exists()


def test_the_commands_refuse_unknown_students_and_non_administrators(learner, tmp_path):
    with pytest.raises(CommandError, match="No student"):
        _run("student_export", "nobody", "--by", learner.school.admin.username)
    with pytest.raises(CommandError, match="not an administrator"):
        _run(
            "student_erase", SOURCED_ID, "--reason", "x", "--by", learner.school.teacher_a.username
        )
    assert not Erasure.objects.exists()


def test_erase_erases_once(learner):
    admin = learner.school.admin.username
    said = _run("student_erase", SOURCED_ID, "--reason", "District request", "--by", admin)
    assert "Erased" in said and FIRST not in said
    erasure = Erasure.objects.get()
    assert erasure.reason == "District request"
    # The sourcedId is gone, so the same command now finds no such student.
    with pytest.raises(CommandError, match="No student"):
        _run("student_erase", SOURCED_ID, "--reason", "again", "--by", admin)


def _end_enrolments(student, *, years_ago: int) -> None:
    ended = timezone.localdate() - dt.timedelta(days=365 * years_ago + 10)
    Enrollment.objects.filter(user=student).update(end_date=ended)


def test_retention_finds_students_whose_enrolments_all_ended_long_ago(db):
    school = make_school()
    _end_enrolments(school.student_a, years_ago=4)
    _end_enrolments(school.student_b, years_ago=1)
    assert list(students_past_retention(years=3)) == [school.student_a]
    assert list(students_past_retention(years=5)) == []


def test_purge_expired_is_off_by_default_and_a_dry_run_unless_applied(db, settings):
    school = make_school()
    _end_enrolments(school.student_a, years_ago=4)
    settings.TANDEM_RETENTION_YEARS = None
    assert "not set" in _run("student_purge_expired")
    settings.TANDEM_RETENTION_YEARS = 3
    dry = _run("student_purge_expired")
    assert f"would erase {school.student_a.sourced_id}" in dry
    assert school.student_b.sourced_id not in dry
    assert not Erasure.objects.exists()
    with pytest.raises(CommandError, match="--by"):
        _run("student_purge_expired", "--apply")
    _run("student_purge_expired", "--apply", "--by", school.admin.username)
    assert list(Erasure.objects.values_list("student", flat=True)) == [school.student_a.pk]
    assert "Retention period" in Erasure.objects.get().reason


def test_the_tandem_command_dispatches_student_actions(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_manage", lambda argv: calls.append(argv) or 0)
    cli.main(["student", "export", "S1", "--out", "x.zip", "--by", "ada"])
    cli.main(["student", "erase", "S1", "--reason", "asked", "--by", "ada"])
    cli.main(["student", "purge-expired", "--apply", "--by", "ada"])
    assert calls == [
        ["student_export", "S1", "--out", "x.zip", "--by", "ada"],
        ["student_erase", "S1", "--reason", "asked", "--by", "ada"],
        ["student_purge_expired", "--apply", "--by", "ada"],
    ]


def test_the_retention_setting_is_off_unless_set(monkeypatch):
    from tandem.config import Options

    monkeypatch.delenv("TANDEM_RETENTION_YEARS", raising=False)
    assert Options.from_environment().retention_years is None
    monkeypatch.setenv("TANDEM_RETENTION_YEARS", "off")
    assert Options.from_environment().retention_years is None
    monkeypatch.setenv("TANDEM_RETENTION_YEARS", "7")
    assert Options.from_environment().retention_years == 7
    monkeypatch.setenv("TANDEM_RETENTION_YEARS", "-2")
    with pytest.raises(ValueError, match="TANDEM_RETENTION_YEARS"):
        Options.from_environment()


def test_tandem_student_without_an_action_says_which_there_are(capsys):
    with pytest.raises(SystemExit):
        cli.main(["student"])
    assert "export, erase, purge-expired" in capsys.readouterr().err
