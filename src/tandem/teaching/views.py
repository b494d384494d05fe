"""Teacher pages: today's queue, my classes, a class at a glance, one student's record, why an
estimate is what it is, and written answers to score. Reads go through selectors, the writes
(an observation, a score) through their services.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_list
from tandem.content.selectors import practisable_competencies
from tandem.evidence.constants import ObservationKind
from tandem.evidence.models import Statement
from tandem.evidence.selectors import evidence_timeline
from tandem.mastery.constants import Status
from tandem.mastery.rules import MASTERED_AT, MIN_EVIDENCE, review_due_after_days
from tandem.mastery.selectors import (
    MasteryView,
    mastery_explanation,
    mastery_for_student,
    mastery_grid,
)
from tandem.mastery.services import bkt_params_for
from tandem.placement.selectors import placement_summary
from tandem.practice.access import access_written_answer
from tandem.practice.constants import HINTED_CORRECT_WEIGHT
from tandem.practice.selectors import written_answers_for_class
from tandem.practice.services import WrittenAnswerError, written_answer_score
from tandem.roster.access import (
    access_class,
    access_student,
    classes_visible_to,
    role_required,
    signed_in_user,
)
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import SchoolClass, User
from tandem.roster.selectors import student_classes
from tandem.teaching.forms import ObservationForm, WrittenScoreForm
from tandem.teaching.selectors import (
    COUNTED_SECTIONS,
    ClassGrid,
    GridSort,
    StudentRow,
    class_grade_ranks,
    class_grid,
    today_queue,
)
from tandem.teaching.services import OBSERVATION_WEIGHT, observation_record

FLAG_KEYS = ("stuck", "unseen", "ready")
FLAG_NAMES = {"stuck": "Stuck", "unseen": "Not practicing", "ready": "Ready to advance"}
MINI_LESSON_MIN = 3
MINI_LESSON_LIMIT = 5
TIMELINE_LIMIT = 50


# ---------- pure helpers over selector results (no queries) ----------


@dataclass(frozen=True)
class FlagGroup:
    """The students carrying one kind of flag."""

    key: str
    label: str
    students: list[User]

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class ColumnGroup:
    """A run of adjacent grid columns from one grade and domain, for a spanning header."""

    grade_label: str
    domain_code: str
    domain_name: str
    span: int


@dataclass(frozen=True)
class LessonGroup:
    """Students still learning the same competency: candidates for one mini-lesson."""

    competency: Competency
    students: list[User]
    mean_percent: int


def flag_groups(rows: Iterable[StudentRow]) -> list[FlagGroup]:
    """Who carries each flag, in a fixed order (empty groups included)."""
    by_key: dict[str, list[User]] = {key: [] for key in FLAG_KEYS}
    for row in rows:
        for flag in row.flags:
            by_key.setdefault(flag.key, []).append(row.student)
    return [
        FlagGroup(key, FLAG_NAMES.get(key, key.title()), students)
        for key, students in by_key.items()
    ]


def status_counts(views: Iterable[MasteryView]) -> list[tuple[str, str, int]]:
    """(status, label, how many competencies) for each status, in the legend's order."""
    counts = Counter(view.status for view in views)
    return [(status.value, str(status.label), counts.get(status.value, 0)) for status in Status]


def column_groups(competencies: Sequence[Competency]) -> list[ColumnGroup]:
    """Adjacent columns merged by (grade, domain); the grid is already ordered that way."""
    groups: list[ColumnGroup] = []
    for comp in competencies:
        last = groups[-1] if groups else None
        if last and (last.grade_label, last.domain_code) == (comp.grade_label, comp.domain_code):
            groups[-1] = ColumnGroup(
                last.grade_label, last.domain_code, last.domain_name, last.span + 1
            )
        else:
            groups.append(ColumnGroup(comp.grade_label, comp.domain_code, comp.domain_name, 1))
    return groups


def mini_lesson_groups(
    grid: ClassGrid, *, min_size: int = MINI_LESSON_MIN, limit: int = MINI_LESSON_LIMIT
) -> list[LessonGroup]:
    """Competencies (among the shown columns) that ``min_size`` or more students are learning.

    Learning means evidence but no mastery yet; "needs review" is left out, since a review is
    better done by spaced practice than by a lesson. Biggest groups first; among equals, the
    one the group knows least.
    """
    groups = []
    for index, comp in enumerate(grid.competencies):
        members = [
            (row.student, cell.p_mastery)
            for row in grid.rows
            if (cell := row.cells[index]) is not None and cell.status == Status.LEARNING
        ]
        if len(members) >= min_size:
            mean = sum(p for _, p in members) / len(members)
            groups.append(LessonGroup(comp, [s for s, _ in members], round(mean * 100)))
    groups.sort(key=lambda g: (-len(g.students), g.mean_percent))
    return groups[:limit]


def _domain_choices(domains: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """One option per domain code (a domain such as EE spans several grades)."""
    seen: dict[str, str] = {}
    for code, name in domains:
        seen.setdefault(code, name)
    return sorted(seen.items(), key=lambda item: item[1])


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _is_partial(request: HttpRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _shared_classes(user: Any, student: User) -> list[SchoolClass]:
    """The classes this teacher teaches that the student is in."""
    return list(
        classes_visible_to(user).filter(
            enrollments__user=student, enrollments__role=EnrollmentRole.STUDENT
        )
    )


# ---------- pages ----------


@require_safe
@role_required("teacher")
def today(request: HttpRequest) -> HttpResponse:
    """What waits for the teacher across their classes, each entry a link to where to act."""
    now = timezone.now()
    sections = today_queue(teacher=signed_in_user(request), now=now)
    context = {
        "sections": sections,
        "now": now,
        # The same number as the navigation's (open_item_count): the work to act on.
        "open_count": sum(s.count for s in sections if s.key in COUNTED_SECTIONS),
        "meeting_count": sum(s.count for s in sections if s.key == "meetings"),
        "see_count": sum(s.count for s in sections if s.key == "see"),
    }
    return render(request, "teaching/today.html", context)


@require_safe
@role_required("teacher")
def class_list(request: HttpRequest) -> HttpResponse:
    """My classes, each with its size and how many students carry each flag."""
    now = timezone.now()
    summaries = []
    # One grid per class (a fixed handful of queries each); a teacher has a few classes.
    for school_class in classes_visible_to(request.user).order_by("title"):
        grid = class_grid(school_class=school_class, now=now)
        summaries.append(
            {
                "school_class": school_class,
                "students": len(grid.rows),
                "flags": flag_groups(grid.rows),
            }
        )
    return render(request, "teaching/classes.html", {"summaries": summaries})


@dataclass(frozen=True)
class GridParams:
    """What the class grid shows, from the query string (bad values fall back to defaults)."""

    domain: str = ""
    grade_rank: int | None = None
    expand: tuple[str, ...] = ()
    sort: GridSort = GridSort.NAME

    @classmethod
    def from_request(cls, request: HttpRequest) -> GridParams:
        sort = request.GET.get("sort", "")
        return cls(
            domain=request.GET.get("domain", "").strip()[:20],
            grade_rank=_int_or_none(request.GET.get("grade")),
            expand=tuple(sorted({code.strip()[:20] for code in request.GET.getlist("expand")}))[
                :EXPAND_LIMIT
            ],
            sort=GridSort(sort) if sort in set(GridSort) else GridSort.NAME,
        )

    def query(self, **changes: Any) -> str:
        """The query string for these parameters with ``changes`` applied ("" when default)."""
        values = {**self.__dict__, **changes}
        pairs: list[tuple[str, str]] = []
        if values["domain"]:
            pairs.append(("domain", values["domain"]))
        if values["grade_rank"] is not None:
            pairs.append(("grade", str(values["grade_rank"])))
        pairs += [("expand", code) for code in values["expand"]]
        if values["sort"] != GridSort.NAME:
            pairs.append(("sort", str(values["sort"])))
        return "?" + urlencode(pairs) if pairs else ""

    def toggled(self, code: str) -> str:
        """The query string with ``code``'s earlier grades expanded, or folded if they were."""
        expand = set(self.expand) ^ {code}
        return self.query(expand=tuple(sorted(expand)))


# At most this many domains expanded at once (a URL can name any number).
EXPAND_LIMIT = 12


@dataclass(frozen=True)
class GridLink:
    label: str
    url: str
    current: bool = False


def _grid(request: HttpRequest, class_id: int) -> tuple[SchoolClass, GridParams, ClassGrid]:
    school_class = access_class(user=request.user, class_id=class_id)
    params = GridParams.from_request(request)
    grid = class_grid(
        school_class=school_class,
        now=timezone.now(),
        domain=params.domain,
        grade_rank=params.grade_rank,
        expand=params.expand,
        sort=params.sort,
    )
    return school_class, params, grid


@require_safe
@role_required("teacher")
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    """Students × competencies, with flags and mini-lesson groups; filters swap the grid."""
    now = timezone.now()
    school_class, params, grid = _grid(request, class_id)
    base = reverse("teaching:class", args=[school_class.pk])
    gap_links = [base + params.toggled(col.domain_code) for col in grid.gap_columns]
    context = {
        "school_class": school_class,
        "grid": grid,
        "now": now,
        "params": params,
        "domain": params.domain,
        "grade_rank": params.grade_rank,
        "filtered": bool(params.domain) or params.grade_rank is not None,
        "column_groups": column_groups(grid.competencies),
        "flag_groups": flag_groups(grid.rows),
        "lesson_groups": mini_lesson_groups(grid),
        "mini_lesson_min": MINI_LESSON_MIN,
        "unseen_days": settings.TANDEM_UNSEEN_DAYS,
        "domain_choices": _domain_choices(grid.domains),
        "sort_links": [
            GridLink(label, base + params.query(sort=key), params.sort == key)
            for key, label in SORT_LABELS.items()
        ],
        "gap_links": gap_links,
        "gap_columns_links": list(zip(grid.gap_columns, gap_links, strict=True)),
        "expand_links": [
            GridLink(f"{name} ({code})", base + params.toggled(code), code in grid.expanded)
            for code, name in grid.expandable
        ],
        "csv_url": reverse("teaching:class_csv", args=[school_class.pk]) + params.query(),
        "grade_words": ", ".join(
            label for rank, label in grid.grades if rank in class_grade_ranks(school_class)
        ),
        "folded": bool(grid.grade_ranks),
    }
    template = "teaching/_class_grid.html" if _is_partial(request) else "teaching/class.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


SORT_LABELS = {GridSort.NAME: "Name", GridSort.NEED: "Need", GridSort.PROGRESS: "Progress"}


def _csv_text(value: object) -> str:
    """A cell as text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_safe
@role_required("teacher")
def class_csv(request: HttpRequest, class_id: int) -> HttpResponse:
    """The grid as shown (same filters, folds and order) as a CSV file, one row per student."""
    school_class, _, grid = _grid(request, class_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = slugify(school_class.title) or "class"
    response["Content-Disposition"] = f'attachment; filename="{filename}-grid.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Student",
            "Accommodations",
            "Flags",
            "Focus",
            "Mastered (grade level)",
            *[f"{col.domain_code}: earlier gaps" for col in grid.gap_columns],
            *[comp.code for comp in grid.competencies],
        ]
    )
    for row in grid.rows:
        writer.writerow(
            [
                _csv_text(row.student.display_name),
                "; ".join(row.accommodations),
                "; ".join(flag.label for flag in row.flags),
                row.focus.code if row.focus else "",
                f"{row.grade_mastered} of {grid.grade_level_count}"
                if grid.grade_level_count
                else row.mastered_count,
                *row.gaps,
                *["" if cell is None else f"{cell.percent}%" for cell in row.cells],
            ]
        )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("teacher")
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's estimates and evidence, and the form to record an observation."""
    posting = request.method == "POST"
    student = access_student(
        user=request.user,
        student_id=student_id,
        action="teaching:observation" if posting else "teaching:student",
        path=request.path,
    )
    now = timezone.now()
    estimates = mastery_for_student(student_id=student.pk, now=now)
    estimated = list(competency_list(ids=estimates.keys()))
    offered = list({**practisable_competencies(), **{c.pk: c for c in estimated}}.values())
    shared = _shared_classes(request.user, student)

    if posting:
        form = ObservationForm(request.POST, competencies=offered)
        if form.is_valid():
            competency = form.cleaned_data["resolved_competency"]
            kind = ObservationKind(form.cleaned_data["kind"])
            # Scoped to teacher and student, so a key can never name someone else's statement.
            key = f"obs:{request.user.pk}:{student.pk}:{form.cleaned_data['idempotency_key']}"
            try:
                statement = observation_record(
                    teacher=request.user,  # type: ignore[arg-type]
                    student=student,
                    competency=competency,
                    kind=kind,
                    note=form.cleaned_data["note"],
                    now=now,
                    school_class=shared[0] if shared else None,
                    idempotency_key=key,
                )
            except ValueError as error:
                form.add_error("note", str(error))
            else:
                messages.success(request, _recorded_message(student, competency, kind, statement))
                return redirect("teaching:student", student_id=student.pk)
    else:
        # "?competency=<code>" (from the explanation page) preselects what to observe.
        code = request.GET.get("competency", "").strip()[:50]
        field = "competency" if code in {c.code for c in offered} else "code"
        form = ObservationForm(competencies=offered, initial={field: code} if code else None)

    rows = [(comp, estimates[comp.pk]) for comp in estimated]
    context = {
        "student": student,
        "classes": list(student_classes(student)),
        "shared_classes": shared,
        "taught_ids": {c.pk for c in shared},
        "rows": rows,
        "status_counts": status_counts(estimates.values()),
        "timeline": list(evidence_timeline(student_id=student.pk, limit=TIMELINE_LIMIT)),
        "timeline_limit": TIMELINE_LIMIT,
        "placement": placement_summary(student_id=student.pk),
        "observation_weight": OBSERVATION_WEIGHT,
        "form": form,
        "now": now,
    }
    response = render(request, "teaching/student.html", context)
    if posting:
        response.status_code = 400
    return response


def _recorded_message(
    student: User, competency: Competency, kind: ObservationKind, statement: Statement
) -> str:
    """ "Observation recorded: Ava showed understanding of 6.EE.A.2. Estimate 40% → 55%." """
    moved = statement.state_changes.filter(state__competency=competency).first()
    if kind == ObservationKind.SHOWED_UNDERSTANDING:
        what = "showed understanding of"
    else:
        what = "needs help with"
    text = f"Observation recorded: {student.display_name} {what} {competency.code}."
    if moved is not None:
        text += f" Estimate {round(moved.p_before * 100)}% → {round(moved.p_after * 100)}%."
    return text


@require_safe
@role_required("teacher")
def competency_explain(request: HttpRequest, student_id: int, competency_id: int) -> HttpResponse:
    """Why Tandem believes what it does about one student and one competency."""
    student = access_student(
        user=request.user, student_id=student_id, action="teaching:explain", path=request.path
    )
    competency = get_object_or_404(Competency, pk=competency_id)
    now = timezone.now()
    view = mastery_grid(student_ids=[student.pk], competency_ids=[competency.pk], now=now).get(
        (student.pk, competency.pk)
    )
    changes = list(mastery_explanation(student_id=student.pk, competency_id=competency.pk))
    parameter_set = changes[0].parameter_set if changes else None
    params = bkt_params_for(parameter_set, competency.code) if parameter_set else None
    shared = _shared_classes(request.user, student)
    context = {
        "student": student,
        "competency": competency,
        "view": view,
        "changes": changes,
        "parameter_set": parameter_set,
        "params": params,
        "observation_weight": OBSERVATION_WEIGHT,
        "hinted_weight": HINTED_CORRECT_WEIGHT,
        "mastered_at": round(MASTERED_AT * 100),
        "min_evidence": MIN_EVIDENCE,
        "review_after_days": round(review_due_after_days(view.n_correct if view else 0)),
        "shared_classes": shared,
        "observe_url": reverse("teaching:student", args=[student.pk])
        + "?"
        + urlencode({"competency": competency.code})
        + "#observe",
    }
    return render(request, "teaching/explain.html", context)


# How many recently scored written answers the scoring page lists below the pending ones.
WRITTEN_SCORED_SHOWN = 20


@require_safe
@role_required("teacher")
def written_to_score(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's written answers waiting for a score, oldest first, and the latest scored."""
    school_class = access_class(user=request.user, class_id=class_id)
    context = {
        "school_class": school_class,
        "pending": written_answers_for_class(school_class=school_class),
        "scored": written_answers_for_class(
            school_class=school_class, pending=False, limit=WRITTEN_SCORED_SHOWN
        ),
    }
    return render(request, "teaching/written.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("teacher")
def written_score(request: HttpRequest, class_id: int, answer_id: uuid.UUID) -> HttpResponse:
    """One student's written answer with the scorer guidance, and the form to score it."""
    school_class = access_class(user=request.user, class_id=class_id)
    answer = access_written_answer(
        user=request.user, answer_id=answer_id, action="teaching:written", path=request.path
    )
    if not school_class.enrollments.filter(
        user_id=answer.student_id, role=EnrollmentRole.STUDENT
    ).exists():
        raise Http404("No such written answer.")
    form = WrittenScoreForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            score = written_answer_score(
                teacher=signed_in_user(request),
                answer=answer,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                now=timezone.now(),
                idempotency_key=str(form.cleaned_data["idempotency_key"]),
            )
        except WrittenAnswerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Scored {answer.student.display_name}’s answer: {score.get_level_display()}.",
            )
            return redirect("teaching:written", class_id=school_class.pk)
    context = {
        "school_class": school_class,
        "answer": answer,
        "item": answer.item,
        "competencies": list(answer.item.competencies.all()),
        "scores": list(answer.scores.select_related("scored_by").order_by("-created_at", "-pk")),
        "form": form,
    }
    return render(
        request, "teaching/written_score.html", context, status=400 if form.is_bound else 200
    )
