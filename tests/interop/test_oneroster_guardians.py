"""Guardian -> student links from OneRoster ``agentSourcedIds``: made, changed and removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.interop.oneroster import spec
from tandem.interop.oneroster.importer import oneroster_import
from tandem.roster.models import GuardianLink, User

from .oneroster_bundles import user_rows, write_bundle, write_csv, write_manifest

pytestmark = pytest.mark.django_db


def _links() -> set[tuple[str, str, str]]:
    return set(
        GuardianLink.objects.values_list("guardian__username", "student__username", "relationship")
    )


def _users_delta(
    tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None
) -> Path:
    path = tmp_path / "delta"
    path.mkdir(exist_ok=True)
    write_csv(path, "users", header or spec.HEADERS["users"], rows)
    write_manifest(path, "1.1", {"users": "delta"})
    return path


def _row(sid: str, **changes: str) -> dict[str, str]:
    return next(r for r in user_rows("1.1") if r["sourcedId"] == sid) | changes


def test_either_side_naming_the_other_makes_the_link(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.1")
    rows = [
        r | {"agentSourcedIds": ""} if r["sourcedId"] == "par-byron" else r
        for r in user_rows("1.1")
    ]
    write_csv(path, "users", spec.HEADERS["users"], rows)  # only Ada's row names Anne
    report = oneroster_import(path=path)
    assert report.ok, report.lines()
    assert report.files["guardianLinks"].created == 1
    assert _links() == {("anne.byron", "ada.lovelace", "parent")}
    assert "guardianLinks: 1 created" in "\n".join(report.lines())
    guardian = User.objects.get(username="anne.byron")
    assert list(guardian.wards.values_list("student__username", flat=True)) == ["ada.lovelace"]


def test_a_changed_row_removes_and_adds_links(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.1")).ok
    # Anne now looks after Alan, not Ada; both students' rows say so too.
    delta = _users_delta(
        tmp_path,
        [
            _row("par-byron", agentSourcedIds="stu-alan", role="guardian"),
            _row("stu-ada", agentSourcedIds=""),
            _row("stu-alan", agentSourcedIds="par-byron"),
        ],
    )
    report = oneroster_import(path=delta)
    assert report.ok, report.lines()
    counts = report.files["guardianLinks"]
    assert (counts.created, counts.removed) == (1, 1)
    assert _links() == {("anne.byron", "alan.turing", "guardian")}


def test_a_student_row_without_agents_ends_the_link(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.1")).ok
    # The delta holds only Ada's row: a delta row is a whole record, so her agents are none.
    report = oneroster_import(path=_users_delta(tmp_path, [_row("stu-ada", agentSourcedIds="")]))
    assert report.files["guardianLinks"].removed == 1
    assert _links() == set()


def test_a_removed_guardian_loses_every_link(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.1")).ok
    report = oneroster_import(
        path=_users_delta(tmp_path, [{"sourcedId": "par-byron", "status": "tobedeleted"}])
    )
    assert report.ok, report.lines()
    assert report.files["guardianLinks"].removed == 1
    assert _links() == set()
    assert not User.objects.get(sourced_id="par-byron").is_active


def test_agents_that_are_not_a_guardian_and_a_student_make_no_link(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.1")
    rows = [
        r | {"agentSourcedIds": "tch-grace"} if r["sourcedId"] == "stu-alan" else r
        for r in user_rows("1.1")
    ]
    write_csv(path, "users", spec.HEADERS["users"], rows)
    report = oneroster_import(path=path)
    assert report.ok and report.files["guardianLinks"].created == 1
    assert any("are not a guardian and a student" in note for note in report.notes)
    assert _links() == {("anne.byron", "ada.lovelace", "parent")}


def test_an_unknown_agent_is_refused(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.1")
    rows = [
        r | {"agentSourcedIds": "nobody"} if r["sourcedId"] == "stu-alan" else r
        for r in user_rows("1.1")
    ]
    write_csv(path, "users", spec.HEADERS["users"], rows)
    report = oneroster_import(path=path)
    assert [r.reason for r in report.refused] == ["refers to unknown users sourcedId 'nobody'"]
    assert GuardianLink.objects.count() == 0


def test_a_users_file_without_the_agents_column_leaves_links_alone(tmp_path: Path) -> None:
    assert oneroster_import(path=write_bundle(tmp_path / "b", "1.1")).ok
    header = [h for h in spec.HEADERS["users"] if h != "agentSourcedIds"]
    row = {k: v for k, v in _row("stu-ada", familyName="King").items() if k in header}
    report = oneroster_import(path=_users_delta(tmp_path, [row], header))
    assert report.ok and report.files["users"].updated == 1
    assert "guardianLinks" not in report.files
    assert _links() == {("anne.byron", "ada.lovelace", "parent")}


def test_12_guardian_links_follow_the_primary_role(tmp_path: Path) -> None:
    report = oneroster_import(path=write_bundle(tmp_path / "b", "1.2"))
    assert report.ok, report.lines()
    assert _links() == {("anne.byron", "ada.lovelace", "parent")}


def test_shared_bundle_has_no_guardians(shared_dir: Path, require) -> None:  # type: ignore[no-untyped-def]
    path = shared_dir / "data/interop/oneroster/generated-k12-district-v1p1"
    require(path.is_dir(), f"{path} is missing")
    report = oneroster_import(path=path)
    assert report.ok and report.files["guardianLinks"].changed == 0
    assert GuardianLink.objects.count() == 0
