"""The counselor role: OneRoster 1.2 brings it in, 1.1 (which has none) leaves it out, and the
counselor lands on the wellbeing list with no academic reach."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.urls import reverse
from tests.factories import PASSWORD, make_school, make_user
from tests.interop.oneroster_bundles import role_rows, write_bundle, write_csv

from tandem.interop.oneroster import spec
from tandem.interop.oneroster.exporter import oneroster_export
from tandem.interop.oneroster.importer import oneroster_import
from tandem.roster.access import students_visible_to
from tandem.roster.constants import Role
from tandem.roster.models import Org, User

pytestmark = pytest.mark.django_db


def test_a_12_counselor_role_makes_a_counselor_of_that_school(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b", "1.2")
    rows = role_rows()
    mary = next(row for row in rows if row["sourcedId"] == "rol-mary")
    mary["role"] = "counselor"
    write_csv(path, "roles", spec.HEADERS_V12["roles"], rows)
    report = oneroster_import(path=path)
    assert report.ok and report.applied, report.lines()
    counselor = User.objects.get(username="mary.somerville")
    assert counselor.role == Role.COUNSELOR
    assert not counselor.is_staff and not counselor.is_superuser
    assert list(counselor.orgs.values_list("sourced_id", flat=True)) == [mary["orgSourcedId"]]
    # Nothing academic; the school's students for wellbeing.
    assert not students_visible_to(counselor).exists()
    assert set(
        students_visible_to(counselor, wellbeing=True).values_list("username", flat=True)
    ) == {"ada.lovelace", "alan.turing"}

    # 1.2 exports the role as it came; 1.1 has no counselor, so the person stays out.
    oneroster_export(path=tmp_path / "v12", version="1.2")
    with (tmp_path / "v12" / "roles.csv").open(encoding="utf-8") as handle:
        assert {r["role"] for r in csv.DictReader(handle) if r["userSourcedId"] == "adm-mary"} == {
            "counselor"
        }
    oneroster_export(path=tmp_path / "v11", version="1.1")
    with (tmp_path / "v11" / "users.csv").open(encoding="utf-8") as handle:
        exported = {r["sourcedId"]: r["role"] for r in csv.DictReader(handle)}
    assert "adm-mary" not in exported and "counselor" not in exported.values()


def test_a_counselor_signs_in_to_the_students_raised(client) -> None:
    school = make_school()
    counselor = make_user(Role.COUNSELOR)
    counselor.orgs.add(school.org)
    assert client.login(username=counselor.username, password=PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("wellbeing:raised")


def test_a_district_counselor_reaches_the_districts_schools_only() -> None:
    school = make_school()
    other = make_school()
    district = Org.objects.create(sourced_id="district-x", name="District", type="district")
    Org.objects.filter(pk=school.org.pk).update(parent=district)
    counselor = make_user(Role.COUNSELOR)
    counselor.orgs.add(district)
    reach = set(students_visible_to(counselor, wellbeing=True))
    assert reach == {school.student_a, school.student_b}
    assert other.student_a not in reach
