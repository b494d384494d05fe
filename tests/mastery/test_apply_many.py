"""evidence_record_many and mastery_apply_many: the same evidence and learner model as their
one-by-one services, in order, including several statements about one state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.factories import make_user

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import EvidenceDraft, evidence_record, evidence_record_many
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.services import mastery_apply, mastery_apply_many
from tandem.roster.constants import Role
from tandem.roster.models import User

START = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


def drafts(student: User, competencies: list[Competency], tag: str) -> list[EvidenceDraft]:
    out = []
    for i in range(24):
        # Some statements are about two competencies; some share a timestamp.
        about = [competencies[i % 3]] + ([competencies[3]] if i % 5 == 0 else [])
        out.append(
            EvidenceDraft(
                actor=student,
                verb=Verb.ANSWERED,
                object_id=f"urn:test:{i}",
                competencies=about,
                source=Source.IMPORT,
                authority=student,
                timestamp=START + dt.timedelta(minutes=i // 2),
                success=i % 4 != 1,
                idempotency_key=f"{tag}:{i}",
            )
        )
    return out


def model(student: User) -> tuple[list[Any], list[Any]]:
    states = [
        (s.competency_id, s.status, s.p_mastery, s.n_attempts, s.n_correct, s.last_evidence_at)
        for s in LearnerState.objects.filter(student=student).order_by("competency_id")
    ]
    changes = [
        (c.state.competency_id, c.p_before, c.p_after, c.at, c.statement.object_id)
        for c in StateChange.objects.filter(state__student=student)
        .select_related("state", "statement")
        .order_by("id")
    ]
    return states, changes


@pytest.mark.django_db
def test_many_gives_what_one_by_one_gives() -> None:
    framework_load_coherence_map()
    competencies = list(Competency.objects.exclude(human_coding_scheme="").order_by("pk")[:4])
    batched, single = make_user(Role.STUDENT), make_user(Role.STUDENT)
    recorded = evidence_record_many(drafts=drafts(batched, competencies, "b"))
    assert all(created for _, created in recorded)
    mastery_apply_many(statements=[statement for statement, _ in recorded])
    for draft in drafts(single, competencies, "s"):
        fields = {name: getattr(draft, name) for name in draft.__dataclass_fields__}
        statement, _ = evidence_record(**fields)
        mastery_apply(statement=statement)
    assert model(batched) == model(single)
    assert len(model(batched)[1]) == 24 + 5
    for statement, _ in recorded:
        assert set(statement.competencies.all()) <= set(competencies)
        assert statement.stored is not None


@pytest.mark.django_db
def test_known_and_repeated_keys_give_the_first_statement() -> None:
    framework_load_coherence_map()
    competency = Competency.objects.exclude(human_coding_scheme="").order_by("pk").first()
    assert competency is not None
    student = make_user(Role.STUDENT)
    first, second, third = drafts(student, [competency] * 4, "k")[:3]
    earlier, _ = evidence_record_many(drafts=[first])[0]
    again = EvidenceDraft(**{**first.__dict__, "idempotency_key": second.idempotency_key})
    results = evidence_record_many(drafts=[first, second, again, third])
    assert [created for _, created in results] == [False, True, False, True]
    assert results[0][0] == earlier and results[2][0] == results[1][0]
    assert Statement.objects.filter(actor=student).count() == 3
    with pytest.raises(ValueError):
        evidence_record_many(drafts=[EvidenceDraft(**{**third.__dict__, "competencies": []})])
    assert Statement.objects.filter(actor=student).count() == 3
