"""SQL composed once (tandem/rows.py) gives what the ORM gives: the same instances and values,
converted the same way, and inserts that store what ``bulk_create`` would."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from tests.factories import School, make_school

from tandem.content.models import Item
from tandem.core.sessions import SessionStore
from tandem.mastery.models import LearnerState, ParameterSet
from tandem.mastery.selectors import mastery_for_student
from tandem.practice.models import Attempt
from tandem.practice.services import attempt_answer, practice_next
from tandem.rows import ModelReader, ModelWriter, ValuesQuery, db_value, model_field

pytestmark = pytest.mark.django_db


def _served() -> tuple[School, dt.datetime, Attempt]:
    """A school, now, and an item served to its first student."""
    school = make_school()
    now = timezone.now()
    attempt = practice_next(student=school.student_a, now=now)
    assert attempt is not None
    return school, now, attempt


def _attempts(student: object, served: Attempt, now: dt.datetime, n: int) -> list[Attempt]:
    """``n`` unsaved attempts of ``student`` on the item ``served``, a second apart."""
    return [
        Attempt(
            student=student,
            item=served.item,
            competency=served.competency,
            predicted_success=0.5,
            presented_at=now - dt.timedelta(seconds=i),
        )
        for i in range(n)
    ]


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_reader_builds_the_instances_and_related_objects_the_orm_builds(
    django_assert_num_queries,
):
    school = make_school()
    attempt = practice_next(student=school.student_a, now=timezone.now())
    assert attempt is not None
    reader = ModelReader(Attempt, related=("item", "competency"))
    read = reader.first("t0.id = %s", [reader.param("id", attempt.pk)])
    orm = Attempt.objects.select_related("item", "competency").get(pk=attempt.pk)
    assert read is not None
    assert _fields(read) == _fields(orm)
    assert _fields(read.item) == _fields(orm.item)  # JSON lists decoded, datetimes aware
    assert _fields(read.competency) == _fields(orm.competency)
    assert read.presented_at.tzinfo is not None
    assert not read._state.adding
    with django_assert_num_queries(0):  # the related objects came with it
        assert (read.item.stem, read.competency.code) == (orm.item.stem, orm.competency.code)


def test_a_reader_finds_nothing_for_someone_elses_row():
    school = make_school()
    attempt = practice_next(student=school.student_a, now=timezone.now())
    assert attempt is not None
    reader = ModelReader(Attempt, related=("item", "competency"))
    where = "t0.id = %s AND t0.student_id = %s"
    assert reader.first(where, [reader.param("id", attempt.pk), school.student_b.pk]) is None


def test_a_reader_refuses_a_nullable_foreign_key():
    with pytest.raises(ValueError, match="school_class"):
        ModelReader(Attempt, related=("school_class",)).first("1 = 1", [])


def test_values_are_converted_as_the_orm_converts_them():
    _school, now, attempt = _served()
    query = ValuesQuery(
        f"SELECT presented_at, predicted_success FROM {Attempt._meta.db_table} WHERE id = %s",
        [model_field(Attempt, "presented_at"), model_field(Attempt, "predicted_success")],
    )
    (row,) = query.rows([db_value(Attempt, "id", attempt.pk)])
    assert row == tuple(
        Attempt.objects.filter(pk=attempt.pk).values_list("presented_at", "predicted_success")[0]
    )
    assert row[0] == now and row[0].tzinfo is not None
    assert query.first([db_value(Attempt, "id", uuid.uuid4())]) is None


def test_a_writer_inserts_what_bulk_create_would_and_reads_back_database_keys():
    school = make_school()
    now = timezone.now()
    template = practice_next(student=school.student_a, now=now)
    assert template is not None
    writer: ModelWriter[Item] = ModelWriter(Item)
    item = Item(
        kind=template.item.kind,
        stem="What is 2 + 3?",
        answer=["5"],
        hints=["Count on from 2."],
        difficulty=2,
        generator="test-writer",
        seed=7,
    )
    (stored,) = writer.insert([item])
    assert stored is item and item.pk is not None and not item._state.adding
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.answer == ["5"] and fresh.hints == ["Count on from 2."]
    assert fresh.created_at is not None  # auto_now_add, as save() would set it
    # The same generated item again: skipped, not an error, and the caller can look it up.
    again = Item(kind=item.kind, stem="x", answer=["5"], difficulty=2, generator="test-writer")
    again.seed = 7
    with transaction.atomic():
        assert writer.insert([again], ignore_conflicts=True) == []
    # Without ignore_conflicts the unique constraint still holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        writer.insert(
            [
                Item(
                    kind=item.kind,
                    stem="y",
                    answer=["5"],
                    difficulty=2,
                    generator="test-writer",
                    seed=7,
                )
            ]
        )


def test_a_writer_takes_the_key_of_a_related_object_saved_after_it_was_assigned():
    school, now, served = _served()
    item = Item(kind=served.item.kind, stem="2 + 2?", answer=["4"], difficulty=1)
    attempt = Attempt(
        student=school.student_a,
        item=item,
        competency=served.competency,
        predicted_success=0.7,
        presented_at=now,
    )
    item.save()  # after it was assigned: attempt.item_id is still None
    ModelWriter(Attempt).insert([attempt])
    assert Attempt.objects.get(pk=attempt.pk).item_id == item.pk
    with pytest.raises(ValueError, match="one row"):
        ModelWriter(Attempt).insert([attempt], ignore_conflicts=True)


def test_the_session_store_reads_a_live_session_and_not_an_expired_one():
    school = make_school()
    store = SessionStore()
    store[SESSION_KEY] = str(school.student_a.pk)
    store.save()
    assert SessionStore(store.session_key)[SESSION_KEY] == str(school.student_a.pk)
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert SESSION_KEY not in expired
    assert expired.session_key is None  # a fresh key would be made on save


def test_learner_states_read_for_practice_match_the_orm():
    school, now, attempt = _served()
    attempt_answer(student=school.student_a, attempt_id=attempt.pk, response="1", now=now)
    views = mastery_for_student(student_id=school.student_a.pk, now=now)
    state = LearnerState.objects.get(student=school.student_a, competency=attempt.competency)
    view = views[attempt.competency_id]
    assert view.p_mastery == state.p_mastery
    assert view.last_evidence_at == state.last_evidence_at == now


def test_a_writer_inserts_more_rows_than_one_statement_may_carry():
    school, now, served = _served()
    writer: ModelWriter[Attempt] = ModelWriter(Attempt)
    many = _attempts(school.student_b, served, now, 3000)  # x 14 columns: past 32,766
    writer.insert(many)
    assert Attempt.objects.filter(student=school.student_b).count() == 3000


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's protocol limit on parameters"
)
def test_bulk_writes_on_postgresql_stay_under_the_protocols_parameter_limit():
    """Parameters are bound on the server (TANDEM_POSTGRES_PREPARED), where one statement
    carries at most 65,535 of them: Django's bulk_create and the writer batch below that."""
    school, now, served = _served()
    many = _attempts(school.student_b, served, now, 10_000)  # 5,000 x 14 each: past 65,535
    Attempt.objects.bulk_create(many[:5000])
    ModelWriter(Attempt).insert(many[5000:])
    assert Attempt.objects.filter(student=school.student_b).count() == 10_000


def test_an_upsert_inserts_or_updates_and_gives_each_object_its_rows_key():
    school, _now, served = _served()
    writer: ModelWriter[LearnerState] = ModelWriter(LearnerState)
    fields = {"unique_fields": ["student", "competency"], "update_fields": ["p_mastery"]}
    parameter_set = ParameterSet.objects.first()
    first, again = (
        LearnerState(
            student=school.student_b,
            competency=served.competency,
            p_mastery=p,
            parameter_set=parameter_set,
        )
        for p in (0.2, 0.7)
    )
    writer.upsert([first], **fields)
    writer.upsert([again], **fields)
    assert again.pk == first.pk
    assert LearnerState.objects.get(pk=first.pk).p_mastery == 0.7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_a_new_item_is_committed_without_waiting_for_the_disk_and_an_answer_with():
    school = make_school()
    now = timezone.now()
    settings_seen = []

    def spy(execute, sql, params, many, context):
        if "synchronous_commit" in sql:
            settings_seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        attempt = practice_next(student=school.student_a, now=now)
        assert attempt is not None
        assert settings_seen == ["SET LOCAL synchronous_commit TO OFF"]
        attempt_answer(student=school.student_a, attempt_id=attempt.pk, response="1", now=now)
    assert len(settings_seen) == 1  # the answer's commit waits for the disk
