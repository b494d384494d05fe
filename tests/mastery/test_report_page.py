"""The calibration run's admin page: the report in words and SVG charts, and the deliberate,
confirmed and logged activation of a set calibration kept inactive."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from tests.factories import make_school, make_user, record_answer
from tests.mastery.conftest import (
    IMMEDIATE_TASKS,
    activate_poor_parameter_set,
    activate_true_parameter_set,
    add_synthetic_evidence,
)

from tandem.mastery.models import CalibrationRun, LearnerState, StateChange
from tandem.mastery.services import active_parameter_set
from tandem.mastery.tasks import activate_task, calibrate_and_record, calibration_run_create
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:mastery_calibrationrun_changelist")


def _staff(*, can_start):
    user = make_user(Role.ADMINISTRATOR)
    user.is_staff = True
    user.is_superuser = False  # administrators are superusers unless told otherwise
    user.save()
    codenames = ["view_calibrationrun"] + (["start_calibration"] if can_start else [])
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def _page(client, run):
    return client.get(
        reverse("admin:mastery_calibrationrun_change", args=[run.pk])
    ).content.decode()


def test_the_run_page_reads_as_words_and_charts_not_json(client):
    add_synthetic_evidence(n_students=30, n_steps=8, seed=1)
    activate_poor_parameter_set()
    run = calibrate_and_record()
    client.force_login(_staff(can_start=True))
    page = _page(client, run)
    report = run.report
    assert f"{run.parameter_set.version} was made the active parameter set." in page
    assert "Reason: activated: held-out AUC" in page
    assert f"{report['heldout']['n_students']} (" in page  # held-out students, in words
    # The comparison as a table and a bar chart, the reliability diagram, both SVG with a
    # title and a description for screen readers, and no script.
    section = page[page.index('<section class="calibration-report"') :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 2 and section.count('role="img"') == 2
    assert 'aria-labelledby="bars-title bars-desc"' in page
    assert 'aria-labelledby="reliability-svg-title reliability-desc"' in page
    assert f"AUC: new {report['heldout']['auc']:.3f}, active" in page
    assert "A perfectly calibrated model lies on the diagonal" in page
    assert section.count("<circle") == len(report["heldout"]["reliability"]) + 1  # + legend
    assert "<script" not in section
    assert "Where a new student starts: prior by grade gap" in page
    # Raw JSON only inside a collapsed <details>.
    assert page.count("<pre") == 1
    details = page.index("<details>")
    assert details < page.index("<pre>") < page.index("</details>")
    assert '"heldout_before"' not in page[:details]
    assert "Activate the kept parameter set" not in page  # its set is active already


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_a_kept_set_is_activated_only_after_confirmation_and_the_log_says_who(client):
    school = make_school()
    record_answer(school.student_a, "6.EE.A.2", True)
    add_synthetic_evidence(n_students=20, n_steps=8, seed=9)
    truth = activate_true_parameter_set()
    run = calibrate_and_record()
    kept = run.parameter_set
    assert run.status == "succeeded" and not kept.is_active and "kept inactive" in run.message
    admin = _staff(can_start=True)
    client.force_login(admin)
    page = _page(client, run)
    assert f"{kept.version} was stored but not activated; {truth.version} stayed in use." in page
    assert "Activate the kept parameter set" in page

    action = {"action": "activate_kept_set", "_selected_action": [run.pk]}
    confirm = client.post(RUNS, action)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f"Activate {kept.version}?" in text and escape(run.report["decision"]) in text
    assert 'name="confirm" value="yes"' in text
    assert active_parameter_set() == truth  # nothing yet

    done = client.post(RUNS, {**action, "confirm": "yes"}, follow=True)
    assert done.status_code == 200
    assert any(f"Activation of {kept.version} queued" in str(m) for m in done.context["messages"])
    assert active_parameter_set() == kept
    assert not LearnerState.objects.exclude(parameter_set=kept).exists()
    assert not StateChange.objects.exclude(parameter_set=kept).exists()
    run.refresh_from_db()
    events = [entry["event"] for entry in run.log]
    assert events == ["kept", "activation requested", "activated by hand"]
    assert run.log[1]["by"] == admin.username
    entry = run.log[-1]
    assert entry["by"] == admin.username and f"replacing {truth.version}" in entry["text"]
    assert "kept inactive" in entry["text"]
    page = _page(client, run)
    assert re.search(rf"{admin.username}: Activated {kept.version} deliberately", page)
    # A second time there is nothing left to activate.
    again = client.post(RUNS, {**action, "confirm": "yes"}, follow=True)
    assert any("no inactive parameter set" in str(m) for m in again.context["messages"])


def test_activating_needs_the_calibration_permission(client):
    add_synthetic_evidence(n_students=20, n_steps=8, seed=9)
    truth = activate_true_parameter_set()
    run = calibrate_and_record()
    client.force_login(_staff(can_start=False))
    assert "Activate the kept parameter set" not in _page(client, run)
    client.post(
        RUNS, {"action": "activate_kept_set", "_selected_action": [run.pk], "confirm": "yes"}
    )
    assert active_parameter_set() == truth
    assert CalibrationRun.objects.get().log[-1]["event"] == "kept"


def test_the_worker_does_the_activation_and_logs_a_refusal(client):
    add_synthetic_evidence(n_students=20, n_steps=8, seed=9)
    truth = activate_true_parameter_set()
    run = calibrate_and_record()
    admin = _staff(can_start=True)
    client.force_login(admin)
    action = {"action": "activate_kept_set", "_selected_action": [run.pk], "confirm": "yes"}
    client.post(RUNS, action)
    # Queued for the background worker (the database backend): nothing changed yet.
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("activate_task") and task.args_kwargs["args"] == [
        run.pk,
        admin.pk,
    ]
    assert active_parameter_set() == truth
    # A calibration queued before the worker gets to it: the activation gives way, and says so.
    calibration_run_create(requested_by=None)
    assert activate_task.call(run.pk, admin.pk) == "refused"
    run.refresh_from_db()
    assert [e["event"] for e in run.log] == ["kept", "activation requested", "activation refused"]
    assert "already queued" in run.log[-1]["text"] and active_parameter_set() == truth


def test_a_refused_run_page_says_there_is_no_report(client):
    run = calibrate_and_record()
    client.force_login(_staff(can_start=True))
    page = _page(client, run)
    assert "No report yet: the run stopped before fitting anything" in page
    assert "Held-out accuracy" not in page and "<details>" not in page
