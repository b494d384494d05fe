"""The demo school: one middle school with a simulated history of practice, seeded idempotently.

The history is simulated with the same policy and learner-model update the live site uses, and
stored as ordinary evidence (source "simulation"), so every page shows a realistic spread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

import tandem_engine
from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.competencies.services import framework_load_coherence_map
from tandem.content.generators import GENERATORS, generate
from tandem.content.models import Item
from tandem.content.services import items_bulk_from_specs
from tandem.evidence.constants import ObservationKind, Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.calibration import InsufficientEvidenceError, calibrate
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.rules import READY_PREREQUISITE_AT, status_after
from tandem.mastery.services import active_parameter_set, bkt_params_for
from tandem.practice.models import Attempt
from tandem.practice.policy import Candidate, choose_next
from tandem.roster.constants import EnrollmentRole, OrgType, Role, grade_rank
from tandem.roster.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    SchoolClass,
    User,
)
from tandem.teaching.services import OBSERVATION_WEIGHT

DEMO_SCHOOL = "demo-school-riverside"
DEMO_PASSWORD = "tandem-demo"
SEEDS_PER_DIFFICULTY = 6
TRUE_SLIP, TRUE_GUESS = 0.1, 0.2

FIRST = [
    "Ava",
    "Ben",
    "Carmen",
    "Dev",
    "Elif",
    "Farah",
    "Gabe",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Xavi",
    "Yara",
    "Zane",
    "Aiko",
    "Bruno",
    "Chloe",
    "Diego",
    "Esme",
    "Finn",
    "Greta",
    "Hugo",
    "Ines",
    "Jonah",
    "Kira",
    "Leo",
    "Maya",
    "Noor",
    "Oscar",
    "Pia",
    "Ravi",
    "Sofia",
    "Theo",
    "Una",
    "Vik",
    "Willa",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adams",
    "Baker",
    "Castillo",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Mensah",
    "Nguyen",
    "Okoro",
    "Patel",
    "Quintero",
    "Reyes",
    "Silva",
    "Tanaka",
    "Usman",
    "Vargas",
    "Walker",
    "Xu",
    "Yilmaz",
    "Zhou",
]
TEACHERS = [
    ("rivera", "Elena", "Rivera", "06"),
    ("chen", "Marcus", "Chen", "07"),
    ("okafor", "Grace", "Okafor", "08"),
]


@dataclass
class DemoReport:
    created: bool
    students: int = 0
    teachers: int = 0
    guardians: int = 0
    statements: int = 0
    items: int = 0
    framework: str = ""
    learner_model: str = ""
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        head = "Demo school seeded." if self.created else "Demo school already present."
        lines = [
            head,
            f"  {self.framework}",
            f"  {self.teachers} teachers, {self.students} students, {self.guardians} guardians, "
            f"{self.items} items, {self.statements} evidence statements",
            f"  Learner model: {self.learner_model}",
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [f"    {role:<14} {username:<12} {who}" for role, username, who in self.logins]
        return "\n".join(lines)


def _logins() -> list[tuple[str, str, str]]:
    logins = [("administrator", "admin", "School administrator (Django admin)")]
    for username in ("rivera", "chen", "okafor"):
        user = User.objects.filter(username=username).first()
        if user:
            logins.append(("teacher", username, f"{user.display_name}, teaches grade {user.grade}"))
    for username in ("s001", "s051", "s101"):
        user = User.objects.filter(username=username).first()
        if user:
            logins.append(("student", username, f"{user.display_name}, grade {int(user.grade)}"))
    guardian = User.objects.filter(username="g001").first()
    if guardian:
        kids = ", ".join(
            s.display_name for s in User.objects.filter(guardian_links__guardian=guardian)
        )
        logins.append(("guardian", "g001", f"{guardian.display_name}, guardian of {kids}"))
    return logins


def _learner_model() -> str:
    parameter_set = ParameterSet.objects.filter(is_active=True).order_by("-created_at").first()
    if parameter_set is None:
        return "default parameters (not calibrated)"
    fit = parameter_set.params.get("fit")
    if not fit:
        return f"{parameter_set.version} (not calibrated)"
    auc = fit.get("heldout", {}).get("auc")
    held_out = "n/a" if auc is None else f"{auc:.3f}"
    return f"{parameter_set.version} (calibrated; held-out AUC {held_out})"


def _report(created: bool) -> DemoReport:
    from tandem.competencies.models import Framework

    return DemoReport(
        created=created,
        students=User.objects.filter(role=Role.STUDENT).count(),
        teachers=User.objects.filter(role=Role.TEACHER).count(),
        guardians=User.objects.filter(role=Role.GUARDIAN).count(),
        statements=Statement.objects.count(),
        items=Item.objects.count(),
        framework=str(Framework.objects.first() or ""),
        learner_model=_learner_model(),
        logins=_logins(),
    )


def demo_seed(*, students: int = 150, days: int = 42, seed: int = 2026) -> DemoReport:
    """Create the demo school unless it exists; returns what is there and the logins."""
    if Org.objects.filter(sourced_id=DEMO_SCHOOL).exists():
        return _report(created=False)
    framework_load_coherence_map()
    with transaction.atomic():
        _seed_items()
        roster = _seed_roster(students=students, seed=seed)
        _simulate_history(roster, days=days, seed=seed)
    # The school ships calibrated: the learner model is fitted on its own (simulated) history.
    with contextlib.suppress(InsufficientEvidenceError):  # a tiny demo keeps the defaults
        calibrate()
    return _report(created=True)


def _seed_items() -> None:
    specs = [
        generate(key, s, d)
        for key in GENERATORS
        for d in (1, 2, 3)
        for s in range(SEEDS_PER_DIFFICULTY)
    ]
    items_bulk_from_specs(specs=specs)


@dataclass
class _Roster:
    students: list[User]
    teachers: list[User]
    classes_by_student: dict[int, SchoolClass]
    teacher_by_class: dict[int, User]


def _seed_roster(*, students: int, seed: int) -> _Roster:
    rng = random.Random(seed)
    password = make_password(DEMO_PASSWORD)
    district = Org.objects.create(
        sourced_id="demo-district", name="Riverside Unified School District", type=OrgType.DISTRICT
    )
    school = Org.objects.create(
        sourced_id=DEMO_SCHOOL, name="Riverside Middle School", type=OrgType.SCHOOL, parent=district
    )
    year = AcademicSession.objects.create(
        sourced_id="demo-2026-2027",
        title="2026–2027",
        type="schoolYear",
        start_date=dt.date(2026, 8, 17),
        end_date=dt.date(2027, 6, 11),
        school_year=2027,
    )
    admin = User(
        username="admin",
        sourced_id="demo-admin",
        role=Role.ADMINISTRATOR,
        first_name="Sam",
        last_name="Okonkwo",
        is_staff=True,
        is_superuser=True,
        password=password,
    )
    admin.save()
    teachers, classes, teacher_by_class = [], [], {}
    for username, first, last, grade in TEACHERS:
        teacher = User.objects.create(
            username=username,
            sourced_id=f"demo-t-{username}",
            role=Role.TEACHER,
            first_name=first,
            last_name=last,
            grade=grade,
            password=password,
        )
        teacher.orgs.add(school)
        teachers.append(teacher)
        course = Course.objects.create(
            sourced_id=f"demo-course-math{int(grade)}",
            title=f"Math {int(grade)}",
            course_code=f"MATH{int(grade)}",
            grades=[grade],
            subjects=["Mathematics"],
            org=school,
            school_year=year,
        )
        for period in (1, 2):
            school_class = SchoolClass.objects.create(
                sourced_id=f"demo-class-{int(grade)}-{period}",
                title=f"Math {int(grade)} · Period {period + (int(grade) - 6) * 2}",
                class_code=f"M{int(grade)}-{period}",
                course=course,
                school=school,
                grades=[grade],
                periods=[str(period + (int(grade) - 6) * 2)],
            )
            school_class.terms.add(year)
            Enrollment.objects.create(
                sourced_id=f"demo-enr-{school_class.sourced_id}-{username}",
                user=teacher,
                school_class=school_class,
                role=EnrollmentRole.TEACHER,
                primary=True,
            )
            classes.append((grade, school_class))
            teacher_by_class[school_class.pk] = teacher
    users, class_of = [], {}
    for i in range(students):
        grade = ("06", "07", "08")[i * 3 // students]
        first, last = FIRST[(i * 7) % len(FIRST)], LAST[(i * 11 + i // len(FIRST)) % len(LAST)]
        users.append(
            User(
                username=f"s{i + 1:03d}",
                sourced_id=f"demo-s-{i + 1:03d}",
                role=Role.STUDENT,
                first_name=first,
                last_name=last,
                grade=grade,
                password=password,
            )
        )
    User.objects.bulk_create(users)
    users = list(User.objects.filter(role=Role.STUDENT, sourced_id__startswith="demo-s-"))
    users.sort(key=lambda u: u.username)
    enrollments = []
    for i, student in enumerate(users):
        grade_classes = [c for g, c in classes if g == student.grade]
        school_class = grade_classes[i % 2]
        class_of[student.pk] = school_class
        enrollments.append(
            Enrollment(
                sourced_id=f"demo-enr-{school_class.sourced_id}-{student.username}",
                user=student,
                school_class=school_class,
                role=EnrollmentRole.STUDENT,
            )
        )
    Enrollment.objects.bulk_create(enrollments)
    User.orgs.through.objects.bulk_create(
        [User.orgs.through(user_id=u.pk, org_id=school.pk) for u in users]
    )
    guardians = []
    for i, student in enumerate(users[::4]):
        guardians.append(
            User(
                username=f"g{i + 1:03d}",
                sourced_id=f"demo-g-{i + 1:03d}",
                role=Role.GUARDIAN,
                first_name=rng.choice(FIRST),
                last_name=student.last_name,
                password=password,
            )
        )
    User.objects.bulk_create(guardians)
    guardians = list(User.objects.filter(role=Role.GUARDIAN).order_by("username"))
    links = [
        GuardianLink(guardian=g, student=s) for g, s in zip(guardians, users[::4], strict=False)
    ]
    # The first guardian also has a second child, in another grade.
    if guardians and len(users) > 60:
        links.append(GuardianLink(guardian=guardians[0], student=users[len(users) // 2 + 1]))
    GuardianLink.objects.bulk_create(links)
    return _Roster(users, teachers, class_of, teacher_by_class)


def _school_moments(rng: random.Random, day: dt.date, n: int) -> list[dt.datetime]:
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC) + dt.timedelta(
        minutes=rng.randrange(0, 6 * 60)
    )
    moments, t = [], start
    for _ in range(n):
        t += dt.timedelta(seconds=rng.randrange(25, 150))
        moments.append(t)
    return moments


def _simulate_history(roster: _Roster, *, days: int, seed: int) -> None:
    rng = random.Random(seed + 1)
    now = timezone.now()
    parameter_set = active_parameter_set()
    comps = {
        c.pk: c
        for c in Competency.objects.filter(
            human_coding_scheme__in={
                code for g in GENERATORS.values() for code in g.competency_codes
            }
        )
    }
    prereqs = {cid: {p for p in ps if p in comps} for cid, ps in prerequisites_map(comps).items()}
    params = {cid: bkt_params_for(parameter_set, c.human_coding_scheme) for cid, c in comps.items()}
    bank: dict[tuple[str, int], list[Item]] = defaultdict(list)
    for item in Item.objects.prefetch_related("competencies"):
        for comp in item.competencies.all():
            bank[(comp.human_coding_scheme, item.difficulty)].append(item)
    order = sorted(comps, key=lambda c: (comps[c].grade_rank, comps[c].list_order))

    statements, links, changes_pending, attempts = [], [], [], []
    states_out = []
    school_days = [
        (now - dt.timedelta(days=d)).date()
        for d in range(days, 0, -1)
        if (now - dt.timedelta(days=d)).weekday() < 5
    ]
    for student in roster.students:
        offset = max(-2.0, min(2.0, rng.gauss(0.0, 1.0)))
        learn_rate = max(0.03, min(0.45, rng.gauss(0.2 + 0.05 * offset, 0.08)))
        level = grade_rank(student.grade) + offset
        # True knowledge: closed under prerequisites, centred on the student's working level.
        known: set[int] = set()
        for cid in order:
            chance = 1 / (1 + math.exp(-2.2 * (level - comps[cid].grade_rank - 0.3)))
            if rng.random() < chance and prereqs.get(cid, set()) <= known:
                known.add(cid)
        p = {cid: params[cid].p_init for cid in comps}
        n_att: dict[int, int] = defaultdict(int)
        n_ok: dict[int, int] = defaultdict(int)
        weight: dict[int, float] = defaultdict(float)
        status: dict[int, str] = {}
        last_at: dict[int, dt.datetime] = {}
        recent: list[int] = []
        recent_difficulties: list[int] = []
        answered = 0
        diligence = rng.random()
        stop_day = len(school_days) - (rng.randrange(8, 14) if rng.random() < 0.08 else 0)
        school_class = roster.classes_by_student[student.pk]
        for day in school_days[:stop_day]:
            if rng.random() > 0.45 + 0.5 * diligence:
                continue
            for moment in _school_moments(rng, day, rng.randrange(4, 12)):
                candidates = [
                    Candidate(
                        competency_id=cid,
                        code=comps[cid].human_coding_scheme,
                        grade_rank=comps[cid].grade_rank,
                        p_mastery=p[cid],
                        p_correct=tandem_engine.predict_correct(p[cid], params[cid]),
                        status=status.get(cid, "not_started"),
                        ready=all(p[q] >= READY_PREREQUISITE_AT for q in prereqs.get(cid, ())),
                        last_practised=last_at.get(cid),
                        n_attempts=n_att.get(cid, 0),
                        n_correct=n_ok.get(cid, 0),
                    )
                    for cid in comps
                ]
                choice = choose_next(
                    candidates,
                    student_grade_rank=grade_rank(student.grade),
                    recent_competency_ids=recent,
                    recent_difficulties=recent_difficulties,
                    answered_count=answered,
                    rng=rng,
                    now=moment,
                )
                if choice is None:
                    break
                cid = choice.candidate.competency_id
                pool = bank.get((choice.candidate.code, choice.difficulty)) or bank.get(
                    (choice.candidate.code, 2), []
                )
                if not pool:
                    continue
                item = rng.choice(pool)
                shift = (choice.difficulty - 2) * 0.08
                p_true = (1 - TRUE_SLIP - shift) if cid in known else (TRUE_GUESS - shift / 2)
                correct = rng.random() < p_true
                if cid not in known and rng.random() < learn_rate:
                    known.add(cid)
                statement = Statement(
                    actor=student,
                    verb=Verb.ANSWERED,
                    object_id=item.activity_id,
                    object_name=f"{comps[cid].code} item",
                    item=item,
                    result_success=correct,
                    result_score_scaled=1.0 if correct else 0.0,
                    result_response="(simulated)",
                    result_duration_ms=rng.randrange(20_000, 140_000),
                    context_class=school_class,
                    timestamp=moment,
                    authority=student,
                    source=Source.SIMULATION,
                    context_extensions={"predicted_success": round(choice.predicted_success, 4)},
                )
                statements.append(statement)
                item_comps = [c.pk for c in item.competencies.all() if c.pk in comps]
                for icid in item_comps:
                    links.append((statement, icid))
                    before = p[icid]
                    p[icid] = tandem_engine.bkt_step(before, correct, params[icid])
                    n_att[icid] += 1
                    n_ok[icid] += int(correct)
                    weight[icid] += 1.0
                    status[icid] = status_after(
                        previous=status.get(icid, "not_started"),
                        p_mastery=p[icid],
                        n_attempts=n_att[icid],
                    )
                    last_at[icid] = moment
                    changes_pending.append((student.pk, icid, statement, before, p[icid], moment))
                attempts.append(
                    Attempt(
                        student=student,
                        item=item,
                        competency_id=cid,
                        school_class=school_class,
                        predicted_success=choice.predicted_success,
                        reason=choice.reason,
                        presented_at=moment - dt.timedelta(seconds=40),
                        answered_at=moment,
                        statement=statement,
                    )
                )
                recent.insert(0, cid)
                del recent[10:]
                recent_difficulties.insert(0, choice.difficulty)
                del recent_difficulties[10:]
                answered += 1
            # Now and then the teacher confers with the student about their current focus.
            if recent and rng.random() < 0.06:
                cid = recent[0]
                understood = cid in known
                moment = dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)
                teacher = roster.teacher_by_class[school_class.pk]
                kind = (
                    ObservationKind.SHOWED_UNDERSTANDING
                    if understood
                    else ObservationKind.NEEDS_HELP
                )
                statement = Statement(
                    actor=student,
                    verb=Verb.OBSERVED,
                    object_id=f"urn:tandem:competency:{comps[cid].identifier}",
                    object_name=f"{comps[cid].code}: {kind.label}",
                    result_success=understood,
                    result_score_scaled=1.0 if understood else 0.0,
                    result_response=(
                        "Explained the steps clearly in our check-in."
                        if understood
                        else "Mixed up the steps; we worked one example together."
                    ),
                    context_class=school_class,
                    timestamp=moment,
                    authority=teacher,
                    source=Source.OBSERVATION,
                    weight=OBSERVATION_WEIGHT,
                    context_extensions={"observation": str(kind)},
                )
                statements.append(statement)
                links.append((statement, cid))
                before = p[cid]
                p[cid] = tandem_engine.bkt_step(before, understood, params[cid], OBSERVATION_WEIGHT)
                n_att[cid] += 1
                n_ok[cid] += int(understood)
                weight[cid] += OBSERVATION_WEIGHT
                status[cid] = status_after(
                    previous=status.get(cid, "not_started"), p_mastery=p[cid], n_attempts=n_att[cid]
                )
                last_at[cid] = moment
                changes_pending.append((student.pk, cid, statement, before, p[cid], moment))
        for cid in n_att:
            states_out.append(
                LearnerState(
                    student=student,
                    competency_id=cid,
                    p_mastery=p[cid],
                    evidence_weight=weight[cid],
                    n_attempts=n_att[cid],
                    n_correct=n_ok[cid],
                    last_evidence_at=last_at.get(cid),
                    status=status[cid],
                    parameter_set=parameter_set,
                )
            )
    Statement.objects.bulk_create(statements, batch_size=2000)
    through = Statement.competencies.through
    through.objects.bulk_create(
        [through(statement_id=s.pk, competency_id=cid) for s, cid in links], batch_size=5000
    )
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    LearnerState.objects.bulk_create(states_out, batch_size=2000)
    state_ids = {
        (sid, cid): pk
        for pk, sid, cid in LearnerState.objects.values_list("pk", "student_id", "competency_id")
    }
    StateChange.objects.bulk_create(
        [
            StateChange(
                state_id=state_ids[(sid, cid)],
                statement=statement,
                p_before=before,
                p_after=after,
                parameter_set=parameter_set,
                at=moment,
            )
            for sid, cid, statement, before, after, moment in changes_pending
        ],
        batch_size=5000,
    )
