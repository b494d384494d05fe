"""OneRoster CSV import and export: the shared district bundle, defects, deltas, round trip."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tandem.interop.models import Demographics
from tandem.interop.oneroster.exporter import oneroster_export
from tandem.interop.oneroster.importer import oneroster_import
from tandem.roster.constants import Role
from tandem.roster.models import Enrollment, SchoolClass, User

BUNDLE = Path("data/interop/oneroster/generated-k12-district-v1p1")


@pytest.fixture
def bundle(shared_dir: Path, require) -> Path:  # type: ignore[no-untyped-def]
    path = shared_dir / BUNDLE
    require(path.is_dir(), f"{path} is missing")
    return path


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle, target)
    return target


def _edit(path: Path, name: str, edit) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one CSV, passing each data row (a dict) through ``edit``; None drops it."""
    with (path / f"{name}.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = [edit(i, row) for i, row in enumerate(reader, start=2)]
    with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(r for r in rows if r is not None)


def _set_manifest(path: Path, **modes: str) -> None:
    lines = (path / "manifest.csv").read_text().splitlines()
    out = []
    for line in lines:
        key = line.split(",")[0]
        name = key.removeprefix("file.")
        out.append(f"{key},{modes[name]}" if key.startswith("file.") and name in modes else line)
    (path / "manifest.csv").write_text("\n".join(out) + "\n")


@pytest.mark.django_db
def test_shared_bundle_imports_then_reimport_changes_nothing(bundle: Path) -> None:
    report = oneroster_import(path=bundle)
    assert report.ok, report.lines()
    assert report.applied
    assert report.files["users"].created == 268
    assert report.files["orgs"].created == 4
    assert report.files["classes"].created == 119
    assert report.files["enrollments"].created == 1855
    assert report.files["demographics"].created == 248
    assert User.objects.filter(role=Role.STUDENT, sourced_id__isnull=False).count() == 248
    student = User.objects.get(username="dahlia.doodlebug")
    assert student.grade == "KG" and not student.has_usable_password()
    assert student.orgs.count() == 1

    again = oneroster_import(path=bundle)
    assert again.ok and again.changed == 0
    assert again.files["enrollments"].unchanged == 1855
    assert "0 changed" in "\n".join(again.lines())


@pytest.mark.django_db
def test_defective_bundle_is_refused_whole_with_line_reasons(bundle: Path, tmp_path: Path) -> None:
    path = _copy(bundle, tmp_path)

    def users(line: int, row: dict[str, str]) -> dict[str, str]:
        if line == 3:
            row["role"] = "wizard"
        return row

    def enrollments(line: int, row: dict[str, str]) -> dict[str, str]:
        if line == 4:
            row["classSourcedId"] = "no-such-class"
        if line == 5:
            row["beginDate"] = "2026-13-45"
        return row

    def classes(line: int, row: dict[str, str]) -> dict[str, str]:
        if line == 6:
            row["sourcedId"] = "dup"
        if line == 7:
            row["sourcedId"] = "dup"
        return row

    _edit(path, "users", users)
    _edit(path, "enrollments", enrollments)
    _edit(path, "classes", classes)
    report = oneroster_import(path=path)
    assert not report.applied
    reasons = {(r.file, r.line): r.reason for r in report.refused}
    assert "unknown role 'wizard'" in reasons[("users", 3)]
    assert "unknown classes sourcedId 'no-such-class'" in reasons[("enrollments", 4)]
    assert "bad date in beginDate" in reasons[("enrollments", 5)]
    assert "duplicate sourcedId (also on line 6)" in reasons[("classes", 7)]
    assert User.objects.count() == 0 and SchoolClass.objects.count() == 0
    assert "nothing was imported" in "\n".join(report.lines())


@pytest.mark.django_db
def test_dry_run_saves_nothing(bundle: Path) -> None:
    report = oneroster_import(path=bundle, dry_run=True)
    assert report.ok and report.files["users"].created == 268
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_delta_removes_and_updates(bundle: Path, tmp_path: Path) -> None:
    oneroster_import(path=bundle)
    path = _copy(bundle, tmp_path)
    enrollment = Enrollment.objects.order_by("sourced_id").first()
    assert enrollment is not None
    student = User.objects.get(username="dahlia.doodlebug")

    def users(line: int, row: dict[str, str]) -> dict[str, str] | None:
        if row["sourcedId"] == student.sourced_id:
            row["status"] = "tobedeleted"
            return row
        if row["username"] == "sofia.snickerdoodle":
            row["familyName"] = "Renamed"
            return row
        return None

    def enrollments(line: int, row: dict[str, str]) -> dict[str, str] | None:
        if row["sourcedId"] == enrollment.sourced_id:
            row["status"] = "tobedeleted"
            return row
        return None

    _edit(path, "users", users)
    _edit(path, "enrollments", enrollments)
    for name in ["orgs", "academicSessions", "courses", "classes", "demographics"]:
        (path / f"{name}.csv").unlink()
    _set_manifest(
        path,
        users="delta",
        enrollments="delta",
        orgs="absent",
        academicSessions="absent",
        courses="absent",
        classes="absent",
        demographics="absent",
    )
    report = oneroster_import(path=path)
    assert report.ok, report.lines()
    assert report.files["users"].removed == 1 and report.files["users"].updated == 1
    assert report.files["enrollments"].removed == 1
    student.refresh_from_db()
    assert not student.is_active
    assert not Enrollment.objects.filter(sourced_id=enrollment.sourced_id).exists()
    assert User.objects.get(username="sofia.snickerdoodle").last_name == "Renamed"


@pytest.mark.django_db
def test_tobedeleted_in_a_bulk_file_is_refused(bundle: Path, tmp_path: Path) -> None:
    path = _copy(bundle, tmp_path)

    def orgs(line: int, row: dict[str, str]) -> dict[str, str]:
        if line == 5:
            row["status"] = "tobedeleted"
        return row

    _edit(path, "orgs", orgs)
    report = oneroster_import(path=path)
    assert [(r.file, r.line) for r in report.refused] == [("orgs", 5)]


@pytest.mark.django_db
def test_round_trip_export_then_import_changes_nothing(bundle: Path, tmp_path: Path) -> None:
    oneroster_import(path=bundle)
    out = tmp_path / "export"
    oneroster_export(path=out)
    assert (out / "manifest.csv").is_file()
    report = oneroster_import(path=out)
    assert report.ok, report.lines()
    assert report.changed == 0
    zipped = tmp_path / "export.zip"
    oneroster_export(path=zipped)
    assert oneroster_import(path=zipped).changed == 0


@pytest.mark.django_db
def test_commands_print_the_report(bundle: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("import_oneroster", str(bundle), "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert User.objects.count() == 0
    call_command("import_oneroster", str(bundle))
    assert "users: 268 created" in capsys.readouterr().out
    call_command("export_oneroster", str(tmp_path / "out"))
    assert (tmp_path / "out" / "users.csv").is_file()


@pytest.mark.django_db
def test_demographics_stay_out_of_the_api(bundle: Path, client) -> None:  # type: ignore[no-untyped-def]
    oneroster_import(path=bundle)
    assert Demographics.objects.count() == 248
    admin = User.objects.get(username="sofia.snickerdoodle")
    client.force_login(admin)
    body = client.get("/api/students/").content.decode()
    for word in ["birth", "sex", "hispanic", "female", "asian"]:
        assert word not in body.lower()


@pytest.mark.django_db
def test_command_fails_on_refused_rows(bundle: Path, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = _copy(bundle, tmp_path)
    (path / "users.csv").unlink()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_oneroster", str(path))
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_tandem_import_oneroster_runs_the_command(bundle: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tandem.cli import main

    assert main(["import", "oneroster", str(bundle), "--dry-run"]) == 0
    assert "nothing was saved" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_zip_that_expands_past_the_limit_is_refused_before_it_fills_memory(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small zip of a huge CSV (a zip bomb) is refused by what it expands to, read a budget at
    a time: the limit is lowered here so that the test stays small."""
    import zipfile

    from tandem.interop.importing import ImportPathError
    from tandem.interop.oneroster import bundle as bundle_module

    monkeypatch.setattr(bundle_module, "MAX_EXPANDED_BYTES", 512 * 1024)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for item in sorted(bundle.glob("*.csv")):
            out.write(item, item.name)
        out.writestr("padding.csv", "x" * (16 * 1024 * 1024))
    assert archive.stat().st_size < 512 * 1024  # it is small…
    with pytest.raises(ImportPathError, match=r"expands to more than 0\.5 MB"):
        oneroster_import(path=archive)
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_file_refusing_every_row_lists_the_first_200_and_counts_the_rest(
    bundle: Path, tmp_path: Path
) -> None:
    from tandem.interop.oneroster.report import MAX_LISTED_REFUSALS

    path = _copy(bundle, tmp_path)
    with (path / "users.csv").open() as source:
        rows = list(csv.DictReader(source))
    header = list(rows[0])
    with (path / "users.csv").open("a", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=header)
        for k in range(MAX_LISTED_REFUSALS + 50):
            writer.writerow({**rows[0], "sourcedId": f"extra-{k}", "role": "wizard"})
    report = oneroster_import(path=path)
    assert report.n_refused >= MAX_LISTED_REFUSALS + 50
    assert len(report.refused) == MAX_LISTED_REFUSALS
    text = "\n".join(report.lines())
    assert f"{report.n_refused} row(s) refused" in text
    assert f"(the first {MAX_LISTED_REFUSALS} are listed)" in text
