"""Student pages of the diagnostic: the introduction (start or resume), one question at a
time, stop for now, and the result. Writes go through the placement services.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tandem.content.generators import MULTIPLE_CHOICE
from tandem.content.models import Item
from tandem.placement.access import access_diagnostic_question
from tandem.placement.constants import USUAL_ITEMS_HIGH, USUAL_ITEMS_LOW
from tandem.placement.models import DiagnosticQuestion
from tandem.placement.selectors import (
    latest_finished_session,
    placement_result,
    session_in_progress,
)
from tandem.placement.services import (
    AnswerFormatError,
    diagnostic_question_answer,
    diagnostic_question_next,
    diagnostic_session_abandon,
    diagnostic_session_pause,
    diagnostic_session_start,
)
from tandem.roster.access import role_required, signed_in_user

NUMBER_FORMAT_HINT = gettext_lazy("Type a number, e.g. 3/4, 0.75 or 1 1/2.")


def _usual() -> dict[str, int]:
    return {"usual_low": USUAL_ITEMS_LOW, "usual_high": USUAL_ITEMS_HIGH}


def _response_from(request: HttpRequest, item: Item) -> str | list[str]:
    if item.kind == MULTIPLE_CHOICE:
        return request.POST.getlist("response")
    return request.POST.get("response", "")


def _question_context(
    question: DiagnosticQuestion, *, typed: str | list[str] = "", error: str = ""
) -> dict[str, object]:
    item = question.item
    if isinstance(typed, str):
        typed_text, typed_choices = typed, {typed}
    else:
        typed_text, typed_choices = "", set(typed)
    return _usual() | {
        "question": question,
        "item": item,
        "choices": [(str(i), text, str(i) in typed_choices) for i, text in enumerate(item.choices)],
        "typed": typed_text,
        "error": error,
        "number_format_hint": NUMBER_FORMAT_HINT,
    }


@require_safe
@role_required("student")
def home(request: HttpRequest) -> HttpResponse:
    """What the diagnostic is, and start, resume or see the result."""
    student = signed_in_user(request)
    session = session_in_progress(student_id=student.pk)
    answered = session.questions.filter(answered_at__isnull=False).count() if session else 0
    context = _usual() | {
        "session": session,
        "answered": answered,
        "finished": latest_finished_session(student_id=student.pk),
    }
    return render(request, "placement/home.html", context)


@require_POST
@role_required("student")
def start(request: HttpRequest) -> HttpResponse:
    """Start the diagnostic, or resume the one in progress (a repeated post resumes too)."""
    diagnostic_session_start(student=signed_in_user(request), now=timezone.now())
    return redirect("placement:question")


@require_POST
@role_required("student")
def restart(request: HttpRequest) -> HttpResponse:
    """Abandon the diagnostic in progress and start a new one."""
    student, now = signed_in_user(request), timezone.now()
    diagnostic_session_abandon(student=student, now=now)
    diagnostic_session_start(student=student, now=now)
    return redirect("placement:question")


@require_safe
@role_required("student")
def question(request: HttpRequest) -> HttpResponse:
    """The current question, or the result once the diagnostic has what it needs."""
    student = signed_in_user(request)
    session = session_in_progress(student_id=student.pk)
    if session is None:
        if latest_finished_session(student_id=student.pk) is not None:
            return redirect("placement:result")
        return redirect("placement:home")
    current = diagnostic_question_next(session=session, now=timezone.now())
    if current is None:
        return redirect("placement:result")
    return render(request, "placement/question.html", _question_context(current))


@require_POST
@role_required("student")
def answer(request: HttpRequest, question_id: uuid.UUID) -> HttpResponse:
    """Record an answer and go on to the next question. The answer is recorded once: a
    resubmission (double click, reload) goes on as well. A badly formatted answer is refused
    with its message and the question shown again with what was typed."""
    student = signed_in_user(request)
    # The item's kind says how to read the form; someone else's question is a 404 here.
    current = access_diagnostic_question(user=student, question_id=question_id)
    response = _response_from(request, current.item)
    try:
        diagnostic_question_answer(
            student=student, question_id=question_id, response=response, now=timezone.now()
        )
    except AnswerFormatError as error:
        context = _question_context(current, typed=response, error=str(error))
        return render(request, "placement/question.html", context)
    return redirect("placement:question")


@require_POST
@role_required("student")
def stop(request: HttpRequest) -> HttpResponse:
    """Stop for now; the diagnostic resumes at the same question."""
    if diagnostic_session_pause(student=signed_in_user(request), now=timezone.now()) is not None:
        messages.info(request, gettext("Stopped for now. Your answers are saved; resume any time."))
    return redirect("placement:home")


@require_safe
@role_required("student")
def result(request: HttpRequest) -> HttpResponse:
    """Where the diagnostic placed the student, by grade and domain, in words."""
    session = latest_finished_session(student_id=signed_in_user(request).pk)
    if session is None:
        return redirect("placement:home")
    result = placement_result(session=session, now=timezone.now())
    context = {
        "result": result,
        # The own grade in full first; the others one line a grade, nearest first.
        "parts": [
            {"id": "earlier", "title": gettext("Earlier grades"), "grades": result.earlier},
            {"id": "later", "title": gettext("Later grades"), "grades": result.later},
        ],
        "learn_url": reverse("practice:home"),
    }
    return render(request, "placement/result.html", context)
