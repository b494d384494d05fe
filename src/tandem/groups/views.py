"""Group pages for teachers, mounted at /teach/groups/: suggestions, forming a group, its
members, planning and holding its mini-lessons, ending it.

Reads go through the selectors and the access chokepoints, writes through the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.content.selectors import practisable_competencies
from tandem.groups.access import (
    access_group,
    access_lesson,
    groups_visible_to,
    students_groupable_by,
)
from tandem.groups.constants import (
    EXIT_ITEM_WEIGHT,
    EXIT_WEIGHT,
    SUGGESTION_MIN,
    SUGGESTION_TICKED,
    ExitResult,
    GroupStatus,
    LessonStatus,
    Scope,
)
from tandem.groups.forms import AttendanceRowForm, GroupCreateForm, LessonPlanForm, MembersForm
from tandem.groups.models import MiniLesson, MiniLessonGroup
from tandem.groups.selectors import (
    group_lessons,
    group_member_states,
    group_ready_to_end,
    group_suggestions,
    groups_led,
)
from tandem.groups.services import (
    AttendanceInput,
    group_create,
    group_end,
    group_members_set,
    lesson_hold,
    lesson_plan,
)
from tandem.mastery.constants import Status
from tandem.roster.access import access_class, classes_visible_to, role_required, signed_in_user
from tandem.roster.models import SchoolClass

STAFF = ("teacher", "administrator")


# How many suggestions the page shows before "Show all".
SUGGESTIONS_SHOWN = 10


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


# ---------- my groups ----------


@require_safe
@role_required(*STAFF)
def group_list(request: HttpRequest) -> HttpResponse:
    """My groups, open first, each with its size and next mini-lesson."""
    summaries = groups_led(groups=groups_visible_to(request.user))
    context = {
        "open": [s for s in summaries if s.group.status == GroupStatus.OPEN],
        "ended": [s for s in summaries if s.group.status == GroupStatus.ENDED],
    }
    return render(request, "groups/list.html", context)


# ---------- suggestions and forming a group ----------


@require_safe
@role_required(*STAFF)
def suggestions(request: HttpRequest) -> HttpResponse:
    """Who shares a need, in one class, in my classes, or across the school's grades."""
    teacher = signed_in_user(request)
    classes = list(classes_visible_to(teacher).order_by("title"))
    class_id = _int_or_none(request.GET.get("class"))
    school_class: SchoolClass | None = None
    raw_scope = request.GET.get("scope") or (Scope.CLASS if class_id else Scope.MINE)
    scope = Scope(raw_scope) if raw_scope in Scope.values else Scope.MINE
    if scope == Scope.CLASS:
        if class_id is None and classes:
            class_id = classes[0].pk
        if class_id is None:
            scope = Scope.SCHOOL
        else:
            school_class = access_class(
                user=teacher, class_id=class_id, action="groups:suggestions", path=request.path
            )
    competency_id = _int_or_none(request.GET.get("competency"))
    competency = practisable_competencies().get(competency_id) if competency_id else None
    found = group_suggestions(
        teacher=teacher,
        scope=scope,
        school_class=school_class,
        now=timezone.now(),
        competency_id=competency.pk if competency else None,
        # Asked about one competency, even one student with the need is worth showing.
        min_size=1 if competency else SUGGESTION_MIN,
    )
    # The largest needs first; the rest one link away, so the page stays readable on a phone.
    show_all = request.GET.get("all") == "1"
    shown = found if show_all else found[:SUGGESTIONS_SHOWN]
    context = {
        "suggestions": [
            (
                s,
                GroupCreateForm(
                    students=[m.student for m in s.students], prefix=f"c{s.competency.pk}"
                ),
            )
            for s in shown
        ],
        "n_found": len(found),
        "n_hidden": len(found) - len(shown),
        "scope": scope,
        "scopes": Scope.choices,
        "classes": classes,
        "school_class": school_class,
        "competency": competency,
        "suggestion_min": SUGGESTION_MIN,
        "ticked": SUGGESTION_TICKED,
        "back": request.get_full_path(),
    }
    return render(request, "groups/suggestions.html", context)


def _safe_back(request: HttpRequest) -> str:
    back = str(request.POST.get("back", ""))
    suggestions_url = reverse("groups:suggestions")
    return back if back.startswith(suggestions_url) else suggestions_url


@require_POST
@role_required(*STAFF)
def create(request: HttpRequest) -> HttpResponse:
    """Form a group from a suggestion's ticked students."""
    teacher = signed_in_user(request)
    competency_id = _int_or_none(request.POST.get("competency"))
    competency = practisable_competencies().get(competency_id) if competency_id else None
    back = _safe_back(request)
    if competency is None:
        messages.error(request, "That competency is not one Tandem can group students on.")
        return redirect(back)
    prefix = f"c{competency.pk}"
    raw_ids = [_int_or_none(v) for v in request.POST.getlist(f"{prefix}-students")]
    allowed = list(students_groupable_by(teacher).filter(pk__in=[i for i in raw_ids if i]))
    form = GroupCreateForm(request.POST, students=allowed, prefix=prefix)
    if not form.is_valid():
        errors = [
            str(e) for field in ("students", "competency") for e in form.errors.get(field, [])
        ]
        messages.error(
            request,
            f"No group was formed for {competency.code}: "
            + (" ".join(errors) or "tick the students to put in it."),
        )
        return redirect(back)
    chosen = [s for s in allowed if s.pk in set(form.cleaned_data["students"])]
    key = f"group:{teacher.pk}:{form.cleaned_data['idempotency_key']}"
    try:
        group, created = group_create(
            leader=teacher,
            competency=competency,
            students=chosen,
            now=timezone.now(),
            idempotency_key=key,
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect(back)
    if created:
        messages.success(
            request,
            f"Group on {competency.code} formed with {len(chosen)} student"
            f"{'' if len(chosen) == 1 else 's'}. Plan its first mini-lesson below.",
        )
    else:
        messages.info(request, "That group was already formed.")
    return redirect("groups:detail", group_id=group.pk)


# ---------- one group ----------


def _detail_page(
    request: HttpRequest,
    *,
    group: MiniLessonGroup,
    plan_form: LessonPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    states = group_member_states(group=group, now=now)
    lessons = group_lessons(group=group)
    context = {
        "group": group,
        "states": states,
        "mastered": sum(1 for s in states if s.mastered),
        "ready_to_end": group.status == GroupStatus.OPEN and group_ready_to_end(states),
        "planned": [lesson for lesson in lessons if lesson.status == LessonStatus.PLANNED],
        "held": [lesson for lesson in reversed(lessons) if lesson.status == LessonStatus.HELD],
        "plan_form": plan_form or LessonPlanForm(initial={"date": timezone.localdate()}),
        "is_open": group.status == GroupStatus.OPEN,
        "status_labels": dict(Status.choices),
        "today": timezone.localdate(),
    }
    return render(request, "groups/detail.html", context, status=status)


@require_safe
@role_required(*STAFF)
def detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group: members and their estimates now, planned and held mini-lessons, a plan form."""
    group = access_group(user=request.user, group_id=group_id, path=request.path)
    return _detail_page(request, group=group)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def members(request: HttpRequest, group_id: int) -> HttpResponse:
    """Change who is in the group: the current members and others with the same need."""
    user = signed_in_user(request)
    group = access_group(user=user, group_id=group_id, action="groups:members", path=request.path)
    now = timezone.now()
    current = [s.student for s in group_member_states(group=group, now=now)]
    others = [
        m.student
        for suggestion in group_suggestions(
            teacher=user,
            scope=Scope.SCHOOL,
            now=now,
            competency_id=group.competency_id,
            min_size=1,
        )
        for m in suggestion.students
        if m.student.pk not in {s.pk for s in current}
    ]
    posting = request.method == "POST"
    choices = [*current, *others]
    if posting:
        # Anyone the teacher may group can be ticked (a suggestion may have changed meanwhile).
        posted = [i for i in (_int_or_none(v) for v in request.POST.getlist("students")) if i]
        extra = (
            students_groupable_by(user)
            .filter(pk__in=posted)
            .exclude(pk__in=[s.pk for s in choices])
        )
        choices += list(extra)
    form = MembersForm(
        request.POST if posting else None,
        students=choices,
        initial={"students": [s.pk for s in current]},
    )
    if posting and form.is_valid():
        wanted = set(form.cleaned_data["students"])
        try:
            added, removed = group_members_set(
                group=group, students=[s for s in choices if s.pk in wanted], now=now
            )
        except ValueError as error:
            form.add_error("students", str(error))
        else:
            messages.success(request, f"Members saved: {added} added, {removed} removed.")
            return redirect("groups:detail", group_id=group.pk)
    context = {"group": group, "form": form, "current": current, "others": others}
    return render(request, "groups/members.html", context, status=400 if posting else 200)


@require_POST
@role_required(*STAFF)
def end(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group(
        user=request.user, group_id=group_id, action="groups:end", path=request.path
    )
    was_open = group.status == GroupStatus.OPEN
    group_end(group=group, now=timezone.now())
    if was_open:
        messages.success(request, f"The group on {group.competency.code} has ended.")
    return redirect("groups:detail", group_id=group.pk)


# ---------- mini-lessons ----------


def _plan_kwargs(form: LessonPlanForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "date": data["date"],
        "start_time": data["start_time"],
        "room": data["room"],
        "notes": data["notes"],
        "materials_url": data["materials_url"],
    }


@require_POST
@role_required(*STAFF)
def plan(request: HttpRequest, group_id: int) -> HttpResponse:
    """Plan a mini-lesson for the group."""
    user = signed_in_user(request)
    group = access_group(user=user, group_id=group_id, action="groups:plan", path=request.path)
    form = LessonPlanForm(request.POST)
    if form.is_valid():
        try:
            lesson, _ = lesson_plan(
                group=group,
                now=timezone.now(),
                idempotency_key=f"lesson:{user.pk}:{form.cleaned_data['idempotency_key']}",
                **_plan_kwargs(form),
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Mini-lesson planned for {_when(lesson)}.")
            return redirect("groups:detail", group_id=group.pk)
    return _detail_page(request, group=group, plan_form=form, status=400)


def _when(lesson: MiniLesson) -> str:
    text = date_format(lesson.date, "l, F j")
    return f"{text}, {time_format(lesson.start_time, 'g:i A')}" if lesson.start_time else text


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Change a planned mini-lesson's date, time, room, plan or materials."""
    lesson = access_lesson(user=request.user, lesson_id=lesson_id, path=request.path)
    if lesson.status == LessonStatus.HELD:
        messages.info(request, "That mini-lesson has been held; its plan stays as it was.")
        return redirect("groups:detail", group_id=lesson.group_id)
    posting = request.method == "POST"
    form = LessonPlanForm(
        request.POST if posting else None,
        initial={
            "date": lesson.date,
            "start_time": lesson.start_time,
            "room": lesson.room,
            "notes": lesson.notes,
            "materials_url": lesson.materials_url,
        },
    )
    if posting and form.is_valid():
        try:
            lesson_plan(group=lesson.group, now=timezone.now(), lesson=lesson, **_plan_kwargs(form))
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Mini-lesson plan saved.")
            return redirect("groups:detail", group_id=lesson.group_id)
    context = {"lesson": lesson, "group": lesson.group, "form": form}
    return render(request, "groups/lesson_edit.html", context, status=400 if posting else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def hold(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Hold the mini-lesson: attendance and an exit check per member, on one form."""
    teacher = signed_in_user(request)
    posting = request.method == "POST"
    lesson = access_lesson(
        user=teacher,
        lesson_id=lesson_id,
        action="groups:hold" if posting else "groups:lesson",
        path=request.path,
    )
    group = lesson.group
    if lesson.status == LessonStatus.HELD:
        if posting:
            messages.info(request, "That mini-lesson was already recorded.")
        return redirect(f"{reverse('groups:detail', args=[group.pk])}#lesson-{lesson.pk}")
    now = timezone.now()
    states = group_member_states(group=group, now=now)
    data = request.POST if posting else None
    rows = [
        (state, AttendanceRowForm(data, student=state.student, prefix=f"m{state.student.pk}"))
        for state in states
    ]
    error = ""
    if posting and all([form.is_valid() for _, form in rows]):
        records = [
            AttendanceInput(
                student=form.student,
                present=form.cleaned_data["present"],
                exit_result=ExitResult(form.cleaned_data["exit_result"])
                if form.cleaned_data["exit_result"]
                else None,
                items_right=form.cleaned_data["items_right"],
                items_asked=form.cleaned_data["items_asked"],
            )
            for _, form in rows
        ]
        try:
            _, created = lesson_hold(lesson=lesson, teacher=teacher, records=records, now=now)
        except ValueError as failure:
            error = str(failure)
        else:
            present = sum(1 for r in records if r.present)
            if not created:
                messages.info(request, "That mini-lesson was already recorded.")
            else:
                messages.success(
                    request,
                    f"Mini-lesson recorded: {present} of {len(records)} present. "
                    "Each exit check is now evidence; the estimates below show the change.",
                )
            return redirect(f"{reverse('groups:detail', args=[group.pk])}#lesson-{lesson.pk}")
    context = {
        "lesson": lesson,
        "group": group,
        "rows": rows,
        "error": error,
        "has_errors": bool(error) or any(form.errors for _, form in rows),
        "weights": [(r.label, EXIT_WEIGHT[r]) for r in ExitResult],
        "item_weight": EXIT_ITEM_WEIGHT,
    }
    return render(request, "groups/hold.html", context, status=400 if posting else 200)
