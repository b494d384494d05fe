"""Student groups come from an imported OneRoster demographics.csv and from accommodations."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.interop.oneroster_bundles import DEMOGRAPHICS, write_bundle, write_csv

from tandem.interop.oneroster import spec
from tandem.interop.oneroster.importer import oneroster_import
from tandem.leaders.selectors import leader_frame, leader_scope
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.models import Accommodation
from tandem.roster.models import User

pytestmark = pytest.mark.django_db


def test_imported_demographics_and_accommodations_make_groups(tmp_path):
    path = write_bundle(tmp_path / "bundle", "1.2")
    rows = [
        DEMOGRAPHICS[0] | {"hispanicOrLatinoEthnicity": "true", "asian": "false"},
        {"sourcedId": "stu-alan", "sex": "male", "asian": "true", "white": "true",
         "demographicRaceTwoOrMoreRaces": "true"},
    ]  # fmt: skip
    write_csv(path, "demographics", spec.HEADERS["demographics"], rows)
    report = oneroster_import(path=path)
    assert report.ok, report.lines()
    ada, alan = User.objects.get(sourced_id="stu-ada"), User.objects.get(sourced_id="stu-alan")
    now = timezone.now()
    Accommodation.objects.create(
        student=alan,
        kind=AccommodationKind.ENGLISH_LEARNER,
        summary="Reading support",
        recorded_by=User.objects.get(sourced_id="tch-grace"),
        created_at=now,
        updated_at=now,
    )
    frame = leader_frame(leader_scope(None), now=now)
    members = {
        name: {int(frame.ids[i]) for i in mask.nonzero()[0]} for name, mask in frame.groups.items()
    }
    assert members["Female"] == {ada.pk} and members["Male"] == {alan.pk}
    assert members["Hispanic or Latino"] == {ada.pk}
    assert members["Asian"] == members["White"] == members["Two or more races"] == {alan.pk}
    assert members["English learner"] == {alan.pk}
