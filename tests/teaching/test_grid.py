"""The class grid that fits a screen: the class's grade-level columns with earlier grades
folded into a gap column per domain (and unfolded on request), sorting, accommodation marks,
the CSV export, and a query count that is the same for 10 and 150 students."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.selectors import mastery_grid
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.services import accommodation_create
from tandem.roster.selectors import class_students
from tandem.teaching.selectors import GridSort, class_grid

pytestmark = pytest.mark.django_db

EARLIER = "5.NF.A.1"  # grade 5, domain NF (no NF in grade 6)
EARLIER_TOO = "5.NF.B.4.a"
ABOVE = "7.RP.A.1"


@pytest.fixture
def graded(school, answer):
    """Class A's course is grade 6; student A is still learning two grade-5 NF competencies."""
    course = school.class_a.course
    course.grades = ["06"]
    course.save()
    for code in (EARLIER, EARLIER_TOO):
        answer(school.student_a, code, False)
    return school


def _grid(school, **kw):
    return class_grid(school_class=school.class_a, now=timezone.now(), **kw)


def test_default_columns_are_the_grade_with_earlier_grades_folded(graded, new_student):
    other = new_student(graded.class_a)
    grid = _grid(graded)
    assert grid.competencies and {c.grade_label for c in grid.competencies} == {"6"}
    assert all(not c.code.startswith("7.") for c in grid.competencies)
    nf = [col for col in grid.gap_columns if col.domain_code == "NF"]
    assert len(nf) == 1 and len(nf[0].competency_ids) > 2
    index = grid.gap_columns.index(nf[0])
    row_a = next(r for r in grid.rows if r.student == graded.student_a)
    row_b = next(r for r in grid.rows if r.student == other)
    assert row_a.gaps[index] == 2 and row_a.gap_total == 2
    assert row_b.gaps == [0] * len(grid.gap_columns)


def test_expanding_a_domain_shows_its_earlier_competencies(graded):
    grid = _grid(graded, expand=["NF"])
    codes = [c.code for c in grid.competencies]
    assert EARLIER in codes and EARLIER_TOO in codes
    assert codes.index(EARLIER) < codes.index("6.EE.A.2.c")  # earlier grades come first
    assert "NF" not in {col.domain_code for col in grid.gap_columns}
    assert grid.expanded == ("NF",)


def test_a_grade_filter_or_a_course_without_grades_shows_unfolded_columns(graded, school):
    grid = _grid(graded, grade_rank=6)  # grade 5
    assert grid.gap_columns == [] and {c.grade_label for c in grid.competencies} == {"5"}
    school.class_a.course.grades = []
    school.class_a.course.save()
    grid = _grid(school)
    assert grid.gap_columns == [] and {"5", "6", "7"} <= {c.grade_label for c in grid.competencies}


def test_sorting_by_name_need_and_progress(graded, school, new_student, answer):
    stuck = new_student(school.class_a)
    stuck.last_name = "Aaron"
    stuck.save()
    for _ in range(8):
        answer(stuck, "6.EE.A.2.c", False)
    by_name = [r.student for r in _grid(graded, sort=GridSort.NAME).rows]
    assert by_name[0] == stuck
    by_need = _grid(graded, sort=GridSort.NEED).rows
    assert by_need[0].student == stuck and by_need[0].has_flag("stuck")
    by_progress = _grid(graded, sort=GridSort.PROGRESS).rows
    assert [r.grade_mastered for r in by_progress] == sorted(
        (r.grade_mastered for r in by_progress), reverse=True
    )


def test_page_shows_gaps_accommodations_and_links(teacher_client, graded):
    accommodation_create(
        actor=graded.teacher_a,
        student=graded.student_a,
        kind=AccommodationKind.IEP,
        summary="Extra time",
        now=timezone.now(),
    )
    url = reverse("teaching:class", args=[graded.class_a.pk])
    html = teacher_client.get(url).content.decode()
    assert 'class="badge accommodation-mark"' in html and ">IEP<" in html
    assert "NF gaps</a>" in html
    assert f'href="{url}?expand=NF"' in html
    assert f'href="{url}?sort=need"' in html
    assert f'href="{reverse("teaching:class_csv", args=[graded.class_a.pk])}"' in html
    assert EARLIER not in html
    expanded = teacher_client.get(url, {"expand": "NF", "sort": "need"}).content.decode()
    assert EARLIER in expanded
    assert "Fold " in expanded
    # Bad values fall back to the defaults rather than fail.
    assert teacher_client.get(url, {"sort": "nonsense", "expand": "<b>"}).status_code == 200


def test_csv_export_matches_the_grid(teacher_client, graded):
    url = reverse("teaching:class_csv", args=[graded.class_a.pk])
    response = teacher_client.get(url, {"expand": "NF"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header[:5] == [
        "Student",
        "Accommodations",
        "Flags",
        "Focus",
        "Mastered (grade level)",
    ]
    assert EARLIER in header and "6.EE.A.2.c" in header
    assert len(rows) == 1 + 1  # class A's one student
    row_a = next(r for r in rows[1:] if r[0] == graded.student_a.display_name)
    assert row_a[header.index(EARLIER)].endswith("%")


def test_csv_and_grid_refuse_another_teachers_class(teacher_client, graded):
    for name in ("teaching:class", "teaching:class_csv"):
        assert teacher_client.get(reverse(name, args=[graded.class_b.pk])).status_code == 404


def test_csv_neutralises_formulas(teacher_client, graded):
    graded.student_a.first_name = "=HYPERLINK(1)"
    graded.student_a.save()
    response = teacher_client.get(reverse("teaching:class_csv", args=[graded.class_a.pk]))
    assert "'=HYPERLINK" in response.content.decode() or "=HYPERLINK" not in (
        response.content.decode()
    )


def test_query_count_is_the_same_for_10_and_150_students(
    teacher_client, graded, school, new_student, answer
):
    url = reverse("teaching:class", args=[school.class_a.pk])

    def grow_to(n: int) -> None:
        for i in range(n - class_students(school.class_a).count()):
            student = new_student(school.class_a)
            answer(student, "6.EE.A.2.c", i % 2 == 0)

    grow_to(10)
    teacher_client.get(url)  # process caches
    with CaptureQueriesContext(connection) as ten:
        assert teacher_client.get(url, {"sort": "need", "expand": "NF"}).status_code == 200
    grow_to(150)
    with CaptureQueriesContext(connection) as many:
        assert teacher_client.get(url, {"sort": "need", "expand": "NF"}).status_code == 200
    assert len(ten) == len(many) == 11, [q["sql"][:80] for q in many.captured_queries]


def test_counts_in_the_database_agree_with_effective_status(graded, school, new_student, answer):
    """Mastery that has faded counts as "not yet", in the database's counts as in Python."""
    now = timezone.now()
    student = new_student(school.class_a)
    comps = class_grid(school_class=school.class_a, now=now).competencies[:8]
    for comp in comps:
        answer(student, comp.code, True)
    for i, state in enumerate(LearnerState.objects.filter(student=student)):
        state.status = Status.MASTERED
        state.n_correct = i  # 0 … 7: every review interval, the capped one too
        state.last_evidence_at = now - dt.timedelta(days=4 * i + 3)
        state.save()
    views = mastery_grid(student_ids=[student.pk], competency_ids=None, now=now).values()
    expected = sum(1 for v in views if v.status == Status.MASTERED)
    assert 0 < expected < len(comps)  # some faded, some not
    row = next(
        r for r in class_grid(school_class=school.class_a, now=now).rows if r.student == student
    )
    assert row.mastered_count == row.grade_mastered == expected
    cells = [c for c in row.cells if c is not None]
    assert sum(1 for c in cells if c.status == Status.MASTERED) == expected


def test_student_links_are_escaped_links_in_one_list():
    from tandem.roster.models import User
    from tandem.teaching.templatetags.teaching_ui import student_links

    people = [User(pk=7, first_name="<b>Al</b>", last_name="X"), User(pk=9, first_name="Bo")]
    html = str(student_links(people))
    assert html == (
        f'<a href="{reverse("teaching:student", args=[7])}">&lt;b&gt;Al&lt;/b&gt; X</a>, '
        f'<a href="{reverse("teaching:student", args=[9])}">Bo</a>'
    )
    assert str(student_links([], "nobody")) == '<span class="muted">nobody</span>'
    assert str(student_links([])) == ""
