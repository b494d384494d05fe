"""The projects services against a real database: the library seed, proposing from a template
or an own idea, review by the student's teacher only, and rubric scores that become weighted
evidence, move the learner model, append on rescoring and record once when repeated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.models import LearnerState
from tandem.projects.constants import PROJECT_WEIGHT, ProjectStatus, ReviewDecision
from tandem.projects.library import LIBRARY
from tandem.projects.models import ProjectTemplate, RubricScore, StudentProject
from tandem.projects.services import (
    CriterionSpec,
    LevelSpec,
    ProjectError,
    milestone_complete,
    project_library_seed,
    project_propose,
    project_review,
    project_revise,
    project_score,
    submission_create,
    template_create,
)

pytestmark = pytest.mark.django_db


def _levels(project: StudentProject, points: int) -> dict[int, int]:
    """Every rubric row of ``project`` at ``points``: {criterion id: level id}."""
    return {
        c.pk: c.levels.get(points=points).pk for c in project.criteria.prefetch_related("levels")
    }


def _code(code: str) -> Competency:
    return Competency.objects.get(human_coding_scheme=code)


# ---------- the library ----------


def test_library_seed_is_complete_and_idempotent(school):
    assert ProjectTemplate.objects.count() == len(LIBRARY) >= 6
    again = project_library_seed()
    assert len(again) == len(LIBRARY)
    assert ProjectTemplate.objects.count() == len(LIBRARY)
    for entry in LIBRARY:
        template = ProjectTemplate.objects.get(library_key=entry.key)
        # Every code in the library exists in the framework, so nothing was left out.
        assert sorted(c.code for c in template.competencies.all()) == sorted(entry.codes)
        assert template.published and template.interest_tags
        assert template.milestones.count() == len(entry.milestones)
        for criterion in template.criteria.all():
            assert criterion.competency is not None
            assert [lv.points for lv in criterion.levels.all()] == [1, 2, 3, 4]
    trip = ProjectTemplate.objects.get(library_key="class-trip-budget")
    assert {"6.RP.A.3", "7.RP.A.3"} <= {c.code for c in trip.competencies.all()}


def test_template_create_needs_a_full_rubric_and_a_teacher(school):
    now = timezone.now()
    comp = _code("6.G.A.1")
    with pytest.raises(ProjectError, match="one level for each"):
        template_create(
            created_by=school.teacher_a,
            title="Half a rubric",
            summary="s",
            competencies=[comp],
            criteria=[CriterionSpec("Area", [LevelSpec(1, "a"), LevelSpec(2, "b")])],
            now=now,
        )
    full = [CriterionSpec("Area", [LevelSpec(p, f"level {p}") for p in (1, 2, 3, 4)])]
    with pytest.raises(ProjectError, match="Only teachers"):
        template_create(
            created_by=school.student_a,
            title="Mine",
            summary="s",
            competencies=[comp],
            criteria=full,
            now=now,
        )
    template = template_create(
        created_by=school.teacher_a,
        title="Garden plan",
        summary="Plan a school garden.",
        competencies=[comp],
        criteria=full,
        interest_tags=["Nature", " outdoors ", ""],
        now=now,
    )
    assert template.interest_tags == ["nature", "outdoors"]
    assert [lv.label for lv in template.criteria.get().levels.all()] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Exemplary",
    ]


# ---------- proposals ----------


def test_proposing_from_a_template_copies_its_rubric_and_milestones(school, trip):
    now = timezone.now()
    project, created = project_propose(student=school.student_a, template=trip, now=now)
    assert created and project.status == ProjectStatus.PROPOSED
    assert project.title == trip.title
    assert set(project.competencies.all()) == set(trip.competencies.all())
    assert [c.title for c in project.criteria.all()] == [c.title for c in trip.criteria.all()]
    assert all(c.levels.count() == 4 for c in project.criteria.all())
    milestones = list(project.milestones.all())
    assert [m.title for m in milestones] == [m.title for m in trip.milestones.all()]
    assert milestones[0].due_date == timezone.localdate(now) + dt.timedelta(days=5)
    # A later edit of the template leaves the copy alone.
    trip.criteria.first().levels.filter(points=4).update(descriptor="changed")
    assert not project.criteria.filter(levels__descriptor="changed").exists()


def test_an_own_idea_needs_competencies_and_gets_a_row_for_each(school):
    now = timezone.now()
    with pytest.raises(ProjectError, match="at least one competency"):
        project_propose(student=school.student_a, title="Bike ramps", now=now)
    assert not StudentProject.objects.exists()
    comps = [_code("6.G.A.1"), _code("6.RP.A.3")]
    project, _ = project_propose(
        student=school.student_a,
        title="Bike ramps",
        description="Build and measure ramps.",
        interest="I ride every day.",
        competencies=comps,
        now=now,
    )
    assert [c.competency for c in project.criteria.all()] == comps
    assert project.milestones.count() == 3
    with pytest.raises(ProjectError, match="Only students"):
        project_propose(student=school.teacher_a, title="x", competencies=comps, now=now)


def test_a_repeated_proposal_is_recorded_once(school, trip):
    now = timezone.now()
    first, created = project_propose(
        student=school.student_a, template=trip, now=now, idempotency_key="k1"
    )
    again, created_again = project_propose(
        student=school.student_a, template=trip, now=now, idempotency_key="k1"
    )
    assert created and not created_again and first.pk == again.pk
    assert StudentProject.objects.count() == 1


def test_only_a_teacher_of_the_student_reviews(school, trip):
    now = timezone.now()
    project, _ = project_propose(student=school.student_a, template=trip, now=now)
    for outsider in (school.teacher_b, school.admin, school.student_a, school.guardian_a):
        with pytest.raises(ProjectError, match="Only a teacher of this student"):
            project_review(
                teacher=outsider, project=project, decision=ReviewDecision.APPROVE, now=now
            )
    with pytest.raises(ProjectError, match="Say what should change"):
        project_review(
            teacher=school.teacher_a,
            project=project,
            decision=ReviewDecision.REQUEST_CHANGES,
            now=now,
        )
    project = project_review(
        teacher=school.teacher_a,
        project=project,
        decision=ReviewDecision.REQUEST_CHANGES,
        feedback="Pick a place we can reach by bus.",
        now=now,
    )
    assert project.status == ProjectStatus.CHANGES_REQUESTED
    assert project.reviewed_by == school.teacher_a
    # Work waits for approval.
    with pytest.raises(ProjectError, match="approve"):
        submission_create(student=school.student_a, project=project, text="Plan", now=now)
    project = project_revise(
        student=school.student_a,
        project=project,
        title="Bus trip to the science museum",
        description="",
        interest="Dinosaurs.",
        now=now,
    )
    assert project.status == ProjectStatus.PROPOSED
    project = project_review(
        teacher=school.teacher_a, project=project, decision=ReviewDecision.APPROVE, now=now
    )
    assert project.status == ProjectStatus.APPROVED


# ---------- work and scores ----------


def test_propose_approve_submit_score_moves_the_learner_model(school, approved):
    now = timezone.now()
    student = school.student_a
    milestone = approved.milestones.first()
    milestone_complete(student=student, milestone=milestone, now=now)
    milestone_complete(student=student, milestone=milestone, now=now + dt.timedelta(hours=1))
    milestone.refresh_from_db()
    assert milestone.done_at == now
    submission, _ = submission_create(
        student=student, project=approved, text="Our budget", link="example.org/budget", now=now
    )
    assert submission.link == "https://example.org/budget"
    approved.refresh_from_db()
    assert approved.status == ProjectStatus.SUBMITTED

    before = {s.competency_id: s.p_mastery for s in LearnerState.objects.filter(student=student)}
    assert before == {}
    scores = project_score(
        teacher=school.teacher_a,
        project=approved,
        levels=_levels(approved, 4),
        feedback="Clear and careful.",
        now=now,
        idempotency_key="score-1",
    )
    approved.refresh_from_db()
    assert approved.status == ProjectStatus.SCORED and approved.feedback == "Clear and careful."
    assert len(scores) == approved.criteria.count() == 3
    statements = Statement.objects.filter(source=Source.PROJECT)
    assert statements.count() == 3
    for rubric_score in scores:
        statement = rubric_score.statement
        assert statement.verb == Verb.SCORED
        assert statement.actor == student and statement.authority == school.teacher_a
        assert statement.weight == PROJECT_WEIGHT
        assert statement.result_success is True and statement.result_score_scaled == 1.0
        assert statement.context_class == school.class_a
        assert list(statement.competencies.all()) == [rubric_score.criterion.competency]
    states = LearnerState.objects.filter(student=student)
    assert {s.competency.code for s in states} == {"6.RP.A.3", "6.RP.A.3.c", "7.RP.A.3"}
    assert all(s.p_mastery > 0.5 and s.evidence_weight == PROJECT_WEIGHT for s in states)


def test_low_levels_count_against_and_rescoring_appends(school, approved):
    now = timezone.now()
    criterion = approved.criteria.first()
    first = project_score(
        teacher=school.teacher_a, project=approved, levels=_levels(approved, 2), now=now
    )
    statement = first[0].statement
    assert statement.result_success is False
    assert statement.result_score_scaled == pytest.approx(1 / 3)
    state = LearnerState.objects.get(student=school.student_a, competency=criterion.competency)
    low = state.p_mastery

    later = now + dt.timedelta(days=3)
    rescored = project_score(
        teacher=school.teacher_a,
        project=approved,
        levels={criterion.pk: criterion.levels.get(points=3).pk},
        now=later,
    )
    assert len(rescored) == 1
    history = list(RubricScore.objects.filter(criterion=criterion))
    assert [s.level.points for s in history] == [3, 2]  # newest first, the first kept
    assert history[1].pk == first[0].pk and history[1].level.points == 2
    state.refresh_from_db()
    assert state.p_mastery > low and state.n_attempts == 2
    assert Statement.objects.filter(source=Source.PROJECT).count() == 4
    with pytest.raises(RuntimeError, match="append-only"):
        history[1].save()


def test_a_repeated_score_submission_records_once(school, approved):
    now = timezone.now()
    levels = _levels(approved, 3)
    first = project_score(
        teacher=school.teacher_a, project=approved, levels=levels, now=now, idempotency_key="k"
    )
    again = project_score(
        teacher=school.teacher_a, project=approved, levels=levels, now=now, idempotency_key="k"
    )
    assert [s.pk for s in first] == [s.pk for s in again]
    assert RubricScore.objects.count() == 3
    assert Statement.objects.filter(source=Source.PROJECT).count() == 3
    assert all(s.n_attempts == 1 for s in LearnerState.objects.filter(student=school.student_a))


def test_scoring_rules(school, approved):
    now = timezone.now()
    criteria = list(approved.criteria.prefetch_related("levels"))
    with pytest.raises(ProjectError, match="Only a teacher of this student"):
        project_score(
            teacher=school.teacher_b, project=approved, levels=_levels(approved, 3), now=now
        )
    with pytest.raises(ProjectError, match="every rubric row the first time"):
        project_score(
            teacher=school.teacher_a,
            project=approved,
            levels={criteria[0].pk: criteria[0].levels.get(points=3).pk},
            now=now,
        )
    other_level = criteria[1].levels.get(points=3).pk
    with pytest.raises(ProjectError, match="Choose one of the levels"):
        project_score(
            teacher=school.teacher_a,
            project=approved,
            levels={**_levels(approved, 3), criteria[0].pk: other_level},
            now=now,
        )
    assert not Statement.objects.filter(source=Source.PROJECT).exists()
    assert not LearnerState.objects.filter(student=school.student_a).exists()


def test_a_row_without_a_competency_is_evidence_for_all_the_projects(school):
    now = timezone.now()
    comps = [_code("6.SP.B.5"), _code("6.SP.B.4")]
    template = template_create(
        created_by=school.teacher_a,
        title="Weather watch",
        summary="Track the weather for a month.",
        competencies=comps,
        criteria=[CriterionSpec("Overall", [LevelSpec(p, f"l{p}") for p in (1, 2, 3, 4)])],
        now=now,
    )
    project, _ = project_propose(student=school.student_a, template=template, now=now)
    project_review(
        teacher=school.teacher_a, project=project, decision=ReviewDecision.APPROVE, now=now
    )
    (only,) = project_score(
        teacher=school.teacher_a, project=project, levels=_levels(project, 4), now=now
    )
    assert set(only.statement.competencies.all()) == set(comps)
    assert LearnerState.objects.filter(student=school.student_a).count() == 2
