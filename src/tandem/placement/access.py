"""The access chokepoint for diagnostic questions: a student reaches only their own.

Only the student themself takes their diagnostic; anyone else, like a missing id, gets 404.
Teachers read a student's placement through ``placement_summary`` after
``roster.access.access_student``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from tandem.placement.models import DiagnosticQuestion
from tandem.roster.constants import Role


def access_diagnostic_question(
    *, user: Any, question_id: uuid.UUID | str, for_update: bool = False
) -> DiagnosticQuestion:
    """The question ``question_id`` if it belongs to ``user``'s own diagnostic, else 404."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.STUDENT:
        raise Http404("No such question.")
    questions = DiagnosticQuestion.objects.select_related("session", "item", "competency")
    if for_update:
        questions = questions.select_for_update(of=("self",))
    try:
        return questions.get(pk=question_id, session__student=user)
    except (DiagnosticQuestion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such question.") from None
