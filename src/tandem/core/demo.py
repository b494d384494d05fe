"""The demo school: one middle school with a simulated history of practice, seeded idempotently.

The history is simulated with the same policy and learner-model update the live site uses, and
stored as ordinary evidence (source "simulation"), so every page shows a realistic spread. On top
of it, through the apps' own services, come the pathway layer's records of those weeks: learner
profiles and accommodations, projects, check-ins, pathways, weekly goals and reflections.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

import tandem_engine
from tandem.checkins.constants import CHECKIN_MAX_DAYS_UNSEEN, Understanding
from tandem.checkins.models import CheckIn
from tandem.checkins.services import (
    NextStepInput,
    ObservationInput,
    checkin_record,
    checkin_schedule,
)
from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.competencies.services import framework_load_coherence_map
from tandem.content.generators import GENERATORS, generate
from tandem.content.models import Item
from tandem.content.selectors import practisable_competencies
from tandem.content.services import items_bulk_from_specs, written_item_create
from tandem.credit.demo import credit_demo_seed
from tandem.evidence.constants import ObservationKind, Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import EvidenceDraft, evidence_record_many
from tandem.flex.demo import flex_demo_seed
from tandem.goals.constants import MAX_GOALS_PER_WEEK, GoalKind, GoalStatus
from tandem.goals.models import WeeklyGoal
from tandem.goals.rules import current_week, previous_week
from tandem.goals.services import (
    goal_complete,
    goal_create,
    goals_close_past_weeks,
    reflection_save,
)
from tandem.groups.demo import groups_demo_seed
from tandem.leaders.demo import demo_leaders_seed
from tandem.leaders.services import figures_compute_all
from tandem.mastery.constants import ACTIVE_RUN_STATUSES, Status
from tandem.mastery.models import CalibrationRun, LearnerState, ParameterSet
from tandem.mastery.rules import READY_PREREQUISITE_AT, status_after
from tandem.mastery.services import active_parameter_set, bkt_params_for, mastery_apply_many
from tandem.mastery.tasks import (
    CalibrationBusyError,
    calibrate_and_record,
    calibration_run_start,
)
from tandem.pathways.constants import PathwayStatus
from tandem.pathways.models import Pathway
from tandem.pathways.services import (
    pathway_approve,
    pathway_build,
    pathway_project_add,
    pathway_target_add,
)
from tandem.practice.constants import WrittenScoreLevel
from tandem.practice.models import Attempt
from tandem.practice.policy import Candidate, choose_next
from tandem.practice.services import written_answer_score, written_answer_submit
from tandem.profiles.constants import AccommodationKind, Interest
from tandem.profiles.models import Accommodation
from tandem.profiles.services import accommodation_create, profile_update
from tandem.projects.constants import ProjectStatus, ReviewDecision
from tandem.projects.models import StudentProject
from tandem.projects.services import (
    milestone_complete,
    project_library_seed,
    project_propose,
    project_review,
    project_score,
    submission_create,
)
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
from tandem.wellbeing.demo import seed_wellbeing

DEMO_SCHOOL = "demo-school-riverside"
DEMO_PASSWORD = "tandem-demo"
# What marks the demo's roster as the demo's: every org, session, course, class, enrolment and
# person it creates has a sourcedId that starts so (a real roster's come from its SIS).
DEMO_SOURCED_ID_PREFIX = "demo-"
SEEDS_PER_DIFFICULTY = 6
# The default demo's simulated history, stored with the code (``tandem demo --simulate
# --save-history PATH`` writes it): simulating it takes minutes, writing it seconds.
HISTORY_PATH = Path(__file__).with_name("demo_history.json.gz")
HISTORY_FORMAT = 1
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
    pathways: int = 0
    pathways_approved: int = 0
    goals: int = 0
    check_ins: int = 0
    projects: int = 0
    accommodations: int = 0
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
            f"  {self.pathways} pathways ({self.pathways_approved} approved), {self.goals} weekly "
            f"goals, {self.check_ins} check-ins, {self.projects} student projects, "
            f"{self.accommodations} accommodations",
            f"  Learner model: {self.learner_model}",
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [f"    {role:<14} {username:<12} {who}" for role, username, who in self.logins]
        return "\n".join(lines)


def _logins() -> list[tuple[str, str, str]]:
    logins = [("administrator", "admin", "School administrator (leaders' pages, Django admin)")]
    for username in ("rivera", "chen", "okafor"):
        user = User.objects.filter(username=username).first()
        if user:
            logins.append(("teacher", username, f"{user.display_name}, teaches grade {user.grade}"))
    for username in ("s001", "s051", "s101"):
        user = User.objects.filter(username=username).first()
        if user:
            logins.append(("student", username, f"{user.display_name}, grade {int(user.grade)}"))
    counselor = User.objects.filter(username="park", role=Role.COUNSELOR).first()
    if counselor:
        logins.append(("counselor", "park", f"{counselor.display_name}, school counselor"))
    guardian = User.objects.filter(username="g001").first()
    if guardian:
        kids = ", ".join(
            s.display_name for s in User.objects.filter(guardian_links__guardian=guardian)
        )
        logins.append(("guardian", "g001", f"{guardian.display_name}, guardian of {kids}"))
    return logins


def _learner_model() -> str:
    parameter_set = ParameterSet.objects.filter(is_active=True).order_by("-created_at").first()
    version = parameter_set.version if parameter_set else "default parameters"
    fit = parameter_set.params.get("fit") if parameter_set else None
    if not fit:
        queued = CalibrationRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).first()
        if queued is not None:
            return (
                f"{version}; calibration #{queued.pk} is {queued.get_status_display().lower()} "
                "and runs in the background worker (`tandem serve` starts one)"
            )
        return f"{version} (not calibrated)"
    auc = fit.get("heldout", {}).get("auc")
    held_out = "n/a" if auc is None else f"{auc:.3f}"
    return f"{version} (calibrated; held-out AUC {held_out})"


def _report(created: bool) -> DemoReport:
    from tandem.competencies.models import Framework

    return DemoReport(
        created=created,
        students=User.objects.filter(role=Role.STUDENT).count(),
        teachers=User.objects.filter(role=Role.TEACHER).count(),
        guardians=User.objects.filter(role=Role.GUARDIAN).count(),
        statements=Statement.objects.count(),
        items=Item.objects.count(),
        pathways=Pathway.objects.count(),
        pathways_approved=Pathway.objects.filter(status=PathwayStatus.APPROVED).count(),
        goals=WeeklyGoal.objects.count(),
        check_ins=CheckIn.objects.count(),
        projects=StudentProject.objects.count(),
        accommodations=Accommodation.objects.count(),
        framework=str(Framework.objects.first() or ""),
        learner_model=_learner_model(),
        logins=_logins(),
    )


class DemoRefusedError(RuntimeError):
    """The demo school cannot be seeded or removed here without touching a real school."""


def real_roster_present() -> bool:
    """Whether the database holds roster data that the demo did not create.

    Superusers are not counted: an operator's own account is not a school's roster.
    """
    not_demo = {"sourced_id__startswith": DEMO_SOURCED_ID_PREFIX}
    return (
        Org.objects.exclude(**not_demo).exists()
        or Course.objects.exclude(**not_demo).exists()
        or SchoolClass.objects.exclude(**not_demo).exists()
        or User.objects.exclude(**not_demo).exclude(is_superuser=True).exists()
    )


def demo_only() -> bool:
    """Whether the demo school is here and nothing else is: when its password may be shown."""
    return Org.objects.filter(sourced_id=DEMO_SCHOOL).exists() and not real_roster_present()


def demo_seed_refusal() -> str | None:
    """Why the demo may not be seeded here, or None."""
    if Org.objects.filter(sourced_id=DEMO_SCHOOL).exists() or not real_roster_present():
        return None
    return (
        "this database holds a real roster (people or orgs not created by the demo); the demo "
        f"school, whose accounts share the password {DEMO_PASSWORD!r} and include a superuser, "
        "is not seeded beside it. Point TANDEM_DATA_DIR or DATABASE_URL at another database to "
        "try `tandem demo`."
    )


def demo_seed(
    *,
    students: int = 150,
    days: int = 42,
    seed: int = 2026,
    calibration: Literal["now", "background"] = "now",
    simulate: bool = False,
    save_history: Path | None = None,
) -> DemoReport:
    """Create the demo school unless it exists; returns what is there and the logins.

    Raises DemoRefusedError where the database holds a real roster (``real_roster_present``).

    The default demo's practice history is read from the one stored with the code (see
    ``HISTORY_PATH``), any other is simulated (``simulate`` forces that; ``save_history`` stores
    the history used). The school is then calibrated on its own history: ``"now"`` before this
    returns, ``"background"`` as a calibration run for the task worker (``tandem serve`` starts
    one), so that the site can serve meanwhile.
    """
    if Org.objects.filter(sourced_id=DEMO_SCHOOL).exists():
        return _report(created=False)
    refusal = demo_seed_refusal()
    if refusal is not None:
        raise DemoRefusedError(refusal)
    framework_load_coherence_map()
    now = timezone.now()
    with transaction.atomic():
        _seed_items()
        roster = _seed_roster(students=students, seed=seed)
        trace = None if simulate else _history_for(students=students, days=days, seed=seed, now=now)
        if trace is None:
            trace = _simulate(
                grades=[s.grade for s in roster.students], days=days, seed=seed, now=now
            )
        if save_history is not None:
            demo_history_save(trace, save_history)
        history = _write_history(roster, trace, now=now, days=days)
        interests_of = _seed_profiles(roster, history, seed=seed)
        projects = _seed_projects(roster, history, seed=seed, interests_of=interests_of)
        _seed_checkins(roster, history, seed=seed)
        _seed_written(roster, history, seed=seed)
        # Plans and goals read the learner state as it stands before calibration (as the
        # students' first visits would have made them); they add no evidence.
        _seed_pathways(roster, history, seed=seed, projects=projects)
        _seed_goals(roster, history, seed=seed, projects=projects)
        seed_wellbeing(
            roster.students,
            school=Org.objects.get(sourced_id=DEMO_SCHOOL),
            now=now,
            seed=seed,
            password=roster.teachers[0].password,
        )
        credit_demo_seed(
            students=roster.students,
            class_of=roster.classes_by_student,
            teacher_of=roster.teacher_of,
            known=history.known,
            now=history.now,
        )
        groups_demo_seed(teachers=roster.teachers, known=history.known, now=now, seed=seed)
        demo_leaders_seed(students=roster.students, now=now, seed=seed)
        flex_demo_seed(roster.teachers, roster.students, now=history.now, seed=seed)
    # The school ships calibrated: the learner model is fitted on its own (simulated) history.
    # Either way it is recorded as a calibration run (a tiny demo's run says why it kept the
    # defaults).
    if calibration == "now":
        calibrate_and_record()
    else:
        with contextlib.suppress(CalibrationBusyError):  # one is queued already: it will do
            calibration_run_start(requested_by=None)
    # The leaders' figures, worked out once so that their pages open on figures at once (the
    # background worker refreshes them when they grow old).
    figures_compute_all(now=timezone.now())
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

    def teacher_of(self, student: User) -> User:
        return self.teacher_by_class[self.classes_by_student[student.pk].pk]


# (when, competency id, estimate after, whether the student truly knew it then)
_Event = tuple[dt.datetime, int, float, bool]


@dataclass
class _History:
    """What the simulation knew, for the seeding that follows it: per student every answer (and
    observation) in time order, their true knowledge at the end and their ability offset."""

    now: dt.datetime
    start: dt.datetime
    comps: dict[int, Competency]
    events: dict[int, list[_Event]] = field(default_factory=lambda: defaultdict(list))
    known: dict[int, set[int]] = field(default_factory=dict)
    ability: dict[int, float] = field(default_factory=dict)


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


def _school_days(now: dt.datetime, days: int) -> list[dt.date]:
    """The weekdays of the last ``days`` days, oldest first (the days the history falls on)."""
    return [
        (now - dt.timedelta(days=d)).date()
        for d in range(days, 0, -1)
        if (now - dt.timedelta(days=d)).weekday() < 5
    ]


def _school_moments(rng: random.Random, n: int) -> list[int]:
    """Seconds after midnight (UTC) of ``n`` answers in one sitting during the school day."""
    start = 8 * 3600 + 30 * 60 + 60 * rng.randrange(0, 6 * 60)
    moments, t = [], start
    for _ in range(n):
        t += rng.randrange(25, 150)
        moments.append(t)
    return moments


# The simulated history, in terms that outlive a database (competency codes, item keys, the
# index of the school day), so that it can be stored with the code and written again anywhere.
# An answer: ("a", day, second of the day, item key, competency code, correct, duration in ms,
# predicted success, reason, whether the student truly knew it by then). An observation by the
# teacher: ("o", day, competency code, understood).
_TraceEvent = tuple[Any, ...]
OBSERVED_AT_SECONDS = 15 * 3600


@dataclass
class _StudentTrace:
    ability: float
    known: list[str]
    events: list[_TraceEvent]


@dataclass
class _Trace:
    students: int
    days: int
    seed: int
    school_days: int
    history: list[_StudentTrace]


def _item_key(item: Item) -> str:
    return f"{item.generator}:{item.seed}:{item.difficulty}"


def _simulate(*, grades: list[str], days: int, seed: int, now: dt.datetime) -> _Trace:
    """Six weeks (``days``) of practice by students of ``grades``, each answer chosen by the
    live site's policy and scored by a simulated student whose knowledge grows as they learn.

    This is the slow part of the demo (the policy runs once per answer), so the default demo
    stores its result (see ``demo_history_save``) and seeding reads that instead.
    """
    rng = random.Random(seed + 1)
    parameter_set = active_parameter_set()
    comps = _demo_competencies()
    prereqs = {cid: {p for p in ps if p in comps} for cid, ps in prerequisites_map(comps).items()}
    params = {cid: bkt_params_for(parameter_set, c.human_coding_scheme) for cid, c in comps.items()}
    bank: dict[tuple[str, int], list[Item]] = defaultdict(list)
    item_comps: dict[int, list[int]] = {}
    for item in Item.objects.prefetch_related("competencies").order_by("pk"):
        item_comps[item.pk] = [c.pk for c in item.competencies.all() if c.pk in comps]
        for comp in item.competencies.all():
            bank[(comp.human_coding_scheme, item.difficulty)].append(item)
    order = sorted(comps, key=lambda c: (comps[c].grade_rank, comps[c].list_order))
    school_days = _school_days(now, days)
    trace = _Trace(
        students=len(grades), days=days, seed=seed, school_days=len(school_days), history=[]
    )
    for grade in grades:
        offset = max(-2.0, min(2.0, rng.gauss(0.0, 1.0)))
        learn_rate = max(0.03, min(0.45, rng.gauss(0.2 + 0.05 * offset, 0.08)))
        level = grade_rank(grade) + offset
        # True knowledge: closed under prerequisites, centred on the student's working level.
        known: set[int] = set()
        for cid in order:
            chance = 1 / (1 + math.exp(-2.2 * (level - comps[cid].grade_rank - 0.3)))
            if rng.random() < chance and prereqs.get(cid, set()) <= known:
                known.add(cid)
        learner = _SimulatedEstimates({cid: params[cid].p_init for cid in comps}, params)
        p, n_att, n_ok, status, last_at = (
            learner.p,
            learner.n_att,
            learner.n_ok,
            learner.status,
            learner.last_at,
        )
        recent: list[int] = []
        recent_difficulties: list[int] = []
        answered = 0
        diligence = rng.random()
        stop_day = len(school_days) - (rng.randrange(8, 14) if rng.random() < 0.08 else 0)
        events: list[_TraceEvent] = []
        for day_index, day in enumerate(school_days[:stop_day]):
            if rng.random() > 0.45 + 0.5 * diligence:
                continue
            midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
            for second in _school_moments(rng, rng.randrange(4, 12)):
                moment = midnight + dt.timedelta(seconds=second)
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
                    student_grade_rank=grade_rank(grade),
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
                duration_ms = rng.randrange(20_000, 140_000)
                for icid in item_comps[item.pk]:
                    learner.learn(icid, correct, moment)
                events.append(
                    (
                        "a",
                        day_index,
                        second,
                        _item_key(item),
                        comps[cid].human_coding_scheme,
                        correct,
                        duration_ms,
                        round(choice.predicted_success, 4),
                        choice.reason,
                        cid in known,
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
                learner.learn(
                    cid,
                    understood,
                    midnight + dt.timedelta(seconds=OBSERVED_AT_SECONDS),
                    OBSERVATION_WEIGHT,
                )
                events.append(("o", day_index, comps[cid].human_coding_scheme, understood))
        trace.history.append(
            _StudentTrace(
                ability=round(offset, 6),
                known=sorted(comps[cid].human_coding_scheme for cid in known),
                events=events,
            )
        )
    return trace


@dataclass
class _SimulatedEstimates:
    """A simulated student's learner state, moved as the live site moves it (mastery_apply),
    so that the policy sees what the site would show."""

    p: dict[int, float]
    params: dict[int, tandem_engine.BKTParams]
    n_att: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    n_ok: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    status: dict[int, str] = field(default_factory=dict)
    last_at: dict[int, dt.datetime] = field(default_factory=dict)

    def learn(self, cid: int, correct: bool, moment: dt.datetime, weight: float = 1.0) -> None:
        self.p[cid] = tandem_engine.bkt_step(self.p[cid], correct, self.params[cid], weight)
        self.n_att[cid] += 1
        self.n_ok[cid] += int(correct)
        self.status[cid] = status_after(
            previous=self.status.get(cid, "not_started"),
            p_mastery=self.p[cid],
            n_attempts=self.n_att[cid],
        )
        self.last_at[cid] = moment


def _demo_competencies() -> dict[int, Competency]:
    """The competencies the item generators practice (the ones the history is about)."""
    codes = {code for g in GENERATORS.values() for code in g.competency_codes}
    return {c.pk: c for c in Competency.objects.filter(human_coding_scheme__in=codes)}


def demo_history_save(trace: _Trace, path: Path) -> None:
    """Store a simulated history for later seeding: gzipped JSON, one line per student, with
    competency codes, item keys and reasons numbered in tables up front."""
    tables: dict[str, dict[str, int]] = {"codes": {}, "items": {}, "reasons": {}}

    def number(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    rows = []
    for student in trace.history:
        events = []
        for event in student.events:
            if event[0] == "a":
                _, day, second, key, code, correct, duration, predicted, reason, knew = event
                events.append(
                    [
                        0,
                        day,
                        second,
                        number("items", key),
                        number("codes", code),
                        int(correct),
                        duration,
                        round(predicted * 10_000),
                        number("reasons", reason),
                        int(knew),
                    ]
                )
            else:
                _, day, code, understood = event
                events.append([1, day, number("codes", code), int(understood)])
        known = [number("codes", code) for code in student.known]
        rows.append(json.dumps([student.ability, known, events], separators=(",", ":")))
    head = {
        "format": HISTORY_FORMAT,
        "students": trace.students,
        "days": trace.days,
        "seed": trace.seed,
        "school_days": trace.school_days,
        **{name: list(values) for name, values in tables.items()},
    }
    # mtime=0: the same history gives the same bytes.
    with gzip.GzipFile(path, "wb", mtime=0) as stored:
        stored.write(("\n".join([json.dumps(head), *rows]) + "\n").encode("utf-8"))


def _history_load(path: Path) -> _Trace | None:
    """A stored history, or None when there is none or it is of another format."""
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as stored:
        lines = stored.read().splitlines()
    head = json.loads(lines[0])
    if head.get("format") != HISTORY_FORMAT:
        return None
    codes, items, reasons = head["codes"], head["items"], head["reasons"]
    history = []
    for line in lines[1:]:
        ability, known, rows = json.loads(line)
        events: list[_TraceEvent] = []
        for row in rows:
            if row[0] == 0:
                _, day, second, item, code, correct, duration, predicted, reason, knew = row
                events.append(
                    (
                        "a",
                        day,
                        second,
                        items[item],
                        codes[code],
                        bool(correct),
                        duration,
                        predicted / 10_000,
                        reasons[reason],
                        bool(knew),
                    )
                )
            else:
                events.append(("o", row[1], codes[row[2]], bool(row[3])))
        history.append(_StudentTrace(ability, [codes[c] for c in known], events))
    return _Trace(head["students"], head["days"], head["seed"], head["school_days"], history)


def _history_for(*, students: int, days: int, seed: int, now: dt.datetime) -> _Trace | None:
    """The stored history when it was simulated for this demo and still fits its content (every
    competency and item it names exists, the same number of school days), else None."""
    trace = _history_load(HISTORY_PATH)
    if trace is None or (trace.students, trace.days, trace.seed) != (students, days, seed):
        return None
    if trace.school_days != len(_school_days(now, days)):
        return None
    codes = {c.human_coding_scheme for c in _demo_competencies().values()}
    keys = {
        f"{g}:{s}:{d}" for g, s, d in Item.objects.values_list("generator", "seed", "difficulty")
    }
    for student in trace.history:
        for event in student.events:
            if event[0] == "a" and (event[3] not in keys or event[4] not in codes):
                return None
            if event[0] == "o" and event[2] not in codes:
                return None
    return trace


def _write_history(roster: _Roster, trace: _Trace, *, now: dt.datetime, days: int) -> _History:
    """Store the history as the live site would, but set-based: every answer and observation
    through ``evidence_record_many``, every learner state through ``mastery_apply_many`` (the
    same states as one answer at a time), and the practice attempts in one insert."""
    comps = _demo_competencies()
    by_code = {c.human_coding_scheme: c for c in comps.values()}
    items = {_item_key(item): item for item in Item.objects.prefetch_related("competencies").all()}
    school_days = _school_days(now, days)
    history = _History(now=now, start=now - dt.timedelta(days=days), comps=comps)
    drafts: list[EvidenceDraft] = []
    # Per draft: what the later seeding and the attempts need to know about it.
    notes: list[tuple[User, _TraceEvent, dt.datetime]] = []
    for student, record in zip(roster.students, trace.history, strict=True):
        school_class = roster.classes_by_student[student.pk]
        history.ability[student.pk] = record.ability
        history.known[student.pk] = {by_code[code].pk for code in record.known}
        for event in record.events:
            midnight = dt.datetime.combine(school_days[event[1]], dt.time(0, 0), tzinfo=dt.UTC)
            if event[0] == "a":
                _, _, second, key, code, correct, duration, predicted, _, _ = event
                item, moment = items[key], midnight + dt.timedelta(seconds=second)
                drafts.append(
                    EvidenceDraft(
                        actor=student,
                        verb=Verb.ANSWERED,
                        object_id=item.activity_id,
                        object_name=f"{by_code[code].code} item",
                        competencies=[c for c in item.competencies.all() if c.pk in comps],
                        source=Source.SIMULATION,
                        authority=student,
                        timestamp=moment,
                        item=item,
                        success=correct,
                        score_scaled=1.0 if correct else 0.0,
                        response="(simulated)",
                        duration_ms=duration,
                        school_class=school_class,
                        extensions={"predicted_success": predicted},
                    )
                )
            else:
                _, _, code, understood = event
                competency, moment = (
                    by_code[code],
                    midnight + dt.timedelta(seconds=OBSERVED_AT_SECONDS),
                )
                kind = (
                    ObservationKind.SHOWED_UNDERSTANDING
                    if understood
                    else ObservationKind.NEEDS_HELP
                )
                drafts.append(
                    EvidenceDraft(
                        actor=student,
                        verb=Verb.OBSERVED,
                        object_id=f"urn:tandem:competency:{competency.identifier}",
                        object_name=f"{competency.code}: {kind.label}",
                        competencies=[competency],
                        source=Source.OBSERVATION,
                        authority=roster.teacher_of(student),
                        timestamp=moment,
                        success=understood,
                        score_scaled=1.0 if understood else 0.0,
                        response=(
                            "Explained the steps clearly in our check-in."
                            if understood
                            else "Mixed up the steps; we worked one example together."
                        ),
                        school_class=school_class,
                        extensions={"observation": str(kind)},
                        weight=OBSERVATION_WEIGHT,
                    )
                )
            notes.append((student, event, moment))
    statements = [statement for statement, _ in evidence_record_many(drafts=drafts)]
    attempts = []
    for statement, (student, event, moment) in zip(statements, notes, strict=True):
        if event[0] == "a":
            attempts.append(
                Attempt(
                    student=student,
                    item=items[event[3]],
                    competency_id=by_code[event[4]].pk,
                    school_class=roster.classes_by_student[student.pk],
                    predicted_success=event[7],
                    reason=event[8],
                    presented_at=moment - dt.timedelta(seconds=40),
                    answered_at=moment,
                    statement=statement,
                )
            )
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    after = {
        (change.statement_id, change.state.competency_id): change.p_after
        for change in mastery_apply_many(statements=statements)
    }
    # What the check-ins and projects later read: each student's estimates as they went.
    for statement, (student, event, moment) in zip(statements, notes, strict=True):
        code, knew = (event[4], event[9]) if event[0] == "a" else (event[2], event[3])
        cid = by_code[code].pk
        history.events[student.pk].append((moment, cid, after[(statement.pk, cid)], knew))
    return history


# ---------- the pathway layer: profiles, projects, check-ins, pathways and goals ----------
#
# Everything below goes through the apps' own services, at moments inside the simulated history,
# so the pages read the demo exactly as they would read a school that used them for weeks.


def _local(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after midnight on ``day`` in the school's time zone (weeks are local)."""
    return dt.datetime.combine(
        day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_current_timezone()
    )


def _daytime(
    rng: random.Random,
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    weekdays_only: bool = False,
    first: int = 8 * 60 + 30,
    last: int = 16 * 60,
) -> dt.datetime:
    """A moment in school hours on a random day between ``lo`` and ``hi``, kept inside them."""
    if hi <= lo:
        return hi
    lo_day, hi_day = timezone.localdate(lo), timezone.localdate(hi)
    days = [lo_day + dt.timedelta(days=d) for d in range((hi_day - lo_day).days + 1)]
    if weekdays_only:
        days = [d for d in days if d.weekday() < 5] or days
    moment = _local(rng.choice(days), rng.randrange(first, last))
    return min(max(moment, lo), hi)


# Heritage languages by family name: about half of these students speak it at home.
HERITAGE = {
    "Castillo": "Spanish",
    "Garcia": "Spanish",
    "Lopez": "Spanish",
    "Quintero": "Spanish",
    "Reyes": "Spanish",
    "Vargas": "Spanish",
    "Silva": "Portuguese",
    "Dubois": "French",
    "Haddad": "Arabic",
    "Nguyen": "Vietnamese",
    "Kim": "Korean",
    "Zhou": "Mandarin",
    "Xu": "Mandarin",
    "Tanaka": "Japanese",
    "Ivanova": "Russian",
    "Yilmaz": "Turkish",
    "Okoro": "Igbo",
    "Mensah": "Twi",
    "Usman": "Urdu",
    "Patel": "Gujarati",
}
OWN_TAGS = (
    "skateboarding",
    "Minecraft",
    "baking",
    "robotics club",
    "anime",
    "K-pop",
    "chess",
    "fishing",
    "origami",
    "volleyball",
    "photography",
    "sewing",
    "birdwatching",
    "my dog Biscuit",
)
ABOUT_ME = (
    "I like {a} and {b}. Math makes more sense to me when I can draw it.",
    "Outside school I spend most of my time on {a}. I want to get faster with fractions.",
    "I'm into {a}. I like puzzles that take a while to crack.",
    "My favorite thing is {a}. I learn best when someone shows me an example first.",
    "I care about {a} and {b}. Tests make me nervous, but I like working with a partner.",
    "I'm the oldest of three and help my brother with homework. In my free time: {a}.",
    "Ask me about {a}! I'd like to understand why the rules work, not just use them.",
)
ACCOMMODATIONS = {
    AccommodationKind.IEP: (
        (
            "Extended time (1.5×) on quizzes and tests",
            "Specific learning disability in math calculation. Allow a calculator when "
            "computation is not what is assessed; check in after multi-step directions.",
        ),
        (
            "Word problems read aloud on request; fewer items per page",
            "Reading fluency below grade level. Read problems aloud when asked; the math "
            "assessed stays the same.",
        ),
    ),
    AccommodationKind.SECTION_504: (
        (
            "Movement breaks during long practice sessions",
            "ADHD. A short break after about 15 minutes of focused work; seat away from the door.",
        ),
        (
            "Instructions in writing as well as spoken",
            "Hearing loss in the left ear. Seat near the front; write instructions on the board.",
        ),
    ),
    AccommodationKind.ENGLISH_LEARNER: (
        (
            "English learner: bilingual glossary and sentence frames",
            "WIDA level 3. Allow a bilingual math glossary; offer sentence frames for explaining "
            "reasoning; pair with a peer who shares the home language when possible.",
        ),
    ),
}


def _seed_profiles(roster: _Roster, history: _History, *, seed: int) -> dict[int, list[str]]:
    """Interests, an "about me", languages for most students; accommodations for about 10%.

    Returns each student's interests (vocabulary values), which their projects follow.
    """
    rng = random.Random(seed + 3)
    early = history.start + (history.now - history.start) / 3
    interests_of: dict[int, list[str]] = {}
    home_other: list[User] = []
    for student in roster.students:
        interests = (
            rng.sample(Interest.values, rng.choice((1, 2, 2, 3, 3, 4)))
            if rng.random() < 0.9
            else []
        )
        own = rng.sample(OWN_TAGS, rng.choice((1, 1, 2))) if rng.random() < 0.3 else []
        words = [str(Interest(value).label).lower() for value in interests] + own
        about = ""
        if words and rng.random() < 0.7:
            about = rng.choice(ABOUT_ME).format(
                a=words[0], b=words[-1] if len(words) > 1 else "games"
            )
        heritage = HERITAGE.get(student.last_name)
        languages: list[dict[str, object]] | None = None
        if heritage and rng.random() < 0.55:
            languages = [
                {"name": heritage, "home": True},
                {"name": "English", "home": rng.random() < 0.4},
            ]
            home_other.append(student)
        elif rng.random() < 0.85:
            languages = [{"name": "English", "home": True}]
            if rng.random() < 0.2:
                languages.append({"name": rng.choice(("Spanish", "French")), "home": False})
        profile_update(
            student=student,
            now=_daytime(rng, history.start, early),
            interests=interests,
            own_interests=own,
            about_me=about,
            languages=languages,
        )
        interests_of[student.pk] = interests

    # Accommodations, recorded by the student's teacher: English learners among those who speak
    # another language at home, IEPs and 504 plans among the rest.
    wanted = max(1, round(len(roster.students) * 0.1)) if roster.students else 0
    learners = rng.sample(home_other, min(len(home_other), max(1, wanted // 3)))
    others = [s for s in roster.students if s not in learners]
    chosen = [(s, AccommodationKind.ENGLISH_LEARNER) for s in learners] + [
        (s, (AccommodationKind.IEP, AccommodationKind.SECTION_504)[i % 2])
        for i, s in enumerate(rng.sample(others, max(0, wanted - len(learners))))
    ]
    for student, kind in chosen:
        summary, details = rng.choice(ACCOMMODATIONS[kind])
        recorded = _daytime(rng, history.start, early, weekdays_only=True)
        accommodation_create(
            actor=roster.teacher_of(student),
            student=student,
            kind=kind,
            summary=summary,
            details=details,
            start_date=timezone.localdate(recorded) - dt.timedelta(days=rng.randrange(20, 200)),
            now=recorded,
        )
    return interests_of


# The library projects each grade chooses from, and the library tags each interest leans to.
PROJECTS_BY_GRADE = {
    "06": ("class-trip-budget", "skate-park", "school-survey"),
    "07": ("snack-stand", "sports-showdown", "dream-room"),
    "08": ("phone-plan-detective", "sports-showdown"),
}
INTEREST_TAGS: dict[str, set[str]] = {
    Interest.SPORTS: {"sports"},
    Interest.ART: {"art", "design"},
    Interest.BUILDING: {"building", "design"},
    Interest.COOKING: {"food"},
    Interest.CODING: {"technology", "data"},
    Interest.GAMES: {"data"},
    Interest.SCIENCE: {"data"},
    Interest.HISTORY: {"travel"},
}
PROJECT_WHY = {
    "class-trip-budget": "Our class wants a museum trip and I want to show we can afford it.",
    "skate-park": "I skate every weekend and the park near us only has one ramp.",
    "school-survey": "I want to find out how much sleep people in our grade really get.",
    "snack-stand": "My aunt runs a food truck; would a stand at our games make money?",
    "sports-showdown": "My friends and I argue about which team is better; I want numbers.",
    "phone-plan-detective": "My family is picking new phone plans and I want to find the cheapest.",
    "dream-room": "I share a room with my sister and want to plan how everything fits.",
}
# The states the demo's projects are in, in the order students are picked (one per class in turn).
PROJECT_STATES = (
    ProjectStatus.SCORED,
    ProjectStatus.APPROVED,
    ProjectStatus.PROPOSED,
    ProjectStatus.SCORED,
    ProjectStatus.APPROVED,
    ProjectStatus.CHANGES_REQUESTED,
    ProjectStatus.SUBMITTED,
    ProjectStatus.SCORED,
    ProjectStatus.APPROVED,
    ProjectStatus.PROPOSED,
)
APPROVALS = (
    "Great choice. Keep a list of your sources so you can show where the numbers came from.",
    "Approved. Show me your first milestone before you start the calculations.",
    "Looks good. Make sure every step shows the math, not just the answer.",
)


def _knows(history: _History, student: User, competency_id: int | None, rng: random.Random) -> bool:
    """Whether the student truly knows a competency at the end of the history (a guess by ability
    for one the simulation never practiced)."""
    if competency_id is not None and competency_id in history.comps:
        return competency_id in history.known.get(student.pk, set())
    return rng.random() < 0.5 + 0.2 * history.ability.get(student.pk, 0.0)


def _seed_projects(
    roster: _Roster, history: _History, *, seed: int, interests_of: dict[int, list[str]]
) -> list[StudentProject]:
    """About ten projects from the library, spread over the classes and the states of a project;
    the rubric scores follow what each student truly knows."""
    rng = random.Random(seed + 4)
    now, span = history.now, history.now - history.start
    templates = {t.library_key: t for t in project_library_seed(now=history.start)}
    by_class: dict[int, list[User]] = defaultdict(list)
    for student in roster.students:
        by_class[roster.classes_by_student[student.pk].pk].append(student)
    queues = [rng.sample(members, len(members)) for _, members in sorted(by_class.items())]
    wanted = min(len(PROJECT_STATES), max(3, len(roster.students) // 3))
    picked: list[User] = []
    while len(picked) < wanted and any(queues):
        for queue in queues:
            if queue and len(picked) < wanted:
                picked.append(queue.pop())
    projects = []
    used: dict[str, int] = defaultdict(int)
    for student, state in zip(picked, PROJECT_STATES, strict=False):
        keys = [key for key in PROJECTS_BY_GRADE.get(student.grade, ()) if key in templates]
        if not keys:
            continue
        rng.shuffle(keys)
        # The idea closest to the student's interests; between equals, one fewer classmates took.
        leaning = set().union(*(INTEREST_TAGS.get(i, set()) for i in interests_of[student.pk]))
        key = max(keys, key=lambda k: (len(leaning & set(templates[k].interest_tags)), -used[k]))
        used[key] += 1
        teacher = roster.teacher_of(student)
        if state in (ProjectStatus.PROPOSED, ProjectStatus.CHANGES_REQUESTED):
            times = sorted(_daytime(rng, now - span * 0.3, now) for _ in range(2))
        else:
            times = sorted(_daytime(rng, history.start + span * 0.1, now) for _ in range(5))
            # The teacher answers a proposal within a few school days; handed-in work waiting
            # for scores came in recently.
            times[1] = _daytime(rng, times[0], min(times[0] + dt.timedelta(days=3), times[2]))
            if state == ProjectStatus.SUBMITTED:
                times[3] = _daytime(rng, max(times[2], now - dt.timedelta(days=4)), now)
        project, _ = project_propose(
            student=student, template=templates[key], interest=PROJECT_WHY[key], now=times[0]
        )
        projects.append(project)
        if state == ProjectStatus.PROPOSED:
            continue
        if state == ProjectStatus.CHANGES_REQUESTED:
            project_review(
                teacher=teacher,
                project=project,
                decision=ReviewDecision.REQUEST_CHANGES,
                feedback="A good idea, but too big as it stands: pick one part and tell me "
                "which numbers you will collect.",
                now=times[1],
            )
            continue
        project = project_review(
            teacher=teacher,
            project=project,
            decision=ReviewDecision.APPROVE,
            feedback=rng.choice(APPROVALS),
            now=times[1],
        )
        milestones = list(project.milestones.all())
        milestone_complete(student=student, milestone=milestones[0], now=times[2])
        submission_create(
            student=student,
            project=project,
            milestone=milestones[0],
            text=f"{milestones[0].title}: done. I wrote down what I need and checked it with "
            "a partner; my notes are in my math notebook.",
            now=times[2],
        )
        if state == ProjectStatus.APPROVED:
            continue
        if len(milestones) > 2:
            milestone_complete(student=student, milestone=milestones[1], now=times[3])
        submission_create(
            student=student,
            project=project,
            text="My final work is at the link. I checked every calculation twice.",
            link=f"https://example.org/riverside/projects/{key}-{student.username}",
            now=times[3],
        )
        if state == ProjectStatus.SUBMITTED:
            continue
        levels = {}
        for criterion in project.criteria.prefetch_related("levels"):
            competency_id = criterion.competency_id or next(
                iter(project.competencies.values_list("pk", flat=True)), None
            )
            if _knows(history, student, competency_id, rng):
                points = 4 if rng.random() < 0.3 else 3
            else:
                points = 2 if rng.random() < 0.7 else 1
            levels[criterion.pk] = next(
                lv.pk for lv in criterion.levels.all() if lv.points == points
            )
        project_score(
            teacher=teacher,
            project=project,
            levels=levels,
            feedback="Clear work, well explained. Look at my notes on each rubric row.",
            now=times[4],
        )
    for project in projects:  # the services returned fresh copies; these still say "proposed"
        project.refresh_from_db()
    return projects


CHECKIN_OPENERS = (
    "Quick one-to-one during independent practice.",
    "Checked in at the start of class.",
    "Talked at the back table while the others worked.",
    "Conference in the last ten minutes of the period.",
)
CHECKIN_PHRASES = {
    Understanding.SHOWED: "{code}: explained the steps clearly and caught their own slip.",
    Understanding.PARTIAL: "{code}: has the idea but loses track on longer problems.",
    Understanding.NEEDS_HELP: "{code}: unsure where to start; we worked one example together.",
}
CHECKIN_CLOSERS = (
    "More confident by the end.",
    "Says practice at home is hard to fit in this week.",
    "Wants to try harder items next.",
    "",
)
HABITS = (
    "Practice for 20 minutes on Monday, Wednesday and Friday",
    "Ask for help when I'm stuck for more than five minutes",
    "Check my answers before I press submit",
    "Write down the steps, not just the answer",
    "Look back at my mistakes at the end of each session",
)


# Written questions a teacher scores: (competency code, question, scorer guidance, lines).
WRITTEN_QUESTIONS = [
    (
        "4.NF.A.2",
        "Explain why 2/3 is greater than 3/5. Use a drawing or common denominators.",
        "Shows understanding: rewrites both with a common denominator (10/15 > 9/15), or draws "
        "two same-sized wholes split into thirds and fifths and compares the shaded parts.\n"
        "Partly: the right claim with an incomplete reason, e.g. wholes of different sizes, or "
        "“2/3 is closer to 1” without saying why.\n"
        "Not yet: compares numerators or denominators on their own (“5 is bigger than 3”).",
        5,
    ),
    (
        "6.RP.A.1",
        "A trail mix uses 3 cups of peanuts for every 2 cups of raisins. Explain what the ratio "
        "3:2 tells you, and how many cups of raisins go with 9 cups of peanuts.",
        "Shows understanding: for every 3 cups of peanuts there are 2 cups of raisins; 9 is 3 "
        "groups of 3, so 3 groups of 2 = 6 cups of raisins (a table or tape diagram is fine).\n"
        "Partly: says 6 cups without explaining the groups, or explains the ratio but slips in "
        "the arithmetic.\n"
        "Not yet: adds instead of scaling (9 − 3 = 6 more, so 8 cups).",
        5,
    ),
    (
        "6.NS.C.7.b",
        "It was −5 °C on Monday and −2 °C on Tuesday. Maya says Monday was warmer because 5 is "
        "more than 2. Is she right? Explain using a number line or the temperatures.",
        "Shows understanding: Maya is wrong; −5 lies to the left of −2 on a number line, so it "
        "is colder: −5 < −2.\n"
        "Partly: the right answer with no reason, or a reason that only restates the rule.\n"
        "Not yet: agrees with Maya or compares 5 and 2.",
        4,
    ),
    (
        "6.EE.A.3",
        "Jon says that 3(x + 4) is the same as 3x + 4. Is he right? Explain how you know.",
        "Shows understanding: no — the 3 multiplies both terms (distributive property), so "
        "3(x + 4) = 3x + 12; may check with a value, e.g. x = 1 gives 15 and 7.\n"
        "Partly: says he is wrong and gives 3x + 12 without a reason, or tests one value only.\n"
        "Not yet: agrees with Jon.",
        4,
    ),
    (
        "7.RP.A.2.a",
        "Sam earns $24 for 2 hours of work and $60 for 5 hours. Is his pay proportional to the "
        "hours he works? Explain how you know.",
        "Shows understanding: yes — $12 an hour both times (24 ÷ 2 = 60 ÷ 5 = 12), so the ratio "
        "is constant; a table or a line through (0, 0) also works.\n"
        "Partly: finds one unit rate, or says yes without comparing both.\n"
        "Not yet: looks only at the differences (36 more dollars for 3 more hours).",
        5,
    ),
    (
        "8.EE.A.1",
        "Explain why 2³ × 2⁴ = 2⁷. Do not just state the rule: show where the 7 comes from.",
        "Shows understanding: writes out the factors — three 2s times four 2s is seven 2s "
        "multiplied together.\n"
        "Partly: states “add the exponents” with a correct example but no reason.\n"
        "Not yet: multiplies the exponents (2¹²) or the bases (4⁷).",
        4,
    ),
]
# What demo students wrote: one answer that shows understanding, one partly, one not yet.
_WRITTEN_SAMPLES = {
    WrittenScoreLevel.SHOWS: "I made both fractions into fifteenths. 2/3 = 10/15 and "
    "3/5 = 9/15, and 10/15 is bigger, so 2/3 is bigger.",
    WrittenScoreLevel.PARTLY: "2/3 is bigger because it is closer to a whole.",
    WrittenScoreLevel.NOT_YET: "3/5 is bigger because 5 is bigger than 3.",
}
_WRITTEN_COMMENTS = {
    WrittenScoreLevel.SHOWS: "Clear reasoning: common denominators make the comparison easy.",
    WrittenScoreLevel.PARTLY: "You are right. Now show why it is closer to a whole.",
    WrittenScoreLevel.NOT_YET: "Try drawing both fractions on the same-sized bar.",
}


def _seed_written(roster: _Roster, history: _History, *, seed: int) -> None:
    """The written questions, and in each class a few answers to the first one: most scored by
    the teacher (following what the student truly knew), a couple still waiting."""
    rng = random.Random(seed + 7)
    items = [
        written_item_create(
            stem=stem, competency_codes=[code], guidance=guidance, expected_lines=lines
        )
        for code, stem, guidance, lines in WRITTEN_QUESTIONS
    ]
    first = items[0]
    competency_id = first.competencies.values_list("pk", flat=True).first()
    students_of: dict[int, list[User]] = defaultdict(list)
    for student in roster.students:
        students_of[roster.teacher_of(student).pk].append(student)
    now = history.now
    for teacher in roster.teachers:
        students = students_of[teacher.pk]
        for n, student in enumerate(rng.sample(students, min(4, len(students)))):
            knows = _knows(history, student, competency_id, rng)
            level = (
                WrittenScoreLevel.SHOWS
                if knows
                else rng.choice([WrittenScoreLevel.PARTLY, WrittenScoreLevel.NOT_YET])
            )
            sent = now - dt.timedelta(days=3 - n % 3, hours=rng.randint(1, 5))
            answer, _ = written_answer_submit(
                student=student, item_id=first.pk, text=_WRITTEN_SAMPLES[level], now=sent
            )
            if n < 2:  # the others wait for the teacher
                written_answer_score(
                    teacher=teacher,
                    answer=answer,
                    level=level,
                    comment=_WRITTEN_COMMENTS[level],
                    now=sent + dt.timedelta(hours=20),
                )


def _seed_checkins(roster: _Roster, history: _History, *, seed: int) -> None:
    """Each teacher has held check-ins with about 40% of their students over the last three
    weeks (a few twice), and has a few planned for the coming school days.

    What the teacher hears follows what the student truly knew at the time; what they agree on
    becomes goals for that week, never more than the week holds.
    """
    rng = random.Random(seed + 5)
    now = history.now
    span = min(dt.timedelta(days=CHECKIN_MAX_DAYS_UNSEEN + 7), now - history.start)
    goals: dict[tuple[int, dt.date], int] = defaultdict(int)
    students_of: dict[int, list[User]] = defaultdict(list)
    for student in roster.students:
        students_of[roster.teacher_of(student).pk].append(student)
    for teacher in roster.teachers:
        students = students_of[teacher.pk]
        seen = rng.sample(students, round(len(students) * 0.4))
        for n, student in enumerate(seen):
            # The first two of each teacher's are one seen long ago and one seen this week, so
            # the who-to-see list always shows both; the rest fall anywhere in the three weeks.
            lo, hi = now - span, now
            overdue = now - dt.timedelta(days=CHECKIN_MAX_DAYS_UNSEEN + 1)
            if n == 0 and overdue > lo:
                hi = overdue
            elif n == 1:
                lo = max(lo, now - dt.timedelta(days=3))
            times = [_daytime(rng, lo, hi, weekdays_only=True)]
            if rng.random() < 0.15:
                times.append(_daytime(rng, times[0], now, weekdays_only=True))
            for held_at in times:
                _checkin_hold(roster, history, rng, teacher, student, held_at, goals)
        # A few planned for the coming school days, with students not seen yet.
        unseen = [s for s in students if s not in seen]
        planned = rng.sample(unseen, min(len(unseen), max(1, round(len(students) * 0.06))))
        today = timezone.localdate(now)
        days = [today + dt.timedelta(days=d) for d in range(1, 8)]
        days = [d for d in days if d.weekday() < 5][:3]
        for student in planned:
            slot = _local(rng.choice(days), rng.choice((555, 630, 705, 795, 840)))
            checkin_schedule(teacher=teacher, student=student, scheduled_for=slot, now=now)


def _checkin_hold(
    roster: _Roster,
    history: _History,
    rng: random.Random,
    teacher: User,
    student: User,
    held_at: dt.datetime,
    goals: dict[tuple[int, dt.date], int],
) -> None:
    before = [event for event in history.events[student.pk] if event[0] < held_at]
    # The student's latest focus (what they practised most recently), and of that what looks
    # hardest: the conversation goes where the estimate is lowest.
    recent: dict[int, tuple[float, bool]] = {}
    for _, cid, p, known in reversed(before):
        recent.setdefault(cid, (p, known))
        if len(recent) >= 4:
            break
    focus = sorted(recent, key=lambda cid: (recent[cid][0], cid))[:2]
    chosen = rng.sample(focus, min(len(focus), rng.choice((1, 2, 2))))
    observations = []
    for cid in chosen:
        if recent[cid][1]:
            understanding = Understanding.SHOWED if rng.random() < 0.75 else Understanding.PARTIAL
        else:
            understanding = (
                Understanding.NEEDS_HELP if rng.random() < 0.6 else Understanding.PARTIAL
            )
        observations.append(ObservationInput(history.comps[cid], understanding))
    lines = [rng.choice(CHECKIN_OPENERS)]
    lines += [CHECKIN_PHRASES[o.understanding].format(code=o.competency.code) for o in observations]
    if not observations:
        lines.append("Has hardly practiced yet; we talked about how to get started.")
    lines.append(rng.choice(CHECKIN_CLOSERS))
    steps = [
        NextStepInput(GoalKind.COMPETENCY, "Practice until I can explain every step", o.competency)
        for o in observations
        if o.understanding != Understanding.SHOWED
    ]
    if rng.random() < 0.35 or not steps:
        steps.append(NextStepInput(GoalKind.HABIT, rng.choice(HABITS)))
    week = current_week(held_at)
    room = MAX_GOALS_PER_WEEK - goals[(student.pk, week)]
    steps = steps[: max(0, min(room, 2))]
    checkin_record(
        teacher=teacher,
        student=student,
        now=held_at,
        notes="\n".join(line for line in lines if line),
        observations=observations,
        next_steps=steps,
        school_class=roster.classes_by_student[student.pk],
    )
    goals[(student.pk, week)] += len(steps)


def _seed_pathways(
    roster: _Roster, history: _History, *, seed: int, projects: list[StudentProject]
) -> None:
    """A pathway for every student; a few advanced students aim beyond their grade, a few add
    their project as a step, and teachers have approved about half of the plans."""
    rng = random.Random(seed + 6)
    now = history.now
    practisable = practisable_competencies()
    by_rank: dict[int, list[Competency]] = defaultdict(list)
    for competency in sorted(practisable.values(), key=lambda c: (c.grade_rank, c.list_order)):
        by_rank[competency.grade_rank].append(competency)
    top = max(by_rank, default=0)
    candidates = [s for s in roster.students if grade_rank(s.grade) < top]
    candidates.sort(key=lambda s: -history.ability[s.pk])
    advanced = {
        s.pk
        for s in candidates[: max(1, len(roster.students) // 30)]
        if history.ability[s.pk] > 0.3
    }
    with_project = {
        p.student_id: p
        for p in projects
        if p.status in (ProjectStatus.APPROVED, ProjectStatus.SUBMITTED, ProjectStatus.SCORED)
    }
    project_steps = set(sorted(with_project)[:4])
    since = max(history.start, now - dt.timedelta(days=10))
    for student in roster.students:
        at = _daytime(rng, since, now - dt.timedelta(hours=6))
        pathway = pathway_build(student=student, now=at)
        above = [
            c
            for c in by_rank[grade_rank(student.grade) + 1]
            if c.pk not in history.known.get(student.pk, set())
        ][:3]
        if student.pk in advanced and above:
            at = _daytime(rng, at, now)
            pathway_target_add(actor=student, pathway=pathway, competency=rng.choice(above), now=at)
        if student.pk in project_steps:
            project = with_project[student.pk]
            at = _daytime(rng, at, now)
            pathway_project_add(
                actor=student,
                pathway=pathway,
                title=project.title,
                description=project.template.summary if project.template else "",
                competencies=list(project.competencies.all()),
                now=at,
            )
        if rng.random() < 0.5:
            teacher = roster.teacher_of(student)
            pathway_approve(
                actor=teacher, pathway=pathway, now=_daytime(rng, at, now, weekdays_only=True)
            )


REFLECTION_WORKED = (
    "Doing a few items every day instead of all at once.",
    "Asking my partner when I got stuck.",
    "Writing the steps down so I could see where I went wrong.",
    "Reading the worked solution after a wrong answer.",
    "Not much, honestly. I was tired this week.",
)
REFLECTION_NEXT = (
    "Keep going with the same competency until it says mastered.",
    "Start practice earlier in the week.",
    "Ask my teacher about the problems I keep getting wrong.",
    "Try one of the harder items each day.",
)


def _seed_goals(
    roster: _Roster, history: _History, *, seed: int, projects: list[StudentProject]
) -> None:
    """Goals for this week (about 70% of students) and last week (about 65%), some done, some
    missed; last week's reflection for about 60%."""
    rng = random.Random(seed + 7)
    now = history.now
    this_week = current_week(now)
    last_week = previous_week(this_week)
    ids = [s.pk for s in roster.students]
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for sid, week in WeeklyGoal.objects.filter(student_id__in=ids).values_list("student", "week"):
        counts[(sid, week)] += 1
    learning: dict[int, list[int]] = defaultdict(list)
    for sid, cid in (
        LearnerState.objects.filter(student_id__in=ids, status=Status.LEARNING)
        .order_by("student_id", "-last_evidence_at", "competency_id")
        .values_list("student_id", "competency_id")
    ):
        learning[sid].append(cid)
    competencies = Competency.objects.in_bulk({c for cids in learning.values() for c in cids})
    open_milestones: dict[int, list[str]] = defaultdict(list)
    for project in projects:
        if project.status == ProjectStatus.APPROVED:
            for milestone in project.milestones.filter(done_at__isnull=True):
                open_milestones[project.student_id].append(f"{milestone.title} ({project.title})")

    for week, share in ((last_week, 0.65), (this_week, 0.7)):
        # Set early in the week (or as early as the history goes), never past its Sunday.
        lo = max(history.start, _local(week, 0))
        hi = min(now, lo + dt.timedelta(days=2), _local(week + dt.timedelta(days=6), 23 * 60))
        if hi <= lo:
            continue
        for student in roster.students:
            if rng.random() >= share:
                continue
            sid = student.pk
            focus = learning[sid][:3]
            for i in range(max(0, rng.choice((1, 2, 2, 3)) - counts[(sid, week)])):
                kind, text, competency = GoalKind.HABIT, rng.choice(HABITS), None
                if i == 0 and focus and rng.random() < 0.8:
                    kind, text = GoalKind.COMPETENCY, ""
                    competency = competencies[focus.pop(rng.randrange(len(focus)))]
                elif open_milestones[sid] and rng.random() < 0.6:
                    kind, text = GoalKind.MILESTONE, "Finish: " + open_milestones[sid][0]
                goal_create(
                    student=student,
                    kind=kind,
                    text=text,
                    competency=competency,
                    created_by=student,
                    now=_daytime(rng, lo, hi),
                )
                counts[(sid, week)] += 1

    # Done or not: more often in past weeks (there was time), about a third so far this week.
    for goal in WeeklyGoal.objects.filter(student_id__in=ids, status=GoalStatus.OPEN).order_by(
        "pk"
    ):
        if rng.random() >= (0.35 if goal.week == this_week else 0.55):
            continue
        week_end = _local(goal.week + dt.timedelta(days=6), 23 * 60 + 59)
        done = _daytime(rng, goal.created_at, min(week_end, now))
        goal_complete(student=goal.student, goal_id=goal.pk, now=done)
    goals_close_past_weeks(student_ids=ids, now=now)

    # Reflections on last week: on its Friday afternoon, or late, during this week.
    last = WeeklyGoal.objects.filter(student_id__in=ids, week=last_week)
    set_by = defaultdict(list)
    for goal in last:
        set_by[goal.student_id].append(goal.status == GoalStatus.DONE)
    friday = _local(last_week + dt.timedelta(days=4), 13 * 60)
    for student in roster.students:
        had = set_by.get(student.pk, [])
        if rng.random() >= (0.75 if had else 0.3):
            continue
        if friday >= history.start and rng.random() < 0.75:
            at = _daytime(rng, friday, friday + dt.timedelta(hours=4), first=13 * 60, last=17 * 60)
        else:
            at = _daytime(rng, _local(this_week, 0), now)
        did = (
            f"I set {len(had)} goal{'s' if len(had) != 1 else ''} and finished {sum(had)}."
            if had
            else "I practiced in class but didn't set goals."
        )
        reflection_save(
            student=student,
            week=last_week,
            did=did,
            worked=rng.choice(REFLECTION_WORKED),
            next_steps=rng.choice(REFLECTION_NEXT),
            now=at,
        )
