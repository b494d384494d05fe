"""The evidence log is append-only and records a retried submission once."""

import pytest
from django.utils import timezone
from tests.factories import make_school, make_user, record_answer

from tandem.evidence.models import AppendOnlyError, Statement
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db


def test_statement_cannot_be_edited_or_deleted():
    student = make_user(Role.STUDENT)
    make_school()
    statement = record_answer(student, "6.EE.A.2", True)
    statement.result_success = False
    with pytest.raises(AppendOnlyError):
        statement.save()
    with pytest.raises(AppendOnlyError):
        statement.delete()
    with pytest.raises(AppendOnlyError):
        Statement.objects.filter(pk=statement.pk).update(result_success=False)
    with pytest.raises(AppendOnlyError):
        Statement.objects.filter(pk=statement.pk).delete()
    assert Statement.objects.get(pk=statement.pk).result_success is True


def test_same_idempotency_key_records_once():
    school = make_school()
    first = record_answer(school.student_a, "6.EE.A.2", True, key="retry-1")
    second = record_answer(school.student_a, "6.EE.A.2", True, key="retry-1")
    assert first.pk == second.pk
    assert Statement.objects.filter(actor=school.student_a).count() == 1
    state = school.student_a.learner_states.get()
    assert state.n_attempts == 1


def test_naive_timestamps_are_refused():
    from tandem.competencies.models import Competency
    from tandem.evidence.constants import Source, Verb
    from tandem.evidence.services import evidence_record

    school = make_school()
    with pytest.raises(ValueError, match="timezone-aware"):
        evidence_record(
            actor=school.student_a,
            verb=Verb.ANSWERED,
            object_id="urn:x",
            competencies=[Competency.objects.first()],
            source=Source.PRACTICE,
            authority=school.student_a,
            timestamp=timezone.now().replace(tzinfo=None),
            success=True,
        )
