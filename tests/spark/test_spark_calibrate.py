"""Calibration as a Spark job: the exported evidence, fitted competency by competency on
executors, gives the parameters calibration fits on one machine, and imports as a set."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.conftest import in_ci
from tests.mastery.conftest import activate_poor_parameter_set, add_synthetic_evidence

import tandem_engine
from tandem.mastery import calibration
from tandem.mastery.models import ParameterSet
from tandem.mastery.services import active_parameter_set
from tandem_engine import BKTParams
from tandem_engine.simulate import simulate_bkt
from tandem_spark import fit

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # CI installs the extra: there a missing pyarrow fails, never skips
    if in_ci():
        raise
    pytest.skip(
        "pyarrow is not installed (pip install 'tandem[spark]', or make install-dev)",
        allow_module_level=True,
    )

PARAMS = [
    BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.15, p_slip=0.1),
    BKTParams(p_init=0.5, p_learn=0.1, p_guess=0.25, p_slip=0.05),
    BKTParams(p_init=0.2, p_learn=0.3, p_guess=0.1, p_slip=0.15),
]


def test_the_job_fits_with_calibrations_settings():
    assert fit.MAX_GUESS == calibration.MAX_GUESS and fit.MAX_SLIP == calibration.MAX_SLIP
    assert fit.MIN_COMPETENCY_ANSWERS == calibration.MIN_COMPETENCY_ANSWERS
    assert fit.SEED == calibration.SPLIT_SEED
    assert fit.CONVERGENCE == calibration.CONVERGENCE
    assert round(100 * calibration.HOLDOUT_FRACTION) == fit.HOLDOUT_PERCENT


def _generated(tmp_path, *, n_students=120, n_steps=12, seed=3):
    """Simulated answers as exported evidence (two files, competencies spread over both)."""
    log = simulate_bkt(PARAMS, n_students=n_students, n_steps=n_steps, random_state=seed).log
    skill = log.q_matrix.indices[log.item]
    table = pa.table(
        {
            "student": [f"key{s:05d}" for s in log.student],
            "competency": [f"C.{k}" for k in skill],
            "correct": log.correct,
            "seq": np.arange(log.n_responses, dtype=np.int64),
        }
    )
    folder = tmp_path / "evidence"
    folder.mkdir()
    half = log.n_responses // 2
    pq.write_table(table.slice(0, half), folder / "part-0.parquet")
    pq.write_table(table.slice(half), folder / "part-1.parquet")
    return folder, table


@pytest.mark.spark
def test_spark_fit_equals_the_single_machine_fit(spark, tmp_path):
    from tandem_spark.job import calibrate

    folder, table = _generated(tmp_path)
    result = calibrate(spark, folder)
    per_competency = result.document["params"]["per_competency"]
    assert sorted(per_competency) == ["C.0", "C.1", "C.2"]
    assert result.n_rows == table.num_rows
    # The same engine function on one machine, competency by competency: identical.
    frame = table.to_pandas()
    for code, rows in frame.groupby("competency"):
        alone = fit.fit_competency(
            rows["student"].to_numpy(), rows["correct"], rows["seq"], competency=str(code)
        )
        assert per_competency[code] == fit.params_dict(alone.params)
    # Calibration's fit of every competency at once (one EM, each competency stopping on its
    # own log-likelihood): the same parameters, to rounding.
    _, student = np.unique(frame["student"], return_inverse=True)
    skills = sorted(per_competency)
    skill = np.array([skills.index(c) for c in frame["competency"]])
    joint = fit.model().fit(
        tandem_engine.ResponseLog.from_arrays(
            student=student,
            item=skill,
            correct=frame["correct"],
            q_matrix=np.eye(len(skills), dtype=bool),
            order=frame["seq"],
            skill_ids=skills,
        )
    )
    for k, code in enumerate(skills):
        for name in fit.PARAM_NAMES:
            assert per_competency[code][name] == pytest.approx(
                getattr(joint.params_[k], name), abs=1e-6
            ), (code, name)
    # The held-out fit left out exactly the held-out students.
    assert result.document["heldout"]["per_competency"].keys() == per_competency.keys()


@pytest.mark.spark
@pytest.mark.django_db
def test_export_spark_and_import_give_calibrations_parameters(spark, tmp_path, settings):
    from tandem.evidence.export import evidence_export_parquet, student_key
    from tandem_spark.job import calibrate, write_document

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    students = add_synthetic_evidence(n_students=40, n_steps=8, seed=7)
    activate_poor_parameter_set()
    # Row groups of 100 rows: the streaming path, several flushes per month.
    report = evidence_export_parquet(path=tmp_path / "evidence", row_group_rows=100)
    assert report.n_rows == report.n_statements == 40 * 8 * 2
    table = pq.read_table(tmp_path / "evidence")
    assert set(fit.EVIDENCE_COLUMNS) <= set(table.column_names)
    keys = set(table.column("student").to_pylist())
    # Pseudonymous: keyed hashes, never usernames or ids.
    assert keys == {student_key(s.pk) for s in students}
    assert not keys & ({s.username for s in students} | {str(s.pk) for s in students})
    # Each answer in replay order as calibration reads it (its row number is ``seq``).
    log = calibration.evidence_log()
    replayed = {
        (student_key(int(log.student_ids[s])), int(order), bool(correct))
        for s, order, correct in zip(log.student, log.order, log.correct, strict=True)
    }
    exported = zip(
        *(table.column(c).to_pylist() for c in ("student", "seq", "correct")), strict=True
    )
    assert set(exported) == replayed

    result = calibrate(spark, tmp_path / "evidence")
    write_document(result.document, tmp_path / "params.json")
    document = json.loads((tmp_path / "params.json").read_text())
    single = calibration.calibrate(activate=False, recompute=False)
    fitted = ParameterSet.objects.get(version=single.version).params
    for code, values in fitted["per_competency"].items():
        for name, value in values.items():
            assert document["params"]["per_competency"][code][name] == pytest.approx(
                value, abs=1e-6
            )

    imported = calibration.parameter_set_import(document=document)
    assert imported.compared and imported.activated, imported.decision
    stored = ParameterSet.objects.get(version=imported.version)
    assert stored.is_active
    assert stored.params["per_competency"] == document["params"]["per_competency"]
    assert stored.params["prior_by_grade_gap"]
    assert stored.params["fit"]["by"] == "spark"
    assert "held-out" in imported.summary()


@pytest.mark.django_db
def test_import_without_a_held_out_fit_is_kept_inactive(tmp_path):
    before = active_parameter_set()
    document = {
        "format": fit.FORMAT,
        "model_name": "bkt",
        "engine_version": tandem_engine.ENGINE_VERSION,
        "params": {
            "default": fit.params_dict(PARAMS[0]),
            "per_competency": {"6.EE.A.2": fit.params_dict(PARAMS[1])},
        },
    }
    report = calibration.parameter_set_import(document=document)
    assert not report.activated and "kept inactive" in report.decision
    assert not ParameterSet.objects.get(version=report.version).is_active
    assert active_parameter_set() == before


@pytest.mark.django_db
def test_import_refuses_invalid_parameters():
    document = {
        "format": fit.FORMAT,
        "model_name": "bkt",
        "params": {"default": {**fit.params_dict(PARAMS[0]), "p_guess": 0.9}},
    }
    with pytest.raises(calibration.ParameterDocumentError, match="p_guess"):
        calibration.parameter_set_import(document=document)
    assert not ParameterSet.objects.filter(version__startswith="bkt-").exists()


@pytest.mark.django_db
def test_the_commands_export_and_import(tmp_path):
    from django.core.management import CommandError, call_command

    from tandem.mastery.constants import RunStatus
    from tandem.mastery.models import CalibrationRun

    add_synthetic_evidence(n_students=10, n_steps=3, seed=2)
    # What `tandem export evidence --parquet DIR` runs (through `tandem.cli.main`, the command
    # would close the test's database connection as it ends).
    call_command("export_evidence", "--parquet", str(tmp_path / "ev"))
    assert pq.read_table(tmp_path / "ev").num_rows == 10 * 3 * 2
    metadata = json.loads((tmp_path / "ev" / "_tandem_export.json").read_text())
    assert metadata["n_rows"] == 10 * 3 * 2 and metadata["key_check"]
    document = {
        "format": fit.FORMAT,
        "model_name": "bkt",
        "params": {"default": fit.params_dict(PARAMS[0]), "per_competency": {}},
    }
    path = tmp_path / "params.json"
    path.write_text(json.dumps(document))
    call_command("import_parameters", str(path), "--inactive")
    stored = ParameterSet.objects.latest("created_at")
    assert not stored.is_active and stored.params["default"] == fit.params_dict(PARAMS[0])
    assert "stored inactive on request" in stored.notes
    # Recorded as a run, so that an administrator can activate the kept set deliberately.
    run = CalibrationRun.objects.get(parameter_set=stored)
    assert run.status == RunStatus.SUCCEEDED and run.log[0]["event"] == "kept"
    assert run.report["decision"] == "stored inactive on request"
    path.write_text(json.dumps({**document, "format": "something else"}))
    with pytest.raises(CommandError, match="Not imported"):
        call_command("import_parameters", str(path))
    assert CalibrationRun.objects.latest("created_at").status == RunStatus.FAILED


@pytest.mark.django_db
def test_import_of_another_installations_fit_is_kept_inactive():
    add_synthetic_evidence(n_students=20, n_steps=5, seed=3)
    before = active_parameter_set()
    section = {"default": fit.params_dict(PARAMS[0]), "per_competency": {}}
    document = {
        "format": fit.FORMAT,
        "model_name": "bkt",
        "params": section,
        "heldout": section,
        "evidence": {"key_check": "another installation"},
    }
    report = calibration.parameter_set_import(document=document)
    assert not report.compared and not report.activated
    assert "not exported by this installation" in report.decision
    assert active_parameter_set() == before


def test_the_cli_runs_the_export_and_import_commands(monkeypatch):
    from tandem import cli

    ran = []
    monkeypatch.setattr(cli, "_manage", lambda argv: ran.append(argv) or 0)
    assert cli.main(["export", "evidence", "--parquet", "/tmp/ev"]) == 0
    assert cli.main(["import", "parameters", "params.json", "--inactive"]) == 0
    assert ran == [
        ["export_evidence", "--parquet", "/tmp/ev"],
        ["import_parameters", "params.json", "--inactive"],
    ]
