"""The teacher pages' HTTP contract: who may open them, what they show, the observation form,
and a query count that does not grow with the class."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.evidence.constants import ObservationKind, Source
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.selectors import MasteryView
from tandem.privacy.models import AccessLog
from tandem.teaching.selectors import ClassGrid, Flag, StudentRow
from tandem.teaching.services import observation_record
from tandem.teaching.views import column_groups, flag_groups, mini_lesson_groups, status_counts

pytestmark = pytest.mark.django_db

# The same as in conftest.py, where the ``school`` fixture records answers on them.
CODE = "6.EE.A.2.c"
OTHER_DOMAIN_CODE = "6.RP.A.1"
PASSWORD = "a-long-test-password"


def _urls(school):
    comp = Competency.objects.get(human_coding_scheme=CODE)
    return {
        "classes": reverse("teaching:classes"),
        "class": reverse("teaching:class", args=[school.class_a.pk]),
        "student": reverse("teaching:student", args=[school.student_a.pk]),
        "explain": reverse("teaching:explain", args=[school.student_a.pk, comp.pk]),
    }


# ---------- access ----------


def test_pages_open_for_the_class_teacher(teacher_client, school):
    for name, url in _urls(school).items():
        response = teacher_client.get(url)
        assert response.status_code == 200, name
        assert b"<h1" in response.content, name
        assert reverse("teaching:classes").encode() in response.content, name


def test_another_teachers_class_and_students_are_404(teacher_client, school):
    comp = Competency.objects.get(human_coding_scheme=CODE)
    for url in (
        reverse("teaching:class", args=[school.class_b.pk]),
        reverse("teaching:student", args=[school.student_b.pk]),
        reverse("teaching:explain", args=[school.student_b.pk, comp.pk]),
        reverse("teaching:class", args=[999_999]),
        reverse("teaching:student", args=[999_999]),
        reverse("teaching:explain", args=[school.student_a.pk, 999_999]),
    ):
        assert teacher_client.get(url).status_code == 404, url
    response = teacher_client.post(
        reverse("teaching:student", args=[school.student_b.pk]),
        {"competency": CODE, "kind": "needs_help", "idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    assert not Statement.objects.filter(source=Source.OBSERVATION).exists()


@pytest.mark.parametrize("role", ["student_a", "guardian", "admin"])
def test_other_roles_get_404(client, school, role):
    client.login(username=getattr(school, role).username, password=PASSWORD)
    for name, url in _urls(school).items():
        assert client.get(url).status_code == 404, name


def test_anonymous_is_sent_to_login(client, school):
    for name, url in _urls(school).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


# ---------- my classes ----------


def test_class_list_shows_only_my_classes_with_counts(teacher_client, school):
    html = teacher_client.get(reverse("teaching:classes")).content.decode()
    assert school.class_a.title in html
    assert school.class_b.title not in html
    assert "1 student" in html
    assert reverse("teaching:class", args=[school.class_a.pk]) in html


# ---------- the class grid ----------


def test_grid_shows_percent_status_and_labels(teacher_client, school):
    response = teacher_client.get(reverse("teaching:class", args=[school.class_a.pk]))
    html = response.content.decode()
    state = LearnerState.objects.get(student=school.student_a, competency__human_coding_scheme=CODE)
    percent = round(state.p_mastery * 100)
    assert f'<span class="mastery__text">{percent}%</span>' in html
    status = state.get_status_display().lower()
    assert f'title="{school.student_a.display_name}, {CODE}: {percent}%, {status}, range' in html
    assert f"mastery mastery-wide m-{state.status}" in html
    assert "no evidence" in html
    explain = reverse("teaching:explain", args=[school.student_a.pk, state.competency_id])
    assert explain in html
    assert reverse("teaching:student", args=[school.student_a.pk]) in html
    assert 'class="legend"' in html
    assert "Who needs the same mini-lesson" in html
    assert "Focus:" in html


def test_grid_filter_by_domain_narrows_the_columns(teacher_client, school):
    url = reverse("teaching:class", args=[school.class_a.pk])
    everything = teacher_client.get(url).content.decode()
    only_ee = teacher_client.get(url, {"domain": "EE"}).content.decode()
    ee = Competency.objects.get(human_coding_scheme=CODE).pk
    rp = Competency.objects.get(human_coding_scheme=OTHER_DOMAIN_CODE).pk
    assert f'id="col-{rp}"' in everything
    assert f'id="col-{rp}"' not in only_ee
    assert f'id="col-{ee}"' in only_ee
    assert only_ee.count('scope="col" class="rotate"') < everything.count(
        'scope="col" class="rotate"'
    )
    assert '<option value="EE" selected>' in only_ee


def test_grid_filter_by_grade(teacher_client, school):
    comp = Competency.objects.get(human_coding_scheme=CODE)
    url = reverse("teaching:class", args=[school.class_a.pk])
    html = teacher_client.get(url, {"grade": comp.grade_rank}).content.decode()
    assert f'id="col-{comp.pk}"' in html
    assert f'<option value="{comp.grade_rank}" selected>' in html
    assert "Grade 5 ·" not in html and "Grade 6 ·" in html
    html = teacher_client.get(url, {"grade": comp.grade_rank - 1}).content.decode()
    assert f'id="col-{comp.pk}"' not in html


def test_htmx_request_returns_only_the_grid(teacher_client, school):
    url = reverse("teaching:class", args=[school.class_a.pk])
    response = teacher_client.get(url, {"domain": "EE"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="table table-grid' in html
    assert "HX-Request" in response["Vary"]
    # The full page wires the filter form to swap this region.
    page = teacher_client.get(url).content.decode()
    assert 'hx-target="#grid-region"' in page and 'hx-push-url="true"' in page
    assert 'id="grid-region"' in page


def test_htmx_history_restore_gets_the_whole_page(teacher_client, school):
    url = reverse("teaching:class", args=[school.class_a.pk])
    response = teacher_client.get(
        url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_grid_shows_flags_with_words(teacher_client, school, new_student, answer):
    html = teacher_client.get(reverse("teaching:class", args=[school.class_a.pk])).content.decode()
    assert "Not practicing: 0" in html and "nobody" in html  # student_a answered today
    lazy = new_student(school.class_a)
    answer(lazy, CODE, True, at=timezone.now() - dt.timedelta(days=30))
    html = teacher_client.get(reverse("teaching:class", args=[school.class_a.pk])).content.decode()
    assert "Not practicing 30 days" in html
    assert "Last practice: 30 days ago" in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_grid_query_count_does_not_grow_with_the_class(
    teacher_client, school, add_students, django_assert_max_num_queries
):
    url = reverse("teaching:class", args=[school.class_a.pk])
    add_students(school.class_a, 4)  # 5 students
    teacher_client.get(url)  # loads the process caches (the practisable competencies)
    small = _count_queries(teacher_client, url)
    add_students(school.class_a, 20)  # 25 students
    large = _count_queries(teacher_client, url)
    assert small == large
    # Session and user, the nav count, the class, then the grid's: students, shown cells, the
    # not-yet-mastered states, last practice, recent answers, accommodations.
    with django_assert_max_num_queries(11):
        teacher_client.get(url)


# ---------- the student page and the observation form ----------


def test_student_page_shows_mastery_timeline_and_form(teacher_client, school):
    response = teacher_client.get(reverse("teaching:student", args=[school.student_a.pk]))
    html = response.content.decode()
    assert school.student_a.pseudonym in html
    assert school.class_a.title in html
    assert CODE in html
    assert "5 / 5" not in html and "4 / 5" in html  # right / answers
    assert "Evidence, newest first" in html
    assert re.search(r"6\.EE\.A\.2\.c</a>: \d+% → \d+%", html)
    assert 'name="idempotency_key"' in html
    assert 'type="radio" name="kind"' in html
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="teaching:student"
    ).exists()


def test_observation_post_records_once_and_raises_the_estimate(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    before = LearnerState.objects.get(
        student=school.student_a, competency__human_coding_scheme=CODE
    ).p_mastery
    data = {
        "competency": CODE,
        "kind": ObservationKind.SHOWED_UNDERSTANDING,
        "note": "Explained the order of operations to a partner.",
        "idempotency_key": str(uuid.uuid4()),
    }
    logs_before = AccessLog.objects.filter(student=school.student_a).count()
    first = teacher_client.post(url, data)
    second = teacher_client.post(url, data)  # a double submit
    assert first.status_code == 302 and first["Location"] == url
    assert second.status_code == 302
    observations = Statement.objects.filter(actor=school.student_a, source=Source.OBSERVATION)
    assert observations.count() == 1
    statement = observations.get()
    assert statement.authority == school.teacher_a
    assert statement.result_response == data["note"]
    assert statement.context_class == school.class_a
    after = LearnerState.objects.get(
        student=school.student_a, competency__human_coding_scheme=CODE
    ).p_mastery
    assert after > before
    assert AccessLog.objects.filter(student=school.student_a).count() > logs_before
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="teaching:observation"
    ).exists()
    page = teacher_client.get(url).content.decode()
    assert f"Estimate {round(before * 100)}% → {round(after * 100)}%" in page
    assert data["note"] in page
    assert "Showed understanding in conversation" in page


def test_observation_by_typed_code_and_needs_help_lowers_the_estimate(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    before = LearnerState.objects.get(
        student=school.student_a, competency__human_coding_scheme=CODE
    ).p_mastery
    response = teacher_client.post(
        url,
        {
            "code": CODE.lower(),
            "kind": ObservationKind.NEEDS_HELP,
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    after = LearnerState.objects.get(
        student=school.student_a, competency__human_coding_scheme=CODE
    ).p_mastery
    assert after < before


def test_observation_without_a_key_is_still_recorded(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    response = teacher_client.post(
        url, {"competency": CODE, "kind": ObservationKind.NEEDS_HELP, "idempotency_key": "x"}
    )
    assert response.status_code == 302
    assert Statement.objects.filter(source=Source.OBSERVATION).count() == 1


def test_invalid_code_is_an_inline_error_and_nothing_is_recorded(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    count = Statement.objects.count()
    response = teacher_client.post(
        url,
        {
            "code": "9.ZZ.Q.9",
            "kind": ObservationKind.SHOWED_UNDERSTANDING,
            "note": "Keep this note",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No competency has the code “9.ZZ.Q.9”" in html
    assert 'value="9.ZZ.Q.9"' in html
    assert "Keep this note" in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_code_error"' in html and "id_code_error" in html.split('name="code"')[1]
    assert Statement.objects.count() == count


def test_missing_competency_and_kind_are_errors(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    response = teacher_client.post(url, {"idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a competency, or type its code." in html
    assert "This field is required." in html
    assert not Statement.objects.filter(source=Source.OBSERVATION).exists()


def test_too_long_note_is_refused(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    response = teacher_client.post(
        url,
        {
            "competency": CODE,
            "kind": ObservationKind.NEEDS_HELP,
            "note": "x" * 2001,
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert not Statement.objects.filter(source=Source.OBSERVATION).exists()


def test_explain_link_preselects_the_competency(teacher_client, school):
    url = reverse("teaching:student", args=[school.student_a.pk])
    html = teacher_client.get(url, {"competency": CODE}).content.decode()
    assert f'<option value="{CODE}" selected>' in html


# ---------- the explanation page ----------


def test_explanation_lists_statements_chart_and_version(teacher_client, school):
    comp = Competency.objects.get(human_coding_scheme=CODE)
    observation_record(
        teacher=school.teacher_a,
        student=school.student_a,
        competency=comp,
        kind=ObservationKind.NEEDS_HELP,
        note="Mixed up the exponent and the coefficient.",
        now=timezone.now(),
    )
    url = reverse("teaching:explain", args=[school.student_a.pk, comp.pk])
    html = teacher_client.get(url).content.decode()
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\"><time", html)
    assert len(rows) == 6  # five answers and one observation
    assert "Mixed up the exponent and the coefficient." in html
    assert "Needs help with" in html
    assert "Right" in html and "Wrong" in html
    assert "bkt-default-1" in html
    assert "teacher observations count 2 times".lower() in html.lower()
    assert '<svg class="chart mastery-chart"' in html
    assert 'role="img"' in html and "The estimate went from" in html
    assert re.search(r"\d+% → \d+%", html)
    assert AccessLog.objects.filter(action="teaching:explain", student=school.student_a).exists()


def test_explanation_rows_show_the_question_the_answer_and_what_a_hint_did(teacher_client, school):
    from tandem.competencies.selectors import competency_ids_for_codes
    from tandem.content.generators import generate
    from tandem.content.services import item_from_spec
    from tandem.practice.models import Attempt
    from tandem.practice.services import attempt_answer, attempt_hint

    comp = Competency.objects.get(human_coding_scheme=CODE)
    student = school.student_a
    attempts = []
    for seed in (1, 2):
        spec = generate("6.EE.A.2.c/evaluate", seed, 1)
        item = item_from_spec(spec=spec, competency_ids=competency_ids_for_codes([CODE]))
        attempts.append(
            Attempt.objects.create(
                student=student,
                item=item,
                competency=comp,
                predicted_success=0.7,
                reason="test",
                presented_at=timezone.now(),
            )
        )
    hinted, missed = attempts
    attempt_hint(student=student, attempt_id=hinted.pk)
    now = timezone.now()
    attempt_answer(student=student, attempt_id=hinted.pk, response=hinted.item.answer[0], now=now)
    attempt_answer(student=student, attempt_id=missed.pk, response="4321", now=now)
    url = reverse("teaching:explain", args=[student.pk, comp.pk])
    html = teacher_client.get(url).content.decode()
    stem = " ".join(missed.item.stem.split())
    assert f"Question: “{stem}”" in html
    assert "Answer given: <strong>4321</strong>" in html
    assert f"Answer given: <strong>{hinted.item.answer[0]}</strong>" in html
    assert re.search(r"0\.5×<br><span class=\"small\">used a hint \(counts half\)</span>", html)
    assert "a right answer after a hint counts half" in html


def test_explanation_without_evidence_says_so(teacher_client, school):
    comp = Competency.objects.get(human_coding_scheme="6.NS.A.1")
    url = reverse("teaching:explain", args=[school.student_a.pk, comp.pk])
    response = teacher_client.get(url)
    assert response.status_code == 200
    assert "no evidence about" in response.content.decode().lower()


# ---------- pure helpers ----------


def _view(student_id, comp_id, status, p):
    return MasteryView(
        student_id=student_id,
        competency_id=comp_id,
        p_mastery=p,
        sd=0.1,
        uncertain=False,
        status=status,
        n_attempts=4,
        n_correct=2,
        last_evidence_at=None,
    )


def test_mini_lesson_groups_need_three_learners_and_sort_by_size():
    comps = [Competency(pk=i, human_coding_scheme=f"C{i}") for i in (1, 2, 3)]
    students = [make_student_stub(i) for i in range(5)]
    learning, mastered, review = Status.LEARNING, Status.MASTERED, Status.NEEDS_REVIEW
    table = {
        # C1: 3 learning; C2: 4 learning (+1 needs review, not counted); C3: 2 learning.
        0: [learning, learning, learning],
        1: [learning, learning, learning],
        2: [learning, learning, mastered],
        3: [None, learning, mastered],
        4: [mastered, review, None],
    }
    rows = [
        StudentRow(
            student=students[sid],
            cells=[
                _view(sid, comps[i].pk, status, 0.4) if status else None
                for i, status in enumerate(statuses)
            ],
        )
        for sid, statuses in table.items()
    ]
    grid = ClassGrid(None, comps, rows, [], [])  # type: ignore[arg-type]
    groups = mini_lesson_groups(grid)
    assert [g.competency.code for g in groups] == ["C2", "C1"]
    assert [len(g.students) for g in groups] == [4, 3]
    assert groups[0].mean_percent == 40


def make_student_stub(i):
    from tandem.roster.models import User

    return User(pk=i + 1, username=f"s{i}", first_name="S", last_name=str(i))


def test_flag_groups_status_counts_and_column_groups():
    rows = [
        StudentRow(student=make_student_stub(0), flags=[Flag("stuck", "Stuck", "")]),
        StudentRow(
            student=make_student_stub(1),
            flags=[Flag("stuck", "Stuck", ""), Flag("unseen", "Not practicing", "")],
        ),
    ]
    assert [(f.key, f.count) for f in flag_groups(rows)] == [
        ("stuck", 2),
        ("unseen", 1),
        ("ready", 0),
    ]
    assert flag_groups(rows)[1].students == [rows[1].student]
    views = [_view(1, 1, Status.MASTERED, 0.97), _view(1, 2, Status.LEARNING, 0.5)]
    assert [(s, n) for s, _, n in status_counts(views)] == [
        ("not_started", 0),
        ("learning", 1),
        ("probably_mastered", 0),
        ("mastered", 1),
        ("needs_review", 0),
    ]
    comps = [
        Competency(human_coding_scheme="6.EE.1", domain_code="EE", education_levels=["06"]),
        Competency(human_coding_scheme="6.EE.2", domain_code="EE", education_levels=["06"]),
        Competency(human_coding_scheme="6.G.1", domain_code="G", education_levels=["06"]),
        Competency(human_coding_scheme="7.EE.1", domain_code="EE", education_levels=["07"]),
    ]
    assert [(g.grade_label, g.domain_code, g.span) for g in column_groups(comps)] == [
        ("6", "EE", 2),
        ("6", "G", 1),
        ("7", "EE", 1),
    ]


def test_grid_cells_render_as_one_cell_at_a_time_would():
    import datetime as dt

    from tandem.competencies.models import Competency
    from tandem.mastery.constants import Status
    from tandem.mastery.selectors import MasteryView
    from tandem.roster.models import User
    from tandem.teaching.selectors import StudentRow
    from tandem.teaching.templatetags.teaching_ui import grid_cell, grid_cells

    student = User(pk=7, username="x", first_name='Ana "A" <b>', last_name="Lee")
    comps = [
        Competency(pk=3, human_coding_scheme="6.EE.A.2"),
        Competency(pk=9, human_coding_scheme="7.RP&1"),
    ]
    view = MasteryView(
        7, 3, 0.81, 0.1, False, Status.LEARNING, 5, 4, dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    row = StudentRow(student=student, cells=[view, None], flags=[], focus=None, last_active=None)
    assert str(grid_cells(row, comps)) == "".join(
        str(grid_cell(student, comp, cell)) for comp, cell in zip(comps, row.cells, strict=True)
    )
