"""The export of one student: everything held about them, nothing about anyone else, audited."""

from __future__ import annotations

import io
import json
import zipfile

from tests.studentdata.conftest import EMAIL, FIRST, LAST, PDF, PNG, SOURCED_ID

from tandem.privacy.models import AccessLog
from tandem.studentdata.registry import HOLDINGS
from tandem.studentdata.services import student_export


def _open(archive: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(archive))


def _table(archive: zipfile.ZipFile, model: str) -> list[dict]:
    return json.loads(archive.read(f"data/{model}.json"))


def test_the_zip_holds_every_table_the_files_and_a_summary(learner):
    school, student = learner.school, learner.student
    archive = _open(student_export(student=student, by=school.admin))
    names = set(archive.namelist())
    for holding in HOLDINGS:
        assert (f"data/{holding.model}.json" in names) == holding.export, holding.model
    account = _table(archive, "roster.User")
    assert account[0]["sourced_id"] == SOURCED_ID and account[0]["email"] == EMAIL
    assert "password" not in account[0]
    for model in (
        "roster.Enrollment",
        "evidence.Statement",
        "mastery.LearnerState",
        "profiles.LearnerProfile",
        "profiles.Accommodation",
        "goals.WeeklyGoal",
        "goals.Reflection",
        "pathways.Pathway",
        "checkins.CheckIn",
        "projects.StudentProject",
        "projects.Submission",
        "practice.WrittenAnswer",
        "interop.Demographics",
        "interop.LrsStatement",
        "privacy.AccessLog",
    ):
        assert _table(archive, model), f"{model} is empty in the export"
    assert _table(archive, "checkins.CheckIn")[0]["notes"] == f"{FIRST} seemed tired"
    uploaded = sorted(name for name in names if name.startswith("files/"))
    assert len(uploaded) == 2 and uploaded[0].endswith(f"{LAST} rocket.pdf")
    assert archive.read(uploaded[0]) == PDF
    # The photo sent with a written answer, named without the student's name.
    assert uploaded[1].startswith("files/written-answer-") and uploaded[1].endswith(".png")
    assert LAST not in uploaded[1] and archive.read(uploaded[1]) == PNG
    people = json.loads(archive.read("people.json"))
    assert school.teacher_a.display_name in {p["name"] for p in people.values()}
    statement = _table(archive, "evidence.Statement")[0]
    competencies = json.loads(archive.read("competencies.json"))
    assert statement["competencies"] and str(statement["competencies"][0]) in competencies
    assert "6.RP.A.1" in {c["code"] for c in competencies.values()}
    summary = archive.read("summary.html").decode()
    assert f"{FIRST} {LAST}" in summary
    assert f"{FIRST} seemed tired" in summary
    assert school.teacher_a.display_name in summary  # who read the record
    assert "6.RP.A.1" in summary


def test_nothing_about_another_student_is_in_it(learner):
    school = learner.school
    other = school.student_b
    archive = _open(student_export(student=learner.student, by=school.admin))
    text = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert other.sourced_id not in text and other.last_name not in text
    assert all(
        row["student_id"] == learner.student.pk for row in _table(archive, "privacy.AccessLog")
    )


def test_the_export_is_audited(learner):
    school = learner.school
    student_export(student=learner.student, by=school.admin)
    assert AccessLog.objects.filter(
        actor=school.admin, student=learner.student, action="privacy:export"
    ).exists()
