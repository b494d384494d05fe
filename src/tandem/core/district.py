"""A generated district for load and index checks: ``tandem demo --district``.

Not the demo school: no projects, pathways or check-ins, only what grows with a district's size
(schools, teachers, classes, students and their practice evidence, learner states and the
history of every estimate), written set-based. The default is what the issue sizes a district
at: 20,000 students in grades 6–8 across 10 middle schools, 10 million answers over a school
year's first 120 school days. Teachers teach 5 classes of about 30 (about 150 students a day).

The answers are simulated (each standard is known or not; not known, it is learnt with some
chance at each answer; right with slip and guess), so the estimates and statuses are the
learner model's own: every learner state is the live rule replayed over its answers
(``mastery.rules.answer_step``, the same step as a live answer), and each answer's change of
estimate is stored as the "why" pages read it. On PostgreSQL the rows go in with COPY (about
10 minutes for the default on 2 cores); SQLite takes them through batched inserts and is meant
for small sizes.

Every account's password is the demo's. Generated rows are marked: organisations' sourcedIds
start with ``district-``, users' with ``district-``, statements' source is "simulation".
"""

from __future__ import annotations

import datetime as dt
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.content.selectors import practisable_codes
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery import rules
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.services import ActiveParameters, active_parameters, initial_p_mastery
from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import AcademicSession, Course, Enrollment, Org, SchoolClass, User

DISTRICT = "district-generated"
DEMO_PASSWORD = "tandem-demo"
STUDENTS_PER_SCHOOL = 2000
CLASS_SIZE = 30
CLASSES_PER_TEACHER = 5
GRADES = ("06", "07", "08")
CHUNK_STUDENTS = 250
# The simulated learners (not the model's parameters: the model does not know these).
P_LEARN, P_SLIP, P_GUESS = 0.12, 0.08, 0.2
BELOW_GRADE_SHARE = 0.25


@dataclass
class DistrictReport:
    schools: int
    teachers: int
    classes: int
    students: int
    statements: int
    learner_states: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Generated district: {self.schools} schools, {self.teachers} teachers, "
            f"{self.classes} classes, {self.students:,} students, {self.statements:,} answers, "
            f"{self.learner_states:,} learner states ({self.seconds:.0f} s).\n"
            "  Logins: teachers d01t001 …, students d01s0001 … (password tandem-demo)"
        )


def district_exists() -> bool:
    return Org.objects.filter(sourced_id=DISTRICT).exists()


def district_seed(
    *,
    students: int = 20_000,
    statements: int = 10_000_000,
    days: int = 120,
    seed: int = 7,
    progress: Callable[[str], None] = print,
    threaded: bool = True,
) -> DistrictReport:
    """Generate the district (refused if one was generated already). ``threaded``: write in a
    second thread and database connection (off inside a test's transaction)."""
    if district_exists():
        raise ValueError("a generated district is already in this database")
    if students < len(GRADES) or statements < students:
        raise ValueError("a district needs at least 3 students and one answer per student")
    started = time.perf_counter()
    framework_load_coherence_map()
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        roster = _roster(students=students)
    progress(
        f"roster: {len(roster.schools)} schools, {roster.n_teachers} teachers, "
        f"{roster.n_classes} classes, {len(roster.students):,} students"
    )
    pools = _pools()
    active = active_parameters()
    school_days = _school_days(timezone.now().date(), days)
    per_student = _answers_per_student(rng, len(roster.students), statements)
    # Simulating (Python) and writing (mostly the database's own work) overlap: a thread writes
    # each chunk of students, in its own transaction, while the next one is simulated.
    writer = _Writer()
    chunks: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
    failed: list[BaseException] = []

    def write_chunks() -> None:
        try:
            while (batch := chunks.get()) is not None:
                with transaction.atomic():
                    writer.write(batch)
        except BaseException as error:  # re-raised in the caller's thread
            failed.append(error)
            while chunks.get() is not None:
                pass
        finally:
            connection.close()

    thread = threading.Thread(target=write_chunks, name="district-writer")
    if threaded:
        thread.start()
    written = states = 0
    try:
        for first in range(0, len(roster.students), CHUNK_STUDENTS):
            if failed:
                break
            chunk = roster.students[first : first + CHUNK_STUDENTS]
            batch = _Batch()
            for (student_id, grade, class_id), n in zip(
                chunk, per_student[first : first + CHUNK_STUDENTS], strict=True
            ):
                _simulate_student(
                    batch,
                    rng,
                    student_id=student_id,
                    grade=grade,
                    class_id=class_id,
                    n=int(n),
                    pool=pools[grade],
                    school_days=school_days,
                    active=active,
                )
            if threaded:
                chunks.put(batch)
            else:
                with transaction.atomic():
                    writer.write(batch)
            written += len(batch.statements)
            states += len(batch.states)
            last = first + CHUNK_STUDENTS >= len(roster.students)
            if (first // CHUNK_STUDENTS) % 8 == 0 or last:
                elapsed = time.perf_counter() - started
                progress(f"  {written:,} answers, {states:,} learner states ({elapsed:.0f} s)")
    finally:
        if threaded:
            chunks.put(None)
            thread.join()
    if failed:
        raise failed[0]
    writer.finish()
    return DistrictReport(
        schools=len(roster.schools),
        teachers=roster.n_teachers,
        classes=roster.n_classes,
        students=len(roster.students),
        statements=written,
        learner_states=states,
        seconds=time.perf_counter() - started,
    )


# ---------- roster ----------


@dataclass
class _Roster:
    schools: list[Org]
    n_teachers: int
    n_classes: int
    students: list[tuple[int, str, int]]  # (user id, grade, class id)


def _roster(*, students: int) -> _Roster:
    password = make_password(DEMO_PASSWORD)
    district = Org.objects.create(
        sourced_id=DISTRICT, name="Lakeview Unified (generated)", type=OrgType.DISTRICT
    )
    year = AcademicSession.objects.create(
        sourced_id="district-2026-2027",
        title="2026–2027",
        type="schoolYear",
        start_date=dt.date(2026, 8, 17),
        end_date=dt.date(2027, 6, 11),
        school_year=2027,
    )
    n_schools = max(1, math.ceil(students / STUDENTS_PER_SCHOOL))
    schools, rows, n_teachers, n_classes = [], [], 0, 0
    for s in range(n_schools):
        school = Org.objects.create(
            sourced_id=f"district-school-{s + 1:02d}",
            name=f"Lakeview Middle School {s + 1}",
            type=OrgType.SCHOOL,
            parent=district,
        )
        schools.append(school)
        in_school = students // n_schools + (1 if s < students % n_schools else 0)
        for g, grade in enumerate(GRADES):
            n_grade = in_school // 3 + (1 if g < in_school % 3 else 0)
            course = Course.objects.create(
                sourced_id=f"district-course-{s + 1:02d}-{grade}",
                title=f"Math {int(grade)}",
                course_code=f"MATH{int(grade)}",
                grades=[grade],
                subjects=["Mathematics"],
                org=school,
                school_year=year,
            )
            n_class = max(1, math.ceil(n_grade / CLASS_SIZE))
            classes = SchoolClass.objects.bulk_create(
                [
                    SchoolClass(
                        sourced_id=f"district-class-{s + 1:02d}-{grade}-{c + 1:02d}",
                        title=f"Math {int(grade)} · Section {c + 1}",
                        class_code=f"M{int(grade)}-{c + 1}",
                        course=course,
                        school=school,
                        grades=[grade],
                        periods=[str(c % CLASSES_PER_TEACHER + 1)],
                    )
                    for c in range(n_class)
                ]
            )
            if connection.features.can_return_rows_from_bulk_insert is False:
                classes = list(SchoolClass.objects.filter(course=course).order_by("sourced_id"))
            SchoolClass.terms.through.objects.bulk_create(
                [
                    SchoolClass.terms.through(schoolclass_id=c.pk, academicsession_id=year.pk)
                    for c in classes
                ]
            )
            n_classes += len(classes)
            teachers = [
                User(
                    username=f"d{s + 1:02d}t{n_teachers + t + 1:03d}",
                    sourced_id=f"district-t-{s + 1:02d}-{n_teachers + t + 1:03d}",
                    role=Role.TEACHER,
                    first_name="Teacher",
                    last_name=f"{s + 1}-{n_teachers + t + 1}",
                    grade=grade,
                    password=password,
                )
                for t in range(math.ceil(n_class / CLASSES_PER_TEACHER))
            ]
            n_teachers += len(teachers)
            rows.append((school, grade, classes, teachers, n_grade))
    # Students and teachers in one insert each, then enrollments and memberships.
    teacher_users = [t for *_, teachers, _ in rows for t in teachers]
    User.objects.bulk_create(teacher_users, batch_size=2000)
    student_users = []
    numbering = 0
    for school, grade, _, _, n_grade in rows:
        s = schools.index(school) + 1
        for _ in range(n_grade):
            numbering += 1
            student_users.append(
                User(
                    username=f"d{s:02d}s{numbering:05d}",
                    sourced_id=f"district-s-{numbering:05d}",
                    role=Role.STUDENT,
                    first_name="Student",
                    last_name=f"{numbering:05d}",
                    grade=grade,
                    password=password,
                )
            )
    User.objects.bulk_create(student_users, batch_size=2000)
    ids = dict(
        User.objects.filter(sourced_id__startswith="district-").values_list("sourced_id", "pk")
    )
    enrollments, memberships, out = [], [], []
    at = 0
    for school, grade, classes, teachers, n_grade in rows:
        for c, school_class in enumerate(classes):
            teacher = teachers[c // CLASSES_PER_TEACHER]
            enrollments.append(
                Enrollment(
                    sourced_id=f"district-enr-{school_class.sourced_id}-t",
                    user_id=ids[teacher.sourced_id],
                    school_class_id=school_class.pk,
                    role=EnrollmentRole.TEACHER,
                    primary=True,
                )
            )
        memberships += [
            User.orgs.through(user_id=ids[t.sourced_id], org_id=school.pk) for t in teachers
        ]
        for k in range(n_grade):
            student = student_users[at + k]
            school_class = classes[k % len(classes)]
            pk = ids[student.sourced_id]
            enrollments.append(
                Enrollment(
                    sourced_id=f"district-enr-{school_class.sourced_id}-{student.sourced_id}",
                    user_id=pk,
                    school_class_id=school_class.pk,
                    role=EnrollmentRole.STUDENT,
                )
            )
            memberships.append(User.orgs.through(user_id=pk, org_id=school.pk))
            out.append((pk, grade, school_class.pk))
        at += n_grade
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    User.orgs.through.objects.bulk_create(memberships, batch_size=2000)
    return _Roster(schools, n_teachers, n_classes, out)


# ---------- simulated answers ----------


@dataclass
class _Pool:
    """The standards a grade practices: its own and, less often, earlier grades' (gaps)."""

    at_grade: list[tuple[int, str, int]]  # (competency id, code, grade rank)
    below: list[tuple[int, str, int]]


def _pools() -> dict[str, _Pool]:
    codes = practisable_codes()
    rows = list(
        Competency.objects.filter(human_coding_scheme__in=codes).values_list(
            "pk", "human_coding_scheme", "grade_rank"
        )
    )
    pools = {}
    for grade in GRADES:
        rank = _grade_rank(grade)
        at_grade = [r for r in rows if r[2] == rank]
        below = [r for r in rows if rank - 3 <= r[2] < rank]
        pools[grade] = _Pool(at_grade or rows, below or rows)
    return pools


def _grade_rank(grade: str) -> int:
    """The framework's grade_rank of a grade: Kindergarten is 1, grade 1 is 2, …"""
    return int(grade) + 1


def _school_days(today: dt.date, days: int) -> list[dt.date]:
    out: list[dt.date] = []
    day = today - dt.timedelta(days=1)
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out[::-1]


def _answers_per_student(
    rng: np.random.Generator, n: int, total: int
) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    weights = rng.gamma(4.0, 1.0, size=n)
    counts: np.ndarray[tuple[int], np.dtype[np.int64]] = np.maximum(
        np.floor(weights / weights.sum() * total).astype(np.int64), 1
    )
    short = total - int(counts.sum())
    if short > 0:
        np.add.at(counts, rng.choice(n, size=short, replace=True), 1)
    elif short < 0:
        for i in np.argsort(-counts)[:-short]:
            counts[i] -= 1
    return counts


# An answer (statement id, student, right, class, time); its competency link (statement id,
# competency); a change of estimate (statement id, before, after, time); a final state (student,
# competency, state, its changes).
_Answer = tuple[str, int, bool, int, dt.datetime]
_Change = tuple[str, float, float, dt.datetime]
_State = tuple[int, int, rules.StateValues, list[_Change]]


@dataclass
class _Batch:
    statements: list[_Answer] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    states: list[_State] = field(default_factory=list)


def _simulate_student(
    batch: _Batch,
    rng: np.random.Generator,
    *,
    student_id: int,
    grade: str,
    class_id: int,
    n: int,
    pool: _Pool,
    school_days: Sequence[dt.date],
    active: ActiveParameters,
) -> None:
    ability = rng.normal(0.0, 1.0)
    # Answers in runs of 4-12 on one standard, a quarter of them on earlier grades' standards.
    runs: list[tuple[tuple[int, str, int], int]] = []
    left = n
    while left > 0:
        length = min(left, int(rng.integers(4, 13)))
        source = pool.below if rng.random() < BELOW_GRADE_SHARE else pool.at_grade
        runs.append((source[int(rng.integers(len(source)))], length))
        left -= length
    # Moments: sorted seconds across the school days, in school hours (8:00-15:00 UTC-less).
    day_index = np.sort(rng.integers(0, len(school_days), size=n))
    seconds = rng.integers(8 * 3600, 15 * 3600, size=n)
    order = np.lexsort((seconds, day_index))
    day_index, seconds = day_index[order], seconds[order]
    known: dict[int, bool] = {}
    states: dict[int, rules.StateValues] = {}
    changes: dict[int, list[_Change]] = {}
    i = 0
    p_known = 1.0 / (1.0 + math.exp(-(ability - 0.3)))
    for (competency_id, code, rank), length in runs:
        if competency_id not in known:
            gap = int(grade) + 1 - rank
            known[competency_id] = bool(rng.random() < min(0.95, p_known + 0.2 * gap))
        if competency_id not in states:
            p0 = initial_p_mastery(
                active,
                code,
                competency_grade_rank=rank,
                student_grade=grade,
            )
            states[competency_id] = rules.StateValues(p_mastery=p0)
            changes[competency_id] = []
        state = states[competency_id]
        params = active.for_code(code)
        for _ in range(length):
            day = school_days[int(day_index[i])]
            at = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC) + dt.timedelta(
                seconds=int(seconds[i])
            )
            i += 1
            knows = known[competency_id]
            right = bool(rng.random() < (1 - P_SLIP if knows else P_GUESS))
            if not knows and rng.random() < P_LEARN:
                known[competency_id] = True
            statement_id = uuid.uuid4().hex
            batch.statements.append((statement_id, student_id, right, class_id, at))
            batch.links.append((statement_id, competency_id))
            before = state.p_mastery
            state = rules.answer_step(state, success=right, weight=1.0, at=at, params=params)
            changes[competency_id].append((statement_id, before, state.p_mastery, at))
        states[competency_id] = state
    for competency_id, state in states.items():
        batch.states.append((student_id, competency_id, state, changes[competency_id]))


# ---------- writing ----------


class _Writer:
    """Rows into the four tables: COPY on PostgreSQL, batched inserts elsewhere."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.superuser = False
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self.superuser = bool(cursor.fetchone()[0])
        self.parameter_set_id = active_parameters().parameter_set.pk
        self.stored = timezone.now()
        self._next_state = (
            LearnerState.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1

    def _time(self, at: dt.datetime | None) -> str | None:
        if at is None:
            return None
        if self.postgres:
            return at.isoformat()
        return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")

    def write(self, batch: _Batch) -> None:
        stored = self._time(self.stored)
        statement_rows = [
            (
                sid,
                student_id,
                Verb.ANSWERED.value,
                f"urn:tandem:district:{sid}",
                "Practice answer (generated)",
                right,
                1.0 if right else 0.0,
                "(simulated)",
                class_id,
                "{}",
                self._time(at),
                stored,
                student_id,
                Source.SIMULATION.value,
                1.0,
            )
            for sid, student_id, right, class_id, at in batch.statements
        ]
        state_rows, change_rows = [], []
        state_id = self._next_state
        for student_id, competency_id, state, changes in batch.states:
            state_rows.append(
                (
                    state_id,
                    student_id,
                    competency_id,
                    state.p_mastery,
                    state.evidence_weight,
                    state.n_attempts,
                    state.n_correct,
                    self._time(state.last_evidence_at),
                    state.status,
                    self._time(state.probable_since),
                    self.parameter_set_id,
                    stored,
                )
            )
            change_rows += [
                (state_id, sid, before, after, self.parameter_set_id, self._time(at))
                for sid, before, after, at in changes
            ]
            state_id += 1
        self._next_state = state_id
        self._rows(
            Statement._meta.db_table,
            (
                "id",
                "actor_id",
                "verb",
                "object_id",
                "object_name",
                "result_success",
                "result_score_scaled",
                "result_response",
                "context_class_id",
                "context_extensions",
                "timestamp",
                "stored",
                "authority_id",
                "source",
                "weight",
            ),
            statement_rows,
        )
        self._rows(
            Statement.competencies.through._meta.db_table,
            ("statement_id", "competency_id"),
            batch.links,
        )
        self._rows(
            LearnerState._meta.db_table,
            (
                "id",
                "student_id",
                "competency_id",
                "p_mastery",
                "evidence_weight",
                "n_attempts",
                "n_correct",
                "last_evidence_at",
                "status",
                "probable_since",
                "parameter_set_id",
                "updated_at",
            ),
            state_rows,
        )
        self._rows(
            StateChange._meta.db_table,
            ("state_id", "statement_id", "p_before", "p_after", "parameter_set_id", "at"),
            change_rows,
        )

    def _rows(self, table: str, columns: Sequence[str], rows: Iterable[tuple[object, ...]]) -> None:
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.postgres:
            with connection.cursor() as cursor:
                if self.superuser:
                    # The rows are consistent by construction: no per-row foreign-key check
                    # (what pg_restore --disable-triggers does); this transaction only.
                    cursor.execute("SET LOCAL session_replication_role = replica")
                raw = cursor.cursor  # psycopg's own cursor: COPY
                with raw.copy(
                    f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
        listed: list[Any] = list(rows)
        with connection.cursor() as cursor:
            for start in range(0, len(listed), 5000):
                cursor.executemany(sql, listed[start : start + 5000])

    def finish(self) -> None:
        """PostgreSQL's sequence past the ids given explicitly; fresh planner statistics."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            table = LearnerState._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
            for model in (Statement, Statement.competencies.through, LearnerState, StateChange):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
