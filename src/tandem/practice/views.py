"""Student pages: my progress, practice one item at a time with hints and feedback, and
written questions that a teacher scores.

Reads go through the practice selectors and writes through the practice services; what is here
only shapes their results for the templates (chart geometry, answer wording).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.content.feedback import (
    choice_marks,
    generated_misconceptions,
    misconception_hint,
    response_in_words,
)
from tandem.content.generators import MULTIPLE_CHOICE
from tandem.content.models import Item
from tandem.content.selectors import practisable_competencies
from tandem.mastery.constants import Status
from tandem.mastery.rules import progress_of
from tandem.practice.access import access_written_answer
from tandem.practice.constants import PAGE_STUDENT_HOME, PHOTO_KINDS
from tandem.practice.forms import WrittenAnswerForm
from tandem.practice.models import Attempt
from tandem.practice.news import last_seen_at, news_for_students, news_since
from tandem.practice.selectors import (
    StudentOverview,
    student_overview,
    written_answers_of_student,
    written_item_for_student,
    written_items_for_student,
)
from tandem.practice.services import (
    AnswerFormatError,
    AnswerOutcome,
    SecondTry,
    WrittenAnswerError,
    attempt_answer,
    attempt_hint,
    attempt_second_try,
    attempt_show_solution,
    last_seen_mark,
    practice_next,
    practice_retry,
    written_answer_submit,
)
from tandem.roster.access import role_required, signed_in_user
from tandem.roster.constants import grade_label
from tandem.roster.models import User

# How many "ready next" competencies are listed before the rest fold away.
READY_NEXT_SHOWN = 6
NUMBER_FORMAT_HINT = gettext_lazy("Type a number, e.g. 3/4, 0.75 or 1 1/2.")


# ---------- the progress chart: pure geometry over the selector's daily counts ----------


@dataclass(frozen=True)
class ChartBar:
    day: dt.date
    answers: int
    correct: int
    x: float
    width: float
    correct_y: float
    correct_height: float
    wrong_y: float
    wrong_height: float

    @property
    def not_correct(self) -> int:
        return self.answers - self.correct

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def total_y(self) -> float:
        return round(self.wrong_y - 4, 1)


@dataclass(frozen=True)
class ChartTick:
    value: int
    y: float


@dataclass(frozen=True)
class ProgressChart:
    """A stacked bar per day: correct answers at the bottom, the others above them."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[ChartBar]
    ticks: list[ChartTick]
    total_answers: int
    total_correct: int
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def tick_label_x(self) -> int:
        return self.plot_left - 6

    @property
    def day_label_y(self) -> int:
        return self.plot_bottom + 16

    @property
    def summary(self) -> str:
        if not self.bars:
            return "No days to show."
        span = f"{_day(self.first_day)} to {_day(self.last_day)}"
        if not self.total_answers:
            return f"No answers from {span}."
        days = sum(1 for bar in self.bars if bar.answers)
        answers = "answer" if self.total_answers == 1 else "answers"
        return (
            f"{self.total_answers} {answers} on {days} of {len(self.bars)} days from {span}; "
            f"{self.total_correct} correct."
        )


def _day(day: dt.date | None) -> str:
    return f"{day:%B} {day.day}" if day else ""


def _nice_top(value: int) -> int:
    """The smallest round, even axis maximum at or above ``value`` (1, 2, 4, 6, 8, 10, 20 ...)."""
    if value <= 1:
        return 1
    magnitude = int(10 ** math.floor(math.log10(value)))
    return next(step * magnitude for step in (1, 2, 4, 6, 8, 10) if value <= step * magnitude)


def progress_chart(
    daily: Sequence[tuple[dt.date, int, int]], *, width: int = 640, height: int = 240
) -> ProgressChart:
    """Lay out ``(day, answers, correct)`` rows as bars in an SVG of ``width`` × ``height``."""
    left, right, top, bottom = 36, width - 8, 16, height - 40
    top_value = _nice_top(max((answers for _, answers, _ in daily), default=0))
    plot_height = bottom - top
    slot = (right - left) / max(len(daily), 1)
    bar_width = slot * 0.64
    bars = []
    for i, (day, answers, correct) in enumerate(daily):
        correct_height = plot_height * correct / top_value
        wrong_height = plot_height * (answers - correct) / top_value
        bars.append(
            ChartBar(
                day=day,
                answers=answers,
                correct=correct,
                x=round(left + i * slot + (slot - bar_width) / 2, 1),
                width=round(bar_width, 1),
                correct_y=round(bottom - correct_height, 1),
                correct_height=round(correct_height, 1),
                wrong_y=round(bottom - correct_height - wrong_height, 1),
                wrong_height=round(wrong_height, 1),
            )
        )
    tick_values = sorted({0, top_value // 2, top_value}) if top_value > 1 else [0, 1]
    ticks = [ChartTick(v, round(bottom - plot_height * v / top_value, 1)) for v in tick_values]
    return ProgressChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        bars=bars,
        ticks=ticks,
        total_answers=sum(answers for _, answers, _ in daily),
        total_correct=sum(correct for _, _, correct in daily),
        first_day=daily[0][0] if daily else None,
        last_day=daily[-1][0] if daily else None,
    )


def overview_context(overview: StudentOverview) -> dict[str, object]:
    """What ``practice/_overview.html`` needs; shared by the student and guardian pages."""
    return {
        "overview": overview,
        "chart": progress_chart(overview.daily),
        "ready_shown": overview.ready_next[:READY_NEXT_SHOWN],
        "ready_more": overview.ready_next[READY_NEXT_SHOWN:],
    }


# ---------- answers: what the student sent, and how to say it back ----------


def _response_from(request: HttpRequest, item: Item) -> str | list[str]:
    if item.kind == MULTIPLE_CHOICE:
        return request.POST.getlist("response")
    return request.POST.get("response", "")


def answer_in_words(item: Item, normalised: str) -> str:
    """The stored (normalised) response as the student would recognize it."""
    return response_in_words(kind=item.kind, choices=item.choices, normalised=normalised)


def _misconception(item: Item, normalised: str) -> str:
    """The hint for a typical wrong answer the item's generator predicted, or ""."""
    if not item.generator:
        return ""
    return misconception_hint(
        kind=item.kind,
        tolerance=item.tolerance,
        misconceptions=generated_misconceptions(
            item.generator, item.seed, item.difficulty, item.stem
        ),
        normalised=normalised,
    )


def _own_attempt(student: User, attempt_id: uuid.UUID) -> Attempt:
    # A read to parse the form and re-show it after a format error; the write is the service's.
    return get_object_or_404(
        Attempt.objects.select_related("item", "competency"), pk=attempt_id, student=student
    )


def _answer_fields_context(
    item: Item, *, typed: str | list[str] = "", error: str = ""
) -> dict[str, object]:
    """What ``content/_answer_fields.html`` needs, with what the student typed kept."""
    if isinstance(typed, str):
        typed_text, typed_choices = typed, {typed}
    else:
        typed_text, typed_choices = "", set(typed)
    return {
        "choices": [(str(i), text, str(i) in typed_choices) for i, text in enumerate(item.choices)],
        "typed": typed_text,
        "error": error,
        "number_format_hint": NUMBER_FORMAT_HINT,
    }


def _attempt_context(
    attempt: Attempt, *, typed: str | list[str] = "", error: str = "", focus: str = ""
) -> dict[str, object]:
    item = attempt.item
    hints = list(item.hints)
    return _answer_fields_context(item, typed=typed, error=error) | {
        "focus": focus,
        "attempt": attempt,
        "item": item,
        "competency": attempt.competency,
        "hints": hints[: attempt.hints_shown],
        "hints_left": len(hints) - min(attempt.hints_shown, len(hints)),
        # "about 7 in 10": students read the chance of success as a count, not a percentage.
        "success_in_ten": min(max(round(attempt.predicted_success * 10), 1), 9),
    }


def mastery_move_words(outcome: AnswerOutcome, code: str) -> str:
    """What the answer did, in the progress words students read (no percentages: those are for
    staff); the direction follows the estimate and the word follows ``progress_of``."""
    before, after = round(outcome.p_before * 100), round(outcome.p_after * 100)
    status_before, status_after = outcome.status_before, outcome.status_after
    now = progress_of(status=status_after, p_mastery=outcome.p_after).label
    words = {"code": code, "now": now}
    if status_after == Status.MASTERED and status_before == Status.PROBABLY_MASTERED:
        return _("Confirmed on a second day: you have mastered %(code)s. %(now)s!") % words
    if status_after == Status.PROBABLY_MASTERED and status_before != Status.PROBABLY_MASTERED:
        return (
            _(
                "Probably mastered %(code)s. It will come back on another day to check that it "
                "stuck."
            )
            % words
        )
    if status_after in (Status.MASTERED, Status.PROBABLY_MASTERED) and after < before:
        return _("Still mastered, but a little less sure: %(code)s.") % words
    if status_before in (Status.MASTERED, Status.PROBABLY_MASTERED) and status_after not in (
        Status.MASTERED,
        Status.PROBABLY_MASTERED,
    ):
        return (
            _(
                "Not mastered any more for now: %(code)s (%(now)s). A little more practice will "
                "help."
            )
            % words
        )
    if after > before:
        return _("Your progress on %(code)s went up: %(now)s.") % words
    if after < before:
        return _("Your progress on %(code)s went down a little: %(now)s.") % words
    return _("Your progress on %(code)s stayed the same: %(now)s.") % words


class Stage:
    """Where an answered attempt stands, for the feedback panel."""

    RIGHT = "right"  # right the first time
    SECOND_TRY = "second_try"  # wrong the first time; a second try (or "Show me how") is open
    SECOND_RIGHT = "second_right"
    SECOND_WRONG = "second_wrong"
    SHOWN = "shown"  # the student chose "Show me how"


def _stage(attempt: Attempt, first_correct: bool) -> str:
    if first_correct:
        return Stage.RIGHT
    if attempt.second_at is None:
        return Stage.SECOND_TRY
    if attempt.second_correct is None:
        return Stage.SHOWN
    return Stage.SECOND_RIGHT if attempt.second_correct else Stage.SECOND_WRONG


STATUS_WORDS = {
    Stage.RIGHT: gettext_lazy("Correct."),
    Stage.SECOND_TRY: gettext_lazy("Not quite."),
    Stage.SECOND_RIGHT: gettext_lazy("Right on the second try."),
    Stage.SECOND_WRONG: gettext_lazy("Not this time."),
    Stage.SHOWN: gettext_lazy("Here is how to solve it."),
}


def _feedback_context(
    attempt: Attempt,
    *,
    first_response: str,
    first_correct: bool,
    outcome: AnswerOutcome | None = None,
    duplicate: bool = False,
    focus: str = "",
    typed: str | list[str] = "",
    error: str = "",
) -> dict[str, object]:
    """The feedback panel of an answered attempt, at whatever stage its second try is.

    ``outcome``: the first answer was just recorded (or re-submitted), so the panel says what it
    did to the student's progress; after a second try the progress did not move.
    """
    item = attempt.item
    stage = _stage(attempt, first_correct)
    second_answered = stage in (Stage.SECOND_RIGHT, Stage.SECOND_WRONG)
    # The answer the panel is about: the second one once given, else the first.
    latest = attempt.second_response if second_answered else first_response
    marks = []
    if item.kind == MULTIPLE_CHOICE:
        marks = choice_marks(
            choices=item.choices,
            answer=item.answer,
            normalised=latest,
            reveal=stage != Stage.SECOND_TRY,
        )
    context: dict[str, object] = {
        "focus": focus,
        "attempt": attempt,
        "item": item,
        "competency": attempt.competency,
        "stage": stage,
        "status_words": STATUS_WORDS[stage],
        "duplicate": duplicate,
        "first_correct": first_correct,
        "answer_text": answer_in_words(item, first_response),
        "second_text": answer_in_words(item, attempt.second_response) if second_answered else "",
        "misconception": (
            "" if stage in (Stage.RIGHT, Stage.SECOND_RIGHT) else _misconception(item, latest)
        ),
        "marks": marks,
        # Right options not chosen: a count while a second try is open, so as not to say which.
        "missed_count": (
            len(item.answer) - sum(1 for mark in marks if mark.state == "right") if marks else 0
        ),
        "show_solution": stage != Stage.SECOND_TRY,
    }
    if stage == Stage.SECOND_TRY:
        context |= _answer_fields_context(item, typed=typed, error=error)
    if outcome is not None:
        before, after = round(outcome.p_before * 100), round(outcome.p_after * 100)
        context |= {
            "outcome": outcome,
            "mastery_move": mastery_move_words(outcome, attempt.competency.code),
            "before": before,
            "after": after,
            "direction": "up" if after > before else "down" if after < before else "same",
        }
    return context


def _outcome_context(outcome: AnswerOutcome, *, focus: str = "") -> dict[str, object]:
    return _feedback_context(
        outcome.attempt,
        first_response=outcome.response,
        first_correct=outcome.correct,
        outcome=outcome,
        duplicate=outcome.duplicate,
        focus=focus,
    )


def _second_try_context(
    result: SecondTry, *, focus: str = "", typed: str | list[str] = "", error: str = ""
) -> dict[str, object]:
    attempt = result.attempt
    statement = attempt.statement
    assert statement is not None  # a second try follows a recorded first answer
    return _feedback_context(
        attempt,
        first_response=statement.result_response,
        first_correct=bool(statement.result_success),
        duplicate=result.duplicate,
        focus=focus,
        typed=typed,
        error=error,
    )


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request",))
    return response


# ---------- pages ----------


@require_safe
@role_required("student")
def home(request: HttpRequest) -> HttpResponse:
    """My learning: what I am working on, what is next, what I have mastered, my recent work."""
    student = signed_in_user(request)
    now = timezone.now()
    overview = student_overview(student_id=student.pk, now=now)
    seen = last_seen_at(user_id=student.pk, page=PAGE_STUDENT_HOME)
    news = news_for_students(
        student_ids=[student.pk], since=news_since(seen, now), now=now, for_guardian=False
    )[student.pk]
    context = overview_context(overview) | {
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "audience": "student",
        "news": news,
        "news_since": seen,
    }
    response = render(request, "practice/home.html", context)
    if request.method == "GET":  # after working out what is new; a HEAD is not a visit
        last_seen_mark(user=student, page=PAGE_STUDENT_HOME, now=now)
    return response


@require_safe
@role_required("student")
def practice(request: HttpRequest) -> HttpResponse:
    """One item at a time: the open attempt, or a new one the policy picks.

    "?competency=<code>" (an LMS link to one practice set) keeps the items on that competency.
    """
    code = request.GET.get("competency", "").strip()[:50]
    focus = next((c for c in practisable_competencies().values() if c.code == code), None)
    retry = request.GET.get("retry", "").strip()[:40]
    if retry:
        attempt: Attempt | None = practice_retry(
            student=signed_in_user(request), attempt_id=retry, now=timezone.now()
        )
    else:
        attempt = practice_next(
            student=signed_in_user(request),
            now=timezone.now(),
            focus_competency_id=focus.pk if focus else None,
        )
    if attempt is None:
        return render(request, "practice/practice.html", {"attempt": None})
    context = _attempt_context(attempt, focus=focus.code if focus else "")
    return render(request, "practice/practice.html", context)


@require_POST
@role_required("student")
def answer(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    """Check and record an answer; the result is shown at once (a resubmission shows it again).

    The result page is rendered rather than redirected to: answering is idempotent, so a
    reload re-posts harmlessly and shows the same recorded result.
    """
    student = signed_in_user(request)
    # Every value sent: the service reads them as the item's kind says (one, or several).
    response = request.POST.getlist("response")
    # The competency an LMS link focused practice on, carried to the "Next item" link.
    focus = request.POST.get("focus", "").strip()[:50]
    try:
        outcome = attempt_answer(
            student=student, attempt_id=attempt_id, response=response, now=timezone.now()
        )
    except AnswerFormatError as error:
        attempt = _own_attempt(student, attempt_id)
        typed = _response_from(request, attempt.item)
        context = _attempt_context(attempt, typed=typed, error=str(error), focus=focus)
        template = "practice/_attempt.html" if _htmx(request) else "practice/practice.html"
        return _vary_on_htmx(render(request, template, context))
    context = _outcome_context(outcome, focus=focus)
    return _feedback_response(request, context)


def _feedback_response(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    template = "practice/_feedback.html" if _htmx(request) else "practice/feedback.html"
    return _vary_on_htmx(render(request, template, context))


@require_POST
@role_required("student")
def second_try(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    """Check a second answer after a wrong first one; the first answer stays the evidence.

    Like the first answer, a resubmission shows the result recorded the first time.
    """
    student = signed_in_user(request)
    focus = request.POST.get("focus", "").strip()[:50]
    try:
        result = attempt_second_try(
            student=student,
            attempt_id=attempt_id,
            response=request.POST.getlist("response"),
            now=timezone.now(),
        )
    except AnswerFormatError as error:
        attempt = get_object_or_404(
            Attempt.objects.select_related("item", "competency", "statement"),
            pk=attempt_id,
            student=student,
        )
        typed = _response_from(request, attempt.item)
        context = _second_try_context(
            SecondTry(attempt=attempt, duplicate=False), focus=focus, typed=typed, error=str(error)
        )
        return _feedback_response(request, context)
    return _feedback_response(request, _second_try_context(result, focus=focus))


@require_POST
@role_required("student")
def show_solution(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    """ "Show me how" instead of a second try: the worked solution, and the second try ends."""
    focus = request.POST.get("focus", "").strip()[:50]
    result = attempt_show_solution(
        student=signed_in_user(request), attempt_id=attempt_id, now=timezone.now()
    )
    return _feedback_response(request, _second_try_context(result, focus=focus))


@require_POST
@role_required("student")
def hint(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    """Reveal the next hint; without htmx, back to the item, which lists the hints shown."""
    attempt, hints = attempt_hint(student=signed_in_user(request), attempt_id=attempt_id)
    if not _htmx(request):
        return redirect("practice:practice")
    context = {
        "attempt": attempt,
        "hints": hints,
        "hints_left": len(attempt.item.hints) - len(hints),
    }
    return _vary_on_htmx(render(request, "practice/_hints.html", context))


# ---------- written questions ----------


@require_safe
@role_required("student")
def written_list(request: HttpRequest) -> HttpResponse:
    """Written questions to answer, and my written answers with my teacher's scores."""
    student = signed_in_user(request)
    context = {
        "questions": written_items_for_student(student=student),
        "answers": written_answers_of_student(student_id=student.pk),
    }
    return render(request, "practice/written_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("student")
def written_question(request: HttpRequest, item_id: int) -> HttpResponse:
    """Write an answer to one written question. A second submission (a double click) goes to
    the answer already stored."""
    student = signed_in_user(request)
    item = written_item_for_student(student=student, item_id=item_id)
    if item is None:
        # Answered already (the answer page says where it stands), or not a question for me.
        answered = next(
            (
                view.answer
                for view in written_answers_of_student(student_id=student.pk)
                if view.answer.item_id == item_id
            ),
            None,
        )
        if answered is None:
            raise Http404("No such question.")
        return redirect("practice:written_answer", answer_id=answered.pk)
    if request.method == "POST":
        form = WrittenAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            photo = form.cleaned_data["photo"]
            try:
                answer, _ = written_answer_submit(
                    student=student,
                    item_id=item.pk,
                    text=form.cleaned_data["text"],
                    photo=photo or None,
                    now=timezone.now(),
                )
            except WrittenAnswerError as error:
                form.add_error("photo" if photo else "text", str(error))
            else:
                return redirect("practice:written_answer", answer_id=answer.pk)
    else:
        form = WrittenAnswerForm()
    status = 200 if request.method != "POST" else 400
    return render(
        request,
        "practice/written_question.html",
        {"item": item, "form": form, "competencies": list(item.competencies.all())},
        status=status,
    )


@require_safe
def written_photo(request: HttpRequest, answer_id: uuid.UUID) -> FileResponse:
    """The photo (or drawing) sent with a written answer, for whoever may read the answer: the
    student, their teachers and administrators (audited). Anyone else gets a 404."""
    if not request.user.is_authenticated:
        raise Http404("No such photo.")
    answer = access_written_answer(
        user=request.user, answer_id=answer_id, action="written:photo", path=request.path
    )
    if not answer.photo:
        raise Http404("No such photo.")
    kind = PurePosixPath(answer.photo.name or "").suffix.lower().lstrip(".")
    try:
        handle = answer.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type=PHOTO_KINDS.get(kind, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@role_required("student")
def written_answer(request: HttpRequest, answer_id: uuid.UUID) -> HttpResponse:
    """One of my written answers: waiting for my teacher, or their score and comment."""
    student = signed_in_user(request)
    answer = access_written_answer(user=student, answer_id=answer_id)
    view = next(v for v in written_answers_of_student(student_id=student.pk) if v.answer == answer)
    context = {
        "view": view,
        "answer": answer,
        "item": answer.item,
        "competencies": list(answer.item.competencies.all()),
        "scores": list(answer.scores.order_by("-created_at", "-pk")),
    }
    return render(request, "practice/written_answer.html", context)
