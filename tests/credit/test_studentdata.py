"""A family's export holds the student's credits and why one was revoked; the erasure keeps the
credits (pseudonymous) and empties the reason's free text."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tandem.credit.models import Credit, CreditEvidence, CreditRevocation
from tandem.credit.services import credit_award, credit_revoke
from tandem.studentdata.services import student_erase, student_export

from .conftest import NOW, master_standards

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(school, course, rule):
    master_standards(school.student_a, course, 6)
    credit, _ = credit_award(
        student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
    )
    credit_revoke(
        credit=credit, revoked_by=school.teacher_a, reason="Ask Ms Number3 about it.", now=NOW
    )
    return credit


def test_export_holds_the_credit_its_evidence_and_the_reason(school, revoked):
    archive = zipfile.ZipFile(io.BytesIO(student_export(student=school.student_a, by=school.admin)))
    credits = json.loads(archive.read("data/credit.Credit.json"))
    evidence = json.loads(archive.read("data/credit.CreditEvidence.json"))
    revocations = json.loads(archive.read("data/credit.CreditRevocation.json"))
    assert [c["id"] for c in credits] == [revoked.pk]
    assert len(evidence) == 12
    assert revocations[0]["reason"] == "Ask Ms Number3 about it."


def test_erasure_keeps_the_credit_and_empties_the_reason(school, revoked):
    student_erase(student=school.student_a, by=school.admin, reason="Family asked.")
    assert Credit.objects.filter(pk=revoked.pk, student=school.student_a).exists()
    assert CreditEvidence.objects.filter(credit=revoked).count() == 12
    assert CreditRevocation.objects.get(credit=revoked).reason == ""
