"""evidence_record_many, mastery_apply_many and mastery_seed_many: the same evidence and learner
model as their one-by-one services, in order, including several statements about one state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.factories import make_user, record_answer

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import EvidenceDraft, evidence_record, evidence_record_many
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.rules import MASTERED_AT
from tandem.mastery.services import (
    active_parameters,
    mastery_apply,
    mastery_apply_many,
    mastery_seed,
    mastery_seed_many,
)
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


def placement(student: User, tag: str, competencies: list[Competency]) -> Statement:
    """A diagnostic placement's statement about ``competencies``, to seed from."""
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.OBSERVED,
        object_id=f"urn:test:placement:{tag}",
        competencies=competencies,
        source=Source.DIAGNOSTIC,
        authority=student,
        timestamp=START + dt.timedelta(days=1),
        idempotency_key=f"{student.pk}:{tag}",
    )
    return statement


def seeded_model(student: User) -> tuple[list[Any], list[Any]]:
    """Every stored value of the student's states and of the changes that moved them."""
    states = [
        (
            s.competency_id,
            s.status,
            s.p_mastery,
            s.evidence_weight,
            s.n_attempts,
            s.n_correct,
            s.last_evidence_at,
            s.probable_since,
            s.parameter_set_id,
        )
        for s in LearnerState.objects.filter(student=student).order_by("competency_id")
    ]
    changes = [
        (
            c.state.competency_id,
            c.statement.object_id,
            c.p_before,
            c.p_after,
            c.at,
            c.parameter_set_id,
        )
        for c in StateChange.objects.filter(state__student=student)
        .select_related("state", "statement")
        .order_by("id")
    ]
    return states, changes


@pytest.mark.django_db
def test_seed_many_gives_what_seeding_one_by_one_gives() -> None:
    framework_load_coherence_map()
    competencies = list(Competency.objects.exclude(human_coding_scheme="").order_by("pk")[:7])
    practised, strong, placed, *fresh = competencies
    batched, single = make_user(Role.STUDENT, grade="06"), make_user(Role.STUDENT, grade="06")
    seeds = [
        (practised, 0.6),  # a state with practice evidence: its answer counts stay
        (strong, 0.97),  # practised up to the mastery line, then placed above it
        (placed, 0.3),  # placed mastered before, now below the line
        (fresh[0], MASTERED_AT),  # no state yet, exactly at the line
        (fresh[1], 0.99),
        (fresh[2], 0.2),
        (fresh[3], 0.5),
        (fresh[0], 0.4),  # the same competency again: it moves from the first seed
    ]
    for student in (batched, single):
        for n, correct in enumerate([True, False, True]):
            record_answer(
                student, practised.human_coding_scheme, correct, at=START + dt.timedelta(hours=n)
            )
        for n in range(8):
            record_answer(student, strong.human_coding_scheme, True, at=START + dt.timedelta(n))
        mastery_seed(
            statement=placement(student, "earlier", [placed]), competency=placed, p_mastery=0.97
        )
    before = LearnerState.objects.get(student=batched, competency=strong)
    assert before.p_mastery >= MASTERED_AT and before.status != Status.NOT_STARTED
    statement = placement(batched, "now", [c for c, _ in seeds])
    changes = mastery_seed_many(statement=statement, seeds=seeds)
    assert [(c.state.competency_id, c.p_after) for c in changes] == [
        (competency.pk, p) for competency, p in seeds
    ]
    assert all(change.pk is not None and change.state.pk is not None for change in changes)
    statement = placement(single, "now", [c for c, _ in seeds])
    for competency, p in seeds:
        mastery_seed(statement=statement, competency=competency, p_mastery=p)
    assert seeded_model(batched) == seeded_model(single)
    states = {s.competency_id: s for s in LearnerState.objects.filter(student=batched)}
    assert states[strong.pk].status == Status.MASTERED
    assert states[fresh[1].pk].status == Status.MASTERED
    assert states[placed.pk].status != Status.MASTERED
    assert states[practised.pk].n_attempts == 3 and states[practised.pk].n_correct == 2


@pytest.mark.django_db
def test_seed_many_checks_every_estimate_before_writing() -> None:
    framework_load_coherence_map()
    good, bad = Competency.objects.exclude(human_coding_scheme="").order_by("pk")[:2]
    student = make_user(Role.STUDENT, grade="06")
    statement = placement(student, "bad", [good, bad])
    with pytest.raises(ValueError, match="outside"):
        mastery_seed_many(statement=statement, seeds=[(good, 0.97), (bad, 1.5)])
    assert not LearnerState.objects.filter(student=student).exists()
    assert not StateChange.objects.filter(statement=statement).exists()
    assert mastery_seed_many(statement=statement, seeds=[]) == []


@pytest.mark.django_db
def test_seed_many_takes_the_same_queries_for_few_or_many_seeds(django_assert_num_queries) -> None:
    """Lock the states; read the grade, create the missing states and lock them; upsert,
    insert (and the savepoint around them): not a query per competency, as a diagnostic's
    finish seeds a hundred or more."""
    framework_load_coherence_map()
    competencies = list(Competency.objects.exclude(human_coding_scheme="").order_by("pk")[:80])
    student = make_user(Role.STUDENT, grade="06")
    record_answer(student, competencies[0].human_coding_scheme, True, at=START)
    active_parameters()  # the default set, created by the answer above, read once and kept
    for tag, some in (("few", competencies[:3]), ("many", competencies[:80])):
        statement = placement(student, tag, some)
        with django_assert_num_queries(8):
            changes = mastery_seed_many(statement=statement, seeds=[(c, 0.97) for c in some])
        assert len(changes) == len(some)
    # The one with an answer behind it is probably mastered until an answer on a later day.
    assert LearnerState.objects.filter(student=student, status=Status.MASTERED).count() == 79
    answered = LearnerState.objects.get(student=student, competency=competencies[0])
    assert answered.status == Status.PROBABLY_MASTERED and answered.n_attempts == 1
