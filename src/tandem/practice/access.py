"""Who may read written answers: the student who wrote one, their teachers and administrators.

Teachers and administrators may also score them; opening another person's answer is audited
like any other student-record view. Missing and forbidden are both a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tandem.practice.models import WrittenAnswer
from tandem.privacy.services import access_log_record
from tandem.roster.access import is_administrator, students_visible_to
from tandem.roster.constants import Role


def may_score_written(user: Any) -> bool:
    return is_administrator(user) or (
        bool(user.is_authenticated) and getattr(user, "role", None) == Role.TEACHER
    )


def written_answers_visible_to(user: Any) -> QuerySet[WrittenAnswer]:
    """Written answers ``user`` may read: their own as a student, their students' as staff."""
    answers = WrittenAnswer.objects.all()
    if not user.is_authenticated:
        return answers.none()
    if is_administrator(user):
        return answers
    if user.role == Role.TEACHER:
        return answers.filter(student__in=students_visible_to(user))
    if user.role == Role.STUDENT:
        return answers.filter(student=user)
    return answers.none()


def access_written_answer(
    *,
    user: Any,
    answer_id: uuid.UUID | str,
    action: str = "written:view",
    path: str = "",
) -> WrittenAnswer:
    """The written answer if ``user`` may read it (audited when it is not theirs), else 404."""
    try:
        answer = (
            written_answers_visible_to(user)
            .select_related("student", "item", "school_class")
            .get(pk=answer_id)
        )
    except (WrittenAnswer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such written answer.") from None
    if answer.student_id != user.pk:
        access_log_record(actor=user, student=answer.student, action=action, path=path)
    return answer
