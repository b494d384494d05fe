"""Project pages. Students: the library, proposing, their project with milestones and work
handed in. Teachers: proposals to review, a project to approve and score, the library.
Files handed in are served only by ``download``, after the access check.

Reads go through the selectors and writes through the services; views only shape forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.projects.access import access_project, access_template
from tandem.projects.constants import (
    LEVEL_LABELS,
    PROFICIENT_POINTS,
    PROJECT_WEIGHT,
    REVIEWABLE,
    REVISABLE,
    UNDER_WAY,
    UPLOAD_KINDS,
    ReviewDecision,
)
from tandem.projects.forms import (
    CriterionFormSet,
    MilestoneFormSet,
    ProposeForm,
    ReviewForm,
    ScoreForm,
    SubmissionForm,
    TemplateForm,
    offered_competencies,
)
from tandem.projects.models import Milestone, RubricScore, StudentProject, Submission
from tandem.projects.selectors import (
    interest_tags,
    project_detail,
    projects_of_student,
    review_queue,
    rubric_rows,
    template_list,
    template_with_rubric,
    templates_tagged,
)
from tandem.projects.services import (
    CriterionSpec,
    LevelSpec,
    MilestoneSpec,
    ProjectError,
    milestone_complete,
    project_propose,
    project_review,
    project_revise,
    project_score,
    submission_create,
    template_create,
    template_publish,
)
from tandem.projects.uploads import UploadRejectedError
from tandem.roster.access import is_administrator, role_required
from tandem.roster.constants import Role, grade_label


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _grade(user: Any) -> str:
    """The student's grade as competencies label it ("06" -> "6"), to open it in pickers."""
    return grade_label(getattr(user, "grade", "") or "")


def _rubric_context() -> dict[str, Any]:
    return {
        "levels_header": [
            (p, gettext(label)) for p, label in sorted(LEVEL_LABELS.items(), reverse=True)
        ],
        "proficient_label": gettext(LEVEL_LABELS[PROFICIENT_POINTS]),
        "project_weight": PROJECT_WEIGHT,
    }


# ---------- students ----------


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    """The library and my projects; teachers and administrators go to their own pages."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if getattr(user, "role", None) == Role.TEACHER:
        return redirect("projects:review")
    if is_administrator(user):
        return redirect("projects:manage")
    return _student_library(request)


@role_required(Role.STUDENT)
def _student_library(request: HttpRequest) -> HttpResponse:
    tag = request.GET.get("tag", "").strip().lower()[:30]
    everything = template_list(user=request.user)
    shown = templates_tagged(everything, tag)
    context = {
        "tag": tag,
        "tags": interest_tags(everything),
        "templates": shown,
        "projects": list(projects_of_student(student_id=int(request.user.pk or 0))),
        **_rubric_context(),
    }
    return render(request, "projects/library.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.STUDENT)
def propose(request: HttpRequest) -> HttpResponse:
    """Propose a project: ``?template=<id>`` starts from a library idea, else an own idea."""
    posting = request.method == "POST"
    source = request.POST if posting else request.GET
    template_id = _int_or_none(source.get("template"))
    template = template_with_rubric(template_id, user=request.user) if template_id else None
    offered = offered_competencies()
    if posting:
        form = ProposeForm(
            request.POST,
            from_template=template is not None,
            offered=offered,
            open_grade=_grade(request.user),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                project, created = project_propose(
                    student=request.user,  # type: ignore[arg-type]
                    now=timezone.now(),
                    template=template,
                    title=data["title"],
                    description=data["description"],
                    interest=data["interest"],
                    competencies=data.get("resolved_competencies", []),
                    idempotency_key=f"propose:{request.user.pk}:{data['idempotency_key']}",
                )
            except ProjectError as error:
                form.add_error(None, str(error))
            else:
                if created:
                    messages.success(
                        request,
                        gettext(
                            "Proposal sent: “%(title)s”. Your teacher will approve it or "
                            "suggest changes."
                        )
                        % {"title": project.title},
                    )
                return redirect("projects:project", project_id=project.pk)
    else:
        initial = {"title": template.title} if template else {}
        form = ProposeForm(
            initial=initial,
            from_template=template is not None,
            offered=offered,
            open_grade=_grade(request.user),
        )
    context = {
        "form": form,
        "template": template,
        "template_rows": rubric_rows(template.criteria.all()) if template else [],
        "revising": None,
        **_rubric_context(),
    }
    return render(request, "projects/propose.html", context, status=400 if posting else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.STUDENT)
def revise(request: HttpRequest, project_id: int) -> HttpResponse:
    """Change a proposal the teacher has not approved yet; it goes back for review."""
    project = access_project(user=request.user, project_id=project_id, path=request.path)
    if project.status not in REVISABLE:
        messages.info(
            request, gettext("This project is approved already: ask your teacher about changes.")
        )
        return redirect("projects:project", project_id=project.pk)
    current = list(project.competencies.all())
    offered = list({c.pk: c for c in [*offered_competencies(), *current]}.values())
    from_template = project.template_id is not None
    posting = request.method == "POST"
    if posting:
        form = ProposeForm(request.POST, from_template=from_template, offered=offered)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project_revise(
                    student=request.user,  # type: ignore[arg-type]
                    project=project,
                    now=timezone.now(),
                    title=data["title"],
                    description=data["description"],
                    interest=data["interest"],
                    competencies=data.get("resolved_competencies", []),
                )
            except ProjectError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("Changes sent to your teacher."))
                return redirect("projects:project", project_id=project.pk)
    else:
        form = ProposeForm(
            initial={
                "title": project.title,
                "description": project.description,
                "interest": project.interest,
                "competencies": [c.code for c in current],
            },
            from_template=from_template,
            offered=offered,
        )
    context = {"form": form, "template": None, "revising": project, **_rubric_context()}
    return render(request, "projects/propose.html", context, status=400 if posting else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.STUDENT)
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """My project: status and feedback, rubric and scores, milestones, and handing in work."""
    project = access_project(user=request.user, project_id=project_id, path=request.path)
    detail = project_detail(project=project)
    posting = request.method == "POST"
    form = None
    if project.status in UNDER_WAY:
        if posting:
            form = SubmissionForm(request.POST, request.FILES, milestones=detail.milestones)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    submission_create(
                        student=request.user,  # type: ignore[arg-type]
                        project=project,
                        now=timezone.now(),
                        text=data["text"],
                        link=data["link"],
                        upload=data["file"],
                        milestone=data["milestone"],
                        idempotency_key=f"submit:{project.pk}:{data['idempotency_key']}",
                    )
                except UploadRejectedError as error:
                    form.add_error("file", str(error))
                except ProjectError as error:
                    form.add_error(None, str(error))
                else:
                    if data["milestone"] is None:
                        messages.success(request, gettext("Handed in. Your teacher will score it."))
                    else:
                        messages.success(
                            request,
                            gettext("Work added to “%(title)s”.")
                            % {"title": data["milestone"].title},
                        )
                    return redirect("projects:project", project_id=project.pk)
        else:
            form = SubmissionForm(milestones=detail.milestones)
    elif posting:
        messages.error(
            request, gettext("Your teacher needs to approve the project before you hand in work.")
        )
        return redirect("projects:project", project_id=project.pk)
    context = {
        "detail": detail,
        "project": project,
        "form": form,
        "can_revise": project.status in REVISABLE,
        "under_way": project.status in UNDER_WAY,
        **_rubric_context(),
    }
    return render(request, "projects/project.html", context, status=400 if posting else 200)


@require_POST
@role_required(Role.STUDENT)
def milestone_done(request: HttpRequest, project_id: int, milestone_id: int) -> HttpResponse:
    project = access_project(user=request.user, project_id=project_id, path=request.path)
    milestone = get_object_or_404(Milestone, pk=milestone_id, project=project)
    try:
        milestone_complete(student=request.user, milestone=milestone, now=timezone.now())  # type: ignore[arg-type]
    except ProjectError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Done: “%(title)s”.") % {"title": milestone.title})
    return redirect(f"{project_url(project)}#milestones")


def project_url(project: StudentProject) -> str:
    return reverse("projects:project", args=[project.pk])


@require_safe
@role_required(Role.STUDENT, Role.TEACHER, Role.ADMINISTRATOR)
def download(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A file handed in, for the student, their teachers and administrators; others get 404."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such file.")
    access_project(
        user=request.user,
        project_id=submission.project_id,
        action="projects:download",
        path=request.path,
    )
    if not submission.file:
        raise Http404("No such file.")
    try:
        handle = submission.file.open("rb")
    except OSError:
        raise Http404("No such file.") from None
    content_type = UPLOAD_KINDS.get(submission.file_kind, ("", "application/octet-stream"))[1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=submission.file_name or f"submission-{submission.pk}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    # A streaming response; role_required is typed for plain ones but passes it through.
    return response  # type: ignore[return-value]


# ---------- teachers ----------


@require_safe
@role_required(Role.TEACHER)
def review_list(request: HttpRequest) -> HttpResponse:
    """My students' projects: proposals to review, work to score, and the rest."""
    context = {"queue": review_queue(teacher=request.user), **_rubric_context()}
    return render(request, "projects/review.html", context)


def _teacher_page(
    request: HttpRequest,
    project: StudentProject,
    *,
    review_form: ReviewForm | None = None,
    score_form: ScoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = project_detail(project=project)
    can_review = project.status in REVIEWABLE
    can_score = project.status in UNDER_WAY
    if review_form is None and can_review:
        review_form = ReviewForm(initial={"feedback": ""})
    if score_form is None and can_score:
        score_form = ScoreForm(criteria=[r.criterion for r in detail.rows], first=not detail.scored)
    context = {
        "detail": detail,
        "project": project,
        "student": project.student,
        "review_form": review_form if can_review else None,
        "score_form": score_form if can_score else None,
        **_rubric_context(),
    }
    return render(request, "projects/teacher_project.html", context, status=status)


@require_safe
@role_required(Role.TEACHER)
def teacher_project(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(
        user=request.user,
        project_id=project_id,
        action="projects:review",
        path=request.path,
        to_review=True,
    )
    return _teacher_page(request, project)


@require_POST
@role_required(Role.TEACHER)
def decide(request: HttpRequest, project_id: int) -> HttpResponse:
    """Approve a proposal, or ask for changes."""
    project = access_project(
        user=request.user,
        project_id=project_id,
        action="projects:review",
        path=request.path,
        to_review=True,
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        decision = ReviewDecision(form.cleaned_data["decision"])
        try:
            project = project_review(
                teacher=request.user,  # type: ignore[arg-type]
                project=project,
                decision=decision,
                feedback=form.cleaned_data["feedback"],
                now=timezone.now(),
            )
        except ProjectError as error:
            form.add_error(None, str(error))
        else:
            student = project.student.display_name
            if decision == ReviewDecision.APPROVE:
                messages.success(request, f"Approved: {student} can start “{project.title}”.")
            else:
                messages.success(request, f"Changes requested: {student} will see your feedback.")
            return redirect("projects:teacher_project", project_id=project.pk)
    return _teacher_page(request, project, review_form=form, status=400)


@require_POST
@role_required(Role.TEACHER)
def score(request: HttpRequest, project_id: int) -> HttpResponse:
    """Score rubric rows; each score becomes evidence and moves the learner model at once."""
    project = access_project(
        user=request.user,
        project_id=project_id,
        action="projects:score",
        path=request.path,
        to_review=True,
    )
    criteria = list(project.criteria.prefetch_related("levels"))
    first = not RubricScore.objects.filter(project=project).exists()
    form = ScoreForm(request.POST, criteria=criteria, first=first)
    if form.is_valid():
        try:
            scores = project_score(
                teacher=request.user,  # type: ignore[arg-type]
                project=project,
                levels=form.cleaned_data["levels"],
                feedback=form.cleaned_data["feedback"],
                now=timezone.now(),
                idempotency_key=str(form.cleaned_data["idempotency_key"]),
            )
        except ProjectError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _scored_message(project, scores))
            return redirect("projects:teacher_project", project_id=project.pk)
    return _teacher_page(request, project, score_form=form, status=400)


def _scored_message(project: StudentProject, scores: list[RubricScore]) -> str:
    """ "Scores recorded for Ava: 3 rubric rows. Estimates: 6.RP.A.3 40% → 62%; …" """
    text = (
        f"Scores recorded for {project.student.display_name}: {len(scores)} "
        f"rubric row{'s' if len(scores) != 1 else ''}."
    )
    moves = []
    for rubric_score in scores:
        for change in rubric_score.statement.state_changes.select_related("state__competency"):
            moves.append(
                f"{change.state.competency.code} {round(change.p_before * 100)}% → "
                f"{round(change.p_after * 100)}%"
            )
    if moves:
        text += " Estimates: " + "; ".join(moves) + "."
    return text


# ---------- the library, for teachers and administrators ----------


@require_safe
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def manage(request: HttpRequest) -> HttpResponse:
    templates = template_list(user=request.user, published_only=False)
    return render(request, "projects/manage.html", {"templates": templates})


@require_http_methods(["GET", "HEAD"])
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_with_rubric(template_id, user=request.user)
    context = {"template": template, "rows": rubric_rows(template.criteria.all())}
    return render(request, "projects/template_detail.html", {**context, **_rubric_context()})


@require_POST
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def template_toggle(request: HttpRequest, template_id: int) -> HttpResponse:
    template = access_template(user=request.user, template_id=template_id)
    published = request.POST.get("published") == "1"
    template_publish(template=template, published=published, by=request.user)  # type: ignore[arg-type]
    if published:
        messages.success(request, f"“{template.title}” is in the students' library.")
    else:
        messages.success(request, f"“{template.title}” is hidden from students.")
    return redirect("projects:template", template_id=template.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.TEACHER, Role.ADMINISTRATOR)
def template_new(request: HttpRequest) -> HttpResponse:
    """Add a library template: details, competencies, rubric rows × levels, milestones."""
    offered = offered_competencies()
    posting = request.method == "POST"
    data = request.POST if posting else None
    form = TemplateForm(data, offered=offered)
    criteria = CriterionFormSet(data, prefix="criteria")
    milestones = MilestoneFormSet(data, prefix="milestones")
    if posting and form.is_valid() and criteria.is_valid() and milestones.is_valid():
        specs = [
            CriterionSpec(
                title=row["title"],
                competency=row.get("code"),
                levels=[LevelSpec(p, row[f"level_{p}"]) for p in sorted(LEVEL_LABELS)],
            )
            for row in criteria.cleaned_data
            if row and not row.get("DELETE")
        ]
        steps = [
            MilestoneSpec(row["title"], row["days_after_start"])
            for row in milestones.cleaned_data
            if row
        ]
        try:
            template = template_create(
                created_by=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                description=form.cleaned_data["description"],
                interest_tags=form.cleaned_data["tags"],
                competencies=form.cleaned_data["resolved_competencies"],
                criteria=specs,
                milestones=steps,
                published=form.cleaned_data["published"],
                now=timezone.now(),
            )
        except ProjectError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Added to the library: “{template.title}”.")
            return redirect("projects:template", template_id=template.pk)
    context = {"form": form, "criteria": criteria, "milestones": milestones}
    return render(request, "projects/template_new.html", context, status=400 if posting else 200)
