"""The demo school seeds a realistic spread, idempotently: practice history and the pathway
layer (profiles, projects, check-ins, pathways, goals), and its pages open."""

import datetime as dt
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.checkins.constants import CheckInStatus
from tandem.checkins.models import CheckIn, CheckInNextStep
from tandem.checkins.selectors import who_to_see
from tandem.core.demo import demo_seed
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.goals.constants import MAX_GOALS_PER_WEEK, GoalStatus
from tandem.goals.models import Reflection, WeeklyGoal
from tandem.goals.rules import current_week, previous_week
from tandem.groups.constants import LessonStatus
from tandem.groups.models import LessonAttendance, MiniLessonGroup
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.services import active_parameter_set
from tandem.pathways.constants import PathwayStatus, StepKind, TargetReason
from tandem.pathways.models import Pathway, PathwayStep, PathwayTarget
from tandem.profiles.models import Accommodation, LearnerProfile
from tandem.projects.access import is_teacher_of
from tandem.projects.constants import ProjectStatus
from tandem.projects.models import RubricScore, StudentProject
from tandem.roster.constants import Role
from tandem.roster.models import Enrollment, GuardianLink, SchoolClass, User

pytestmark = pytest.mark.django_db

STUDENTS, DAYS = 30, 14


def test_demo_seed_is_realistic_and_idempotent():
    report = demo_seed(students=STUDENTS, days=DAYS, seed=7)
    now = timezone.now()
    assert report.created
    assert User.objects.filter(role=Role.TEACHER).count() == 3
    assert SchoolClass.objects.count() == 6
    assert User.objects.filter(role=Role.STUDENT).count() == STUDENTS
    assert GuardianLink.objects.exists()
    assert Statement.objects.count() > STUDENTS * 5
    statuses = set(LearnerState.objects.values_list("status", flat=True))
    assert {Status.LEARNING, Status.MASTERED} <= statuses
    # Students really differ: their mastered counts spread out.
    counts = [
        LearnerState.objects.filter(student=s, status=Status.MASTERED).count()
        for s in User.objects.filter(role=Role.STUDENT)
    ]
    assert max(counts) - min(counts) >= 3
    # The school ships calibrated: a fitted parameter set is active and made every estimate,
    # the estimates moved by check-ins and rubric scores included.
    calibrated = active_parameter_set()
    assert calibrated.params["fit"]["n_responses"] > STUDENTS * 5
    assert not LearnerState.objects.exclude(parameter_set=calibrated).exists()
    assert not StateChange.objects.exclude(parameter_set=calibrated).exists()
    assert f"Learner model: {calibrated.version} (calibrated" in report.summary()

    _assert_pathway_layer(now)
    assert f"{STUDENTS} pathways" in report.summary()

    before = _counts()
    again = demo_seed(students=STUDENTS, days=DAYS, seed=7)
    assert not again.created
    assert _counts() == before
    assert "rivera" in again.summary() and "tandem-demo" in again.summary()

    _assert_pages_open()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Statement,
            LearnerState,
            Pathway,
            PathwayStep,
            WeeklyGoal,
            Reflection,
            CheckIn,
            StudentProject,
            RubricScore,
            LearnerProfile,
            Accommodation,
        )
    }


def _assert_pathway_layer(now: dt.datetime) -> None:
    start = now - dt.timedelta(days=DAYS, minutes=5)

    # Profiles: most students said something about themselves; some speak another language at
    # home; about 10% have an accommodation, recorded by a teacher of theirs.
    profiles = list(LearnerProfile.objects.all())
    assert len(profiles) >= STUDENTS * 0.7
    assert sum(bool(p.interests) for p in profiles) >= STUDENTS * 0.6
    assert sum(bool(p.about_me) for p in profiles) >= STUDENTS * 0.4
    assert any(p.own_interests for p in profiles)
    homes = {lang["name"] for p in profiles for lang in p.languages if lang["home"]}
    assert "English" in homes and len(homes) >= 2
    accommodations = list(Accommodation.objects.select_related("recorded_by"))
    assert 1 <= len(accommodations) <= STUDENTS * 0.2
    for accommodation in accommodations:
        assert is_teacher_of(accommodation.recorded_by, accommodation.student_id)

    # Projects: from the library, in several states, reviewed and scored by the student's own
    # teacher; the scores are evidence.
    projects = list(StudentProject.objects.select_related("reviewed_by"))
    assert 5 <= len(projects) <= 12
    assert all(p.template_id for p in projects)
    assert {ProjectStatus.PROPOSED, ProjectStatus.APPROVED, ProjectStatus.SCORED} <= {
        p.status for p in projects
    }
    assert len({p.student_id for p in projects}) == len(projects)
    for project in projects:
        if project.reviewed_by is not None:
            assert is_teacher_of(project.reviewed_by, project.student_id)
    scored = [p for p in projects if p.status == ProjectStatus.SCORED]
    assert all(p.scores.count() == p.criteria.count() for p in scored)
    assert any(m.done_at for p in projects for m in p.milestones.all())
    project_statements = Statement.objects.filter(source=Source.PROJECT)
    assert project_statements.count() == RubricScore.objects.count() > 0

    # Check-ins: held within the history (each teacher with their own students), a few planned
    # ahead; observations are evidence, next steps are goals.
    held = CheckIn.objects.filter(status=CheckInStatus.HELD)
    assert STUDENTS * 0.3 <= held.values("student").distinct().count() <= STUDENTS * 0.5
    assert all(start <= c.held_at <= now for c in held)
    for check_in in CheckIn.objects.all():
        assert is_teacher_of(check_in.teacher, check_in.student_id)
    planned = CheckIn.objects.filter(status=CheckInStatus.SCHEDULED)
    assert planned.exists() and all(c.scheduled_for > now for c in planned)
    check_in_statements = Statement.objects.filter(source=Source.CHECK_IN)
    assert check_in_statements.exists()
    assert all(start <= s.timestamp <= now for s in check_in_statements)
    assert CheckInNextStep.objects.exists()
    for teacher in User.objects.filter(role=Role.TEACHER):
        rows = who_to_see(teacher=teacher, now=now)
        assert rows
        assert any(r.days_since is None for r in rows), "someone never seen"
        assert any(r.days_since is not None and not r.overdue for r in rows), "someone seen"
        assert rows[0].overdue

    # Pathways: everyone has one, about half approved by their teacher; a few aim beyond grade
    # or carry a project.
    pathways = list(Pathway.objects.select_related("approved_by"))
    assert len(pathways) == STUDENTS
    approved = [p for p in pathways if p.status == PathwayStatus.APPROVED]
    assert STUDENTS * 0.25 <= len(approved) <= STUDENTS * 0.75
    assert all(p.approved_by and is_teacher_of(p.approved_by, p.student_id) for p in approved)
    assert PathwayStep.objects.filter(kind=StepKind.COMPETENCY).exists()
    assert PathwayTarget.objects.filter(reason=TargetReason.STUDENT).exists()
    assert PathwayStep.objects.filter(kind=StepKind.PROJECT).exists()

    # Goals: one to three a week, this week for most, last week's done or missed; reflections.
    this_week = current_week(now)
    last_week = previous_week(this_week)
    per_week = Counter(WeeklyGoal.objects.values_list("student_id", "week"))
    assert max(per_week.values()) <= MAX_GOALS_PER_WEEK
    with_goals = {sid for sid, week in per_week if week == this_week}
    assert len(with_goals) >= STUDENTS * 0.5
    last = Counter(WeeklyGoal.objects.filter(week=last_week).values_list("status", flat=True))
    assert last[GoalStatus.DONE] and last[GoalStatus.MISSED] and not last[GoalStatus.OPEN]
    assert set(WeeklyGoal.objects.filter(week=this_week).values_list("kind", flat=True)) >= {
        "competency",
        "habit",
    }
    assert all(start <= g.created_at <= now for g in WeeklyGoal.objects.all())
    assert Reflection.objects.filter(week=last_week).count() >= STUDENTS * 0.3

    # Mini-lesson groups: one per teacher at most, the first teacher's across grades, each with
    # a mini-lesson held in the past (its exit checks are evidence) and one planned for today.
    groups = list(MiniLessonGroup.objects.select_related("leader"))
    assert 1 <= len(groups) <= 3
    rivera = next(g for g in groups if g.leader.username == "rivera")
    assert len(set(rivera.members.values_list("student__grade", flat=True))) >= 2
    for group in groups:
        held_lessons = group.lessons.filter(status=LessonStatus.HELD)
        assert held_lessons.count() == 1 and held_lessons[0].held_at <= now
        assert group.lessons.filter(
            status=LessonStatus.PLANNED, date=timezone.localdate(now)
        ).exists()
        assert held_lessons[0].attendance.count() == group.members.count()
    exit_statements = Statement.objects.filter(source=Source.MINI_LESSON)
    assert exit_statements.exists() and all(s.timestamp <= now for s in exit_statements)
    assert LessonAttendance.objects.filter(present=True, p_after__isnull=False).exists()


def _assert_pages_open() -> None:
    teacher = User.objects.get(username="rivera")
    class_id = Enrollment.objects.filter(user=teacher, role="teacher")[0].school_class_id
    pupil = Enrollment.objects.filter(school_class_id=class_id, role="student")[0].user
    project = StudentProject.objects.filter(student__in=User.objects.filter(grade="06")).first()
    assert project is not None
    staff = Client()
    staff.force_login(teacher)
    for url in (
        reverse("checkins:today"),
        reverse("checkins:student", args=[pupil.pk]),
        reverse("pathways:student", args=[pupil.pk]),
        reverse("goals:class", args=[class_id]),
        reverse("goals:student", args=[pupil.pk]),
        reverse("profiles:student", args=[pupil.pk]),
        reverse("projects:review"),
        reverse("projects:teacher_project", args=[project.pk]),
    ):
        assert staff.get(url).status_code == 200, url
    student = Client()
    student.force_login(project.student)
    for url in (
        reverse("pathways:mine"),
        reverse("goals:home"),
        reverse("profiles:mine"),
        reverse("projects:library"),
        reverse("projects:project", args=[project.pk]),
    ):
        assert student.get(url).status_code == 200, url
