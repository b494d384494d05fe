"""Building and changing a pathway through its services: prerequisites included, mastered work
left out or shown as done, a topological order the student can change but never to skip a
prerequisite, targets at any grade, projects, teacher approval and the history of changes."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests import factories
from tests.factories import make_user, record_answer

from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_competencies
from tandem.pathways.constants import EventKind, PathwayStatus, StepStatus, TargetReason
from tandem.pathways.models import Pathway, PathwayEvent, PathwayStep, PathwayTarget
from tandem.pathways.rules import order_violations
from tandem.pathways.selectors import pathway_competency_ids, pathway_view, plan_inputs
from tandem.pathways.services import (
    PathwayError,
    pathway_approve,
    pathway_build,
    pathway_project_add,
    pathway_project_complete,
    pathway_project_remove,
    pathway_step_move,
    pathway_target_add,
    pathway_target_remove,
)
from tandem.roster.constants import Role

pytestmark = pytest.mark.django_db


def master(student, code):
    factories.master(student, code)


def codes(pathway):
    return [
        s.competency.code if s.competency else s.title
        for s in pathway.steps.select_related("competency").order_by("position")
    ]


def step(pathway, code):
    return pathway.steps.get(competency__human_coding_scheme=code)


def grade_6_codes():
    return {c.code for c in practisable_competencies().values() if c.grade_rank == 7}


def assert_topological(pathway, student):
    inputs = plan_inputs(student_id=student.pk, now=timezone.now())
    order = [s.competency_id for s in pathway.steps.order_by("position") if s.competency_id]
    assert not order_violations(order, prerequisites=inputs.prerequisites, mastered=inputs.mastered)


# ---------- building ----------


def test_build_targets_the_grade_and_includes_every_unmastered_prerequisite(school):
    student = school.student_a
    pathway = pathway_build(student=student, now=timezone.now())
    targets = set(
        pathway.targets.values_list("competency__human_coding_scheme", flat=True).distinct()
    )
    assert targets == grade_6_codes()
    assert set(pathway.targets.values_list("reason", flat=True)) == {TargetReason.COURSE}
    plan = codes(pathway)
    # 6.NS.B.4 builds on 4.OA.B.4, which builds on 3.OA.C.7: both come along, in that order.
    assert plan.index("3.OA.C.7") < plan.index("4.OA.B.4") < plan.index("6.NS.B.4")
    assert plan.index("6.NS.B.4") < plan.index("6.EE.A.3")
    assert set(plan) >= grade_6_codes() | {"5.NF.A.1", "4.NF.B.3.c", "4.MD.A.3"}
    # Nothing above grade 6 was added, and nothing not needed.
    assert "7.EE.A.1" not in plan and "3.NBT.A.1" not in plan
    assert_topological(pathway, student)
    event = PathwayEvent.objects.get(pathway=pathway)
    assert event.kind == EventKind.CREATED and "12 course standards" in event.summary


def test_ties_are_broken_by_grade_then_list_order(school):
    pathway = pathway_build(student=school.student_a, now=timezone.now())
    steps = list(pathway.steps.select_related("competency").order_by("position"))
    # The very first step has no prerequisites on the plan and is the lowest in grade order.
    assert steps[0].competency.grade_rank == min(s.competency.grade_rank for s in steps)


def test_mastered_prerequisites_are_left_out_and_mastered_targets_shown_as_done(school):
    student = school.student_a
    master(student, "4.OA.B.4")
    master(student, "6.NS.A.1")
    pathway = pathway_build(student=student, now=timezone.now())
    plan = codes(pathway)
    # 4.OA.B.4 is mastered, so neither it nor what it builds on (3.OA.C.7) is a step.
    assert "4.OA.B.4" not in plan and "3.OA.C.7" not in plan
    assert "6.NS.A.1" in plan  # a target stays, as done
    view = pathway_view(student=student, now=timezone.now())
    status = {s.competency.code: s.status for s in view.steps}
    assert status["6.NS.A.1"] == StepStatus.DONE
    assert status["6.NS.B.4"] == StepStatus.READY  # its prerequisite is mastered
    assert status["6.EE.A.3"] == StepStatus.LOCKED  # needs 6.NS.B.4 first
    locked = next(s for s in view.steps if s.competency.code == "6.EE.A.3")
    assert [c.code for c in locked.blocked_by] == ["6.NS.B.4"]


def test_refreshing_is_idempotent_and_keeps_a_step_once_mastered(school):
    student = school.student_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    before = codes(pathway)
    master(student, "3.OA.C.7")
    pathway_build(student=student, now=timezone.now())
    assert codes(pathway) == before
    assert PathwayEvent.objects.filter(pathway=pathway).count() == 1
    view = pathway_view(student=student, now=timezone.now())
    done = [s.competency.code for s in view.steps if s.status == StepStatus.DONE]
    assert done == ["3.OA.C.7"]
    in_progress = make_user(Role.STUDENT, grade="06")
    record_answer(in_progress, "6.NS.A.1", False)
    view = pathway_view(student=in_progress, now=timezone.now())
    assert view is None  # no pathway until built
    pathway_build(student=in_progress, now=timezone.now())
    view = pathway_view(student=in_progress, now=timezone.now())
    status = {s.competency.code: s.status for s in view.steps}
    assert status["6.NS.A.1"] == StepStatus.IN_PROGRESS


def test_only_students_have_a_pathway(school):
    with pytest.raises(PathwayError):
        pathway_build(student=school.teacher_a, now=timezone.now())


# ---------- order ----------


def test_a_step_cannot_move_before_an_unmastered_prerequisite(school):
    student = school.student_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    before = codes(pathway)
    target = step(pathway, "6.NS.B.4")
    with pytest.raises(PathwayError) as refused:
        pathway_step_move(actor=student, step=target, position=0, now=now)
    message = str(refused.value)
    assert message == (
        "6.NS.B.4 can’t come before 4.OA.B.4: it builds on 4.OA.B.4, which isn’t mastered yet."
    )
    assert codes(pathway) == before
    assert not PathwayEvent.objects.filter(kind=EventKind.STEP_MOVED).exists()


def test_student_reorders_ready_steps_and_an_approved_plan_returns_to_draft(school):
    student, teacher = school.student_a, school.teacher_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    pathway_approve(actor=teacher, pathway=pathway, now=now)
    plan = codes(pathway)
    # 6.SP.B.5.c and 6.NS.A.1 have no prerequisites: the student may put either first.
    moved = pathway_step_move(actor=student, step=step(pathway, "6.SP.B.5.c"), position=0, now=now)
    assert moved.position == 0
    assert codes(pathway)[0] == "6.SP.B.5.c"
    assert sorted(codes(pathway)) == sorted(plan)
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.DRAFT
    kinds = list(PathwayEvent.objects.filter(pathway=pathway).values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.REOPENED, EventKind.STEP_MOVED, EventKind.APPROVED]
    # Moving it to where it already is records nothing (a repeated submission).
    pathway_step_move(actor=student, step=step(pathway, "6.SP.B.5.c"), position=0, now=now)
    assert PathwayEvent.objects.filter(kind=EventKind.STEP_MOVED).count() == 1
    # A refresh keeps the student's order.
    pathway_build(student=student, now=timezone.now())
    assert codes(pathway)[0] == "6.SP.B.5.c"
    assert_topological(pathway, student)


def test_moves_become_possible_once_the_prerequisite_is_mastered(school):
    student = school.student_a
    pathway = pathway_build(student=student, now=timezone.now())
    master(student, "3.OA.C.7")
    master(student, "4.OA.B.4")
    pathway_step_move(actor=student, step=step(pathway, "6.NS.B.4"), position=0, now=timezone.now())
    assert codes(pathway)[0] == "6.NS.B.4"


# ---------- targets ----------


def test_targets_above_grade_bring_their_prerequisites_in_order(school):
    student = school.student_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    eight = Competency.objects.get(human_coding_scheme="7.EE.B.4.b")
    target = pathway_target_add(actor=student, pathway=pathway, competency=eight, now=now)
    assert target.reason == TargetReason.STUDENT and target.added_by == student
    plan = codes(pathway)
    assert plan.index("6.EE.B.7") < plan.index("7.EE.B.4.a") < plan.index("7.EE.B.4.b")
    assert_topological(pathway, student)
    event = PathwayEvent.objects.filter(kind=EventKind.TARGET_ADDED).get()
    assert "7.EE.B.4.b" in event.summary and "7.EE.B.4.a" in event.summary
    # Adding it again (a double submit) changes nothing.
    pathway_target_add(actor=student, pathway=pathway, competency=eight, now=now)
    assert PathwayEvent.objects.filter(kind=EventKind.TARGET_ADDED).count() == 1


def test_a_competency_without_practice_cannot_be_a_target(school):
    pathway = pathway_build(student=school.student_a, now=timezone.now())
    not_practisable = Competency.objects.exclude(pk__in=list(practisable_competencies())).first()
    with pytest.raises(PathwayError, match="no practice"):
        pathway_target_add(
            actor=school.student_a, pathway=pathway, competency=not_practisable, now=timezone.now()
        )


def test_students_remove_only_their_own_targets_and_teachers_any(school):
    student, teacher = school.student_a, school.teacher_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    course = PathwayTarget.objects.get(pathway=pathway, competency__human_coding_scheme="6.RP.A.1")
    with pytest.raises(PathwayError, match="course standard"):
        pathway_target_remove(actor=student, target=course, now=now)
    own = pathway_target_add(
        actor=student,
        pathway=pathway,
        competency=Competency.objects.get(human_coding_scheme="8.F.B.4"),
        now=now,
    )
    assert {"8.F.A.1", "8.F.A.3", "8.F.B.4"} <= set(codes(pathway))
    pathway_target_remove(actor=student, target=own, now=now)
    assert not {"8.F.A.1", "8.F.A.3", "8.F.B.4"} & set(codes(pathway))
    # The teacher takes a course standard off; its prerequisite 4.OA.A.2 goes with it, and a
    # refresh does not bring it back.
    pathway_target_remove(actor=teacher, target=course, now=now)
    assert "6.RP.A.1" not in codes(pathway) and "4.OA.A.2" not in codes(pathway)
    pathway_build(student=student, now=timezone.now())
    assert "6.RP.A.1" not in codes(pathway)
    # ... until someone adds it again.
    pathway_target_add(actor=teacher, pathway=pathway, competency=course.competency, now=now)
    course.refresh_from_db()
    assert course.is_active and course.reason == TargetReason.TEACHER
    assert "6.RP.A.1" in codes(pathway)


def test_removing_a_target_keeps_steps_other_targets_need(school):
    student, teacher = school.student_a, school.teacher_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    # 6.EE.A.3 and 6.EE.A.4 both build on 6.NS.B.4.
    target = PathwayTarget.objects.get(pathway=pathway, competency__human_coding_scheme="6.EE.A.3")
    pathway_target_remove(actor=teacher, target=target, now=now)
    assert "6.NS.B.4" in codes(pathway) and "6.EE.A.3" not in codes(pathway)


# ---------- projects ----------


def test_student_adds_a_project_once_even_when_submitted_twice(school):
    student = school.student_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    ratios = Competency.objects.get(human_coding_scheme="6.RP.A.1")
    project = pathway_project_add(
        actor=student,
        pathway=pathway,
        title="Scale model of the school",
        description="Measure and draw at 1:100.",
        competencies=[ratios],
        now=now,
        idempotency_key="k-1",
    )
    again = pathway_project_add(
        actor=student,
        pathway=pathway,
        title="Scale model of the school",
        now=now,
        idempotency_key="k-1",
    )
    assert again.pk == project.pk
    assert PathwayStep.objects.filter(kind="project").count() == 1
    assert codes(pathway)[-1] == "Scale model of the school"
    assert list(project.practises.all()) == [ratios]
    # Projects move freely, even to the front.
    pathway_step_move(actor=student, step=project, position=0, now=now)
    assert codes(pathway)[0] == "Scale model of the school"
    # A refresh keeps it where the student put it.
    pathway_build(student=student, now=timezone.now())
    assert codes(pathway)[0] == "Scale model of the school"
    pathway_project_complete(actor=student, step=project, now=now)
    view = pathway_view(student=student, now=now)
    assert view.steps[0].status == StepStatus.DONE and view.pace.done == 1
    with pytest.raises(PathwayError, match="title"):
        pathway_project_add(actor=student, pathway=pathway, title="  ", now=now)


def test_students_remove_only_projects_they_added(school):
    student, teacher = school.student_a, school.teacher_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    theirs = pathway_project_add(actor=teacher, pathway=pathway, title="Survey", now=now)
    mine = pathway_project_add(actor=student, pathway=pathway, title="Garden", now=now)
    with pytest.raises(PathwayError):
        pathway_project_remove(actor=student, step=theirs, now=now)
    pathway_project_remove(actor=student, step=mine, now=now)
    pathway_project_remove(actor=teacher, step=theirs, now=now)
    assert not PathwayStep.objects.filter(kind="project").exists()
    positions = list(pathway.steps.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions)))


# ---------- approval and history ----------


def test_teacher_approves_and_adjusts_and_the_history_says_who_did_what(school):
    student, teacher = school.student_a, school.teacher_a
    now = timezone.now()
    pathway = pathway_build(student=student, now=now)
    with pytest.raises(PathwayError, match="teacher"):
        pathway_approve(actor=student, pathway=pathway, now=now)
    with pytest.raises(PathwayError):
        pathway_approve(actor=school.guardian_a, pathway=pathway, now=now)
    pathway_approve(actor=teacher, pathway=pathway, now=now)
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.APPROVED and pathway.approved_by == teacher
    # A teacher's adjustment keeps the approval.
    pathway_step_move(actor=teacher, step=step(pathway, "6.SP.B.5.c"), position=0, now=now)
    pathway_approve(actor=teacher, pathway=pathway, now=now)  # already approved: no new entry
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.APPROVED
    history = list(PathwayEvent.objects.filter(pathway=pathway).order_by("at", "pk"))
    assert [e.kind for e in history] == [
        EventKind.CREATED,
        EventKind.APPROVED,
        EventKind.STEP_MOVED,
    ]
    assert history[1].actor == teacher and history[1].actor_role == Role.TEACHER
    assert "6.SP.B.5.c" in history[2].summary
    with pytest.raises(RuntimeError):
        history[0].save()
    with pytest.raises(RuntimeError):
        PathwayEvent.objects.all().delete()


def test_pathway_competency_ids(school):
    student = school.student_a
    assert pathway_competency_ids(student_id=student.pk) is None
    pathway = pathway_build(student=student, now=timezone.now())
    pathway_project_add(actor=student, pathway=pathway, title="Garden", now=timezone.now())
    ids = pathway_competency_ids(student_id=student.pk)
    assert ids == set(
        pathway.steps.exclude(competency=None).values_list("competency_id", flat=True)
    )
    assert Competency.objects.get(human_coding_scheme="6.NS.B.4").pk in ids
    assert Pathway.objects.count() == 1
