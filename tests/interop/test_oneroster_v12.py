"""OneRoster 1.2 CSV: roles.csv and userProfiles.csv, the 1.2 users.csv, export and round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from tandem.interop.models import OneRosterRole, OneRosterUserProfile
from tandem.interop.oneroster import spec
from tandem.interop.oneroster.exporter import oneroster_export
from tandem.interop.oneroster.importer import oneroster_import
from tandem.roster.constants import Role
from tandem.roster.models import Enrollment, GuardianLink, User

from .oneroster_bundles import (
    NORTH,
    SOUTH,
    role_rows,
    write_bundle,
    write_csv,
    write_manifest,
)

pytestmark = pytest.mark.django_db


def _header(path: Path, name: str) -> list[str]:
    with (path / f"{name}.csv").open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_a_12_bundle_imports_roles_profiles_and_guardians(tmp_path: Path) -> None:
    report = oneroster_import(path=write_bundle(tmp_path / "b", "1.2"))
    assert report.ok and report.applied, report.lines()
    assert report.version == "1.2"
    assert report.files["users"].created == 5
    assert report.files["roles"].created == 7
    assert report.files["userProfiles"].created == 1
    assert report.files["guardianLinks"].created == 1

    principal = User.objects.get(username="mary.somerville")
    assert principal.role == Role.ADMINISTRATOR and principal.is_staff
    teacher = User.objects.get(username="grace.hopper")
    assert teacher.role == Role.TEACHER and not teacher.is_staff
    # The secondary teacher role adds South; the aide role is kept but gives Tandem nothing.
    assert set(teacher.orgs.values_list("sourced_id", flat=True)) == {NORTH, SOUTH}
    assert OneRosterRole.objects.filter(user=teacher).count() == 3
    assert User.objects.get(username="ada.lovelace").role == Role.STUDENT

    link = GuardianLink.objects.get()
    assert (link.guardian.username, link.student.username) == ("anne.byron", "ada.lovelace")
    assert link.relationship == "parent"

    profile = OneRosterUserProfile.objects.get()
    assert (profile.user, profile.username, profile.vendor_id) == (teacher, "ghopper", "acme-lms")
    assert not any("s3cret" in str(v) for v in vars(profile).values())
    lines = "\n".join(report.lines())
    assert "userProfiles.csv: 1 password(s) dropped" in lines
    assert "users.csv: 1 password(s) dropped" in lines
    assert "secondary role 'aide' of grace.hopper is not supported" in lines
    assert Enrollment.objects.count() == 3

    again = oneroster_import(path=tmp_path / "b")
    assert again.ok and again.changed == 0, again.lines()
    assert again.files["guardianLinks"].unchanged == 1


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_round_trip_changes_nothing(tmp_path: Path, version: str) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "in", version)).ok
    before = _state()
    counts = oneroster_export(path=tmp_path / "out", version=version)
    assert counts["users"] == 5
    manifest = (tmp_path / "out" / "manifest.csv").read_text()
    assert f"oneroster.version,{version}" in manifest
    assert _header(tmp_path / "out", "users") == spec.headers_for(version)["users"]
    report = oneroster_import(path=tmp_path / "out")
    assert report.ok and report.changed == 0, report.lines()
    assert _state() == before
    oneroster_export(path=tmp_path / "out.zip", version=version)
    assert oneroster_import(path=tmp_path / "out.zip").changed == 0


def _state() -> dict[str, object]:
    users = User.objects.order_by("sourced_id")
    return {
        "users": [
            (u.sourced_id, u.role, u.is_staff, u.username, u.grade, u.email, u.is_active,
             sorted(u.orgs.values_list("sourced_id", flat=True)))
            for u in users
        ],
        "links": sorted(
            GuardianLink.objects.values_list(
                "guardian__sourced_id", "student__sourced_id", "relationship"
            )
        ),
        "roles": sorted(OneRosterRole.objects.values_list("sourced_id", "role", "org__sourced_id")),
        "profiles": sorted(OneRosterUserProfile.objects.values_list("sourced_id", "username")),
    }  # fmt: skip


def test_12_export_of_a_11_roster_derives_roles(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "in", "1.1")).ok
    oneroster_export(path=tmp_path / "out", version="1.2")
    with (tmp_path / "out" / "roles.csv").open(encoding="utf-8") as handle:
        roles = {(r["userSourcedId"], r["roleType"], r["role"]) for r in csv.DictReader(handle)}
    assert ("adm-mary", "primary", "siteAdministrator") in roles
    assert ("par-byron", "primary", "parent") in roles
    assert "role" not in _header(tmp_path / "out", "users")
    # With the people gone, the 1.2 export brings back the same people, roles, orgs and links.
    before = _state()
    User.objects.all().delete()
    report = oneroster_import(path=tmp_path / "out")
    assert report.ok, report.lines()
    after = _state()
    assert after["users"] == before["users"] and after["links"] == before["links"]


def test_unsupported_and_missing_roles_are_refused_with_reasons(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.2")
    rows = role_rows()
    rows[0]["role"] = "aide"  # Ada's only, primary role
    rows[1]["role"] = "wizard"
    rows[5]["roleType"] = "secondary"  # Mary is left without a primary role
    write_csv(path, "roles", spec.HEADERS_V12["roles"], rows)
    report = oneroster_import(path=path)
    assert not report.applied
    reasons = {(r.file, r.sourced_id): r.reason for r in report.refused}
    assert (
        "primary role 'aide' is valid OneRoster but not supported" in reasons[("roles", "rol-ada")]
    )
    assert "unknown role 'wizard'" in reasons[("roles", "rol-alan")]
    assert reasons[("users", "adm-mary")] == "has no primary role in roles.csv"
    assert User.objects.count() == 0


def test_a_11_bundle_may_not_carry_12_files(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.1")
    write_csv(path, "roles", spec.HEADERS_V12["roles"], role_rows())
    write_manifest(path, "1.1", {"orgs": "bulk", "users": "bulk", "roles": "bulk"})
    report = oneroster_import(path=path)
    assert [r.reason for r in report.refused] == ["roles.csv is not part of OneRoster 1.1"]


def test_a_11_users_file_in_a_12_bundle_is_refused(tmp_path: Path) -> None:
    # 1.2 reads a user's role from roles.csv only: the 1.1 role column counts for nothing.
    path = write_bundle(tmp_path / "b", "1.1")
    write_manifest(path, "1.2", {"orgs": "bulk", "users": "bulk"})
    report = oneroster_import(path=path)
    assert len(report.refused) == 5 and {r.file for r in report.refused} == {"users"}
    assert {r.reason for r in report.refused} == {"has no primary role in roles.csv"}
    assert User.objects.count() == 0


def test_a_roles_delta_moves_a_teacher_and_an_administrator(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.2")).ok
    delta = tmp_path / "delta"
    delta.mkdir()
    rows = {r["sourcedId"]: r for r in role_rows()}
    rows["rol-grace-s"]["status"] = "tobedeleted"
    rows["rol-mary"]["role"] = "teacher"
    write_csv(delta, "roles", spec.HEADERS_V12["roles"], [rows["rol-grace-s"], rows["rol-mary"]])
    write_manifest(delta, "1.2", {"roles": "delta"})
    report = oneroster_import(path=delta)
    assert report.ok, report.lines()
    assert report.files["roles"].removed == 1 and report.files["roles"].updated == 1
    teacher = User.objects.get(username="grace.hopper")
    assert list(teacher.orgs.values_list("sourced_id", flat=True)) == [NORTH]
    mary = User.objects.get(username="mary.somerville")
    assert mary.role == Role.TEACHER and not mary.is_staff and not mary.is_superuser


def test_removing_the_only_primary_role_by_delta_is_refused(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.2")).ok
    delta = tmp_path / "delta"
    delta.mkdir()
    row = next(r for r in role_rows() if r["sourcedId"] == "rol-alan")
    write_csv(delta, "roles", spec.HEADERS_V12["roles"], [row | {"status": "tobedeleted"}])
    write_manifest(delta, "1.2", {"roles": "delta"})
    report = oneroster_import(path=delta)
    assert [(r.file, r.reason) for r in report.refused] == [
        ("roles", "user has no primary role in roles.csv")
    ]
    assert OneRosterRole.objects.filter(sourced_id="rol-alan").exists()


def test_tandem_export_oneroster_version_12(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tandem.cli import main

    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.2")).ok
    call_command("export_oneroster", str(tmp_path / "v11"))
    assert "oneroster.version,1.1" in (tmp_path / "v11" / "manifest.csv").read_text()
    # Last: run_from_argv closes the database connections when it is done.
    assert main(["export", "oneroster", str(tmp_path / "out"), "--version", "1.2"]) == 0
    assert "roles: 7 rows" in capsys.readouterr().out
    assert "oneroster.version,1.2" in (tmp_path / "out" / "manifest.csv").read_text()
