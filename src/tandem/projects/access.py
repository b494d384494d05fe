"""The access chokepoints for projects and library templates: nowhere else decides who sees them.

A student's project (and the files handed in with it) is seen by the student, the teachers of
the student's classes and administrators. Guardians see progress through the family pages, not
work in progress. Missing and forbidden look the same from outside: both raise Http404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tandem.privacy.services import access_log_record
from tandem.projects.models import ProjectTemplate, StudentProject
from tandem.roster.access import is_administrator, students_visible_to
from tandem.roster.constants import Role


def is_teacher_of(user: Any, student_id: int) -> bool:
    """Whether ``user`` is a teacher of a class the student is in (who may review and score)."""
    if not (user.is_authenticated and getattr(user, "role", None) == Role.TEACHER):
        return False
    return students_visible_to(user).filter(pk=student_id).exists()


def projects_visible_to(user: Any) -> QuerySet[StudentProject]:
    """Projects ``user`` may open."""
    projects = StudentProject.objects.select_related("student", "template", "reviewed_by")
    if not user.is_authenticated:
        return projects.none()
    if is_administrator(user):
        return projects
    role = getattr(user, "role", None)
    if role == Role.TEACHER:
        return projects.filter(student__in=students_visible_to(user))
    if role == Role.STUDENT:
        return projects.filter(student=user)
    return projects.none()


def access_project(
    *,
    user: Any,
    project_id: int,
    action: str = "projects:view",
    path: str = "",
    to_review: bool = False,
) -> StudentProject:
    """The project if ``user`` may see it (``to_review``: review and score it), else 404.

    Opening someone else's project is an access to their record, so it is audited.
    """
    if to_review and not (user.is_authenticated and getattr(user, "role", None) == Role.TEACHER):
        raise Http404("No such project.")
    try:
        project = projects_visible_to(user).get(pk=project_id)
    except (StudentProject.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project.") from None
    if project.student_id != user.pk:
        access_log_record(actor=user, student=project.student, action=action, path=path)
    return project


def templates_visible_to(user: Any) -> QuerySet[ProjectTemplate]:
    """Library templates ``user`` may open: published ones, and drafts for teachers and admins."""
    templates = ProjectTemplate.objects.all()
    if not user.is_authenticated:
        return templates.none()
    if is_administrator(user) or getattr(user, "role", None) == Role.TEACHER:
        return templates
    if getattr(user, "role", None) == Role.STUDENT:
        return templates.filter(published=True)
    return templates.none()


def access_template(*, user: Any, template_id: int) -> ProjectTemplate:
    try:
        return templates_visible_to(user).get(pk=template_id)
    except (ProjectTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project idea.") from None
