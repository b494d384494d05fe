"""The generated district (``tandem demo --district``): a small one, checked for what the load
and index checks rely on."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import Client

from tandem.core.district import district_exists, district_seed
from tandem.evidence.models import Statement
from tandem.mastery.models import LearnerState, StateChange
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import Enrollment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> object:
    return district_seed(students=90, statements=4_500, days=20, threaded=False, progress=str)


def test_sizes_and_roster(district: object) -> None:
    assert district_exists()
    students = User.objects.filter(role=Role.STUDENT, sourced_id__startswith="district-")
    assert students.count() == 90
    assert Statement.objects.count() == 4_500
    assert StateChange.objects.count() == 4_500  # one change of estimate per answer
    # Every student in exactly one class, every class with a teacher; a teacher has ≤ 5 classes.
    per_student = Enrollment.objects.filter(role=EnrollmentRole.STUDENT).values("user")
    assert set(per_student.annotate(n=Count("pk")).values_list("n", flat=True)) == {1}
    teaching = Enrollment.objects.filter(role=EnrollmentRole.TEACHER)
    assert teaching.values("school_class").distinct().count() == teaching.count()
    assert max(teaching.values("user").annotate(n=Count("pk")).values_list("n", flat=True)) <= 5


def test_learner_states_count_their_evidence(district: object) -> None:
    """A state's counts are its answers: what every page reads agrees with the evidence log."""
    links = Statement.competencies.through.objects.values(
        "statement__actor_id", "competency_id"
    ).annotate(n=Count("pk"))
    counted = {(r["statement__actor_id"], r["competency_id"]): r["n"] for r in links}
    states = {(s.student_id, s.competency_id): s for s in LearnerState.objects.all()}
    assert set(counted) == set(states)
    for key, state in states.items():
        assert state.n_attempts == counted[key]
        assert 0.0 <= state.p_mastery <= 1.0
        last = state.changes.order_by("-at", "-pk").first()
        assert last is not None and last.p_after == pytest.approx(state.p_mastery)
    assert LearnerState.objects.values("status").distinct().count() >= 2


def test_pages_open_for_generated_people(district: object) -> None:
    teacher = User.objects.filter(role=Role.TEACHER, sourced_id__startswith="district-").first()
    enrollment = Enrollment.objects.filter(user=teacher).first()
    client = Client()
    client.force_login(teacher)
    assert client.get(f"/teach/class/{enrollment.school_class_id}/").status_code == 200
    student = User.objects.filter(enrollments__school_class=enrollment.school_class_id).filter(
        role=Role.STUDENT
    )[0]
    assert client.get(f"/teach/student/{student.pk}/").status_code == 200
    client.force_login(student)
    assert client.get("/learn/").status_code == 200
    assert client.get("/learn/practice/").status_code == 200


def test_a_second_district_is_refused(district: object) -> None:
    with pytest.raises(ValueError, match="already"):
        district_seed(students=9, statements=90, threaded=False, progress=str)
