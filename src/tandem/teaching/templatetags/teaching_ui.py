"""Markup for the teacher pages that is rendered many times or needs arithmetic.

Load with ``{% load teaching_ui %}``. Grid cells are written here rather than with an
``{% include %}`` because a class grid has thousands of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from tandem.competencies.models import Competency
from tandem.content.feedback import response_in_words
from tandem.evidence.constants import ObservationKind, Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.models import StateChange
from tandem.mastery.rules import MASTERED_AT
from tandem.mastery.selectors import MasteryView
from tandem.practice.constants import HINTED_CORRECT_WEIGHT
from tandem.roster.models import User
from tandem.teaching.selectors import Flag, StudentRow, open_item_count

register = template.Library()

# How much of an item's question the evidence rows of the "why" page show (characters).
ITEM_GIST_MAX = 90


@register.simple_tag(takes_context=True)
def today_count(context: template.Context) -> int:
    """How many things wait for the signed-in teacher (for the navigation), counted once per
    request however often a page asks."""
    request = context.get("request")
    if request is None or getattr(request.user, "role", None) != "teacher":
        return 0
    cached: int | None = getattr(request, "_tandem_today_count", None)
    if cached is None:
        cached = open_item_count(teacher=request.user, now=timezone.now())
        request._tandem_today_count = cached
    return cached


def _day(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y")


def pct(p: float) -> str:
    return f"{round(p * 100)}%"


@register.filter(name="pct")
def pct_filter(value: float | None) -> str:
    """0.62 → "62%"; None → "–"."""
    return "–" if value is None else pct(float(value))


@register.filter
def grade_name(code: str) -> str:
    """A OneRoster grade code as people say it: "06" → "6", "KG" → "K"."""
    return {"KG": "K", "PK": "Pre-K", "": "not recorded"}.get(code, code.lstrip("0") or code)


def mastery_words(view: MasteryView) -> str:
    """ "82%, mastered, range 70–94%, 12 answers (10 right)": the estimate as a sentence."""
    low, high = view.band
    answers = "1 answer" if view.n_attempts == 1 else f"{view.n_attempts} answers"
    words = (
        f"{view.percent}%, {view.status_label.lower()}, range {low}–{high}%, "
        f"{answers} ({view.n_correct} right)"
    )
    if view.uncertain:
        words += ", little evidence yet"
    return words


# Thousands of these per page, so kept short; the dotted box is drawn by teaching.css. The
# data attributes name the (competency, status) a cell shows, for the coherence checker.
_EMPTY_CELL = (
    '<td class="cell-none" title="no evidence" data-competency="{}" data-status="not_started">'
    '<span class="visually-hidden">no evidence</span></td>'
)


def grid_cell(student: User, competency: Competency, view: MasteryView | None) -> SafeString:
    """One cell of the class grid: a link to the explanation, with the percent as its text.

    Screen readers get the row and column headers from the table, the percent as the link's
    name and the full sentence (range, status, answers) from its title.
    """
    if view is None:
        return format_html(_EMPTY_CELL, competency.code)
    return format_html(
        '<td data-competency="{}" data-status="{}">'
        '<a class="mastery mastery-wide m-{}{}" href="{}" title="{}, {}: {}">'
        '<span class="mastery__text">{}%</span></a></td>',
        competency.code,
        view.status,
        view.status,
        " uncertain" if view.uncertain else "",
        reverse("teaching:explain", args=[student.pk, competency.pk]),
        student.display_name,
        competency.code,
        mastery_words(view),
        view.percent,
    )


# An id no competency has, reversed once per row and replaced per cell: reverse() per cell
# was most of a class grid's rendering time.
_CELL_ID_SENTINEL = 2_147_483_647


@register.simple_tag
def student_links(students: Sequence[User], empty: str = "") -> SafeString:
    """Links to each student's page, comma-separated (``empty``, escaped, where there are
    none): one URL reversal for the list, not one per student (the class page lists the same
    students under many flags and competencies)."""
    if not students:
        return format_html('<span class="muted">{}</span>', empty) if empty else SafeString("")
    head, tail = reverse("teaching:student", args=[_CELL_ID_SENTINEL]).split(
        str(_CELL_ID_SENTINEL), 1
    )
    # Every part is escaped or a reversed URL.
    return SafeString(
        ", ".join(f'<a href="{head}{s.pk}{tail}">{escape(s.display_name)}</a>' for s in students)
    )


@register.simple_tag
def escaped_codes(competencies: Sequence[Competency]) -> list[str]:
    """The columns' codes, escaped once per grid rather than once per row."""
    return [escape(comp.code) for comp in competencies]


@register.simple_tag
def grid_cells(
    row: StudentRow, competencies: Sequence[Competency], codes: Sequence[str] | None = None
) -> SafeString:
    """A student's row of cells, aligned with the grid's columns: the same markup as
    :func:`grid_cell`, built with one URL reversal and one escape of each name per row."""
    student = row.student
    url = reverse("teaching:explain", args=[student.pk, _CELL_ID_SENTINEL])
    head, tail = url.split(str(_CELL_ID_SENTINEL), 1)
    name = escape(student.display_name)
    if codes is None:
        codes = escaped_codes(competencies)
    cells = []
    for comp, code, view in zip(competencies, codes, row.cells, strict=True):
        if view is None:
            cells.append(_EMPTY_CELL.format(code))
            continue
        cells.append(
            f'<td data-competency="{code}" data-status="{view.status}">'
            f'<a class="mastery mastery-wide m-{view.status}'
            f'{" uncertain" if view.uncertain else ""}" href="{head}{comp.pk}{tail}" '
            f'title="{name}, {code}: {_cell_words(view)}">'
            f'<span class="mastery__text">{view.percent}%</span></a></td>'
        )
    return SafeString("".join(cells))


# The status words in cell titles, lower case, escaped once (a grid has thousands of cells).
_STATUS_WORDS = {status.value: escape(str(status.label).lower()) for status in Status}


def _cell_words(view: MasteryView) -> str:
    """:func:`mastery_words`, already escaped, without its per-call lookups (same text)."""
    low, high = view.band
    answers = "1 answer" if view.n_attempts == 1 else f"{view.n_attempts} answers"
    words = (
        f"{view.percent}%, {_STATUS_WORDS[view.status]}, range {low}–{high}%, "
        f"{answers} ({view.n_correct} right)"
    )
    return words + ", little evidence yet" if view.uncertain else words


@register.simple_tag
def gap_cells(row: StudentRow, links: Sequence[str]) -> SafeString:
    """A student's earlier-grade gap counts, one cell per folded domain; each links to the
    domain unfolded. The number is the text (0 is shown too), so nothing rests on colour."""
    cells = []
    for count, url in zip(row.gaps, links, strict=True):
        words = "earlier gap" if count == 1 else "earlier gaps"
        cells.append(
            f'<td class="gap-cell{" gap-none" if not count else ""}">'
            f'<a href="{escape(url)}" title="{count} {words}">{count}'
            f'<span class="visually-hidden"> {words}</span></a></td>'
        )
    return SafeString("".join(cells))


@register.simple_tag
def student_cell(row: StudentRow, grade_level_count: int, now: dt.datetime) -> SafeString:
    """The row header of the class grid: the student's name (a link), accommodation marks,
    focus, progress at grade level and flags. Written here, like the cells, because a grid has
    many rows and the template engine was most of their cost."""
    student = row.student
    url = reverse("teaching:student", args=[student.pk])
    parts = [
        f'<th scope="row" class="student-cell"><a href="{url}">{escape(student.display_name)}</a>'
    ]
    if row.accommodations:
        marks = "".join(
            f'<span class="badge accommodation-mark" title="Has an active {escape(kind)}: see '
            f"the student's profile\">{escape(kind)}</span>"
            for kind in row.accommodations
        )
        parts.append(f'<span class="student-accommodations">{marks}</span>')
    if row.focus is not None:
        focus = (
            f'Focus: <abbr title="{escape(row.focus.full_statement)}">'
            f"{escape(row.focus.code)}</abbr>"
        )
    else:
        focus = "No focus yet"
    if grade_level_count:
        focus += f" · {row.grade_mastered} of {grade_level_count} mastered"
    parts.append(f'<span class="student-meta">{focus}</span>')
    if row.flags:
        flags = "".join(student_flag(flag, row.last_active, now) for flag in row.flags)
        parts.append(f'<span class="student-flags">{flags}</span>')
    parts.append("</th>")
    return SafeString("".join(parts))


@register.simple_tag
def student_flag(flag: Flag, last_active: dt.datetime | None, now: dt.datetime) -> SafeString:
    """A flag with its icon (from CSS) and words; the detail is in the title and for readers."""
    text = flag.label
    if flag.key == "unseen":
        text = f"{flag.label} {(now - last_active).days} days" if last_active else "Never practiced"
    return format_html(
        '<span class="flag flag-{}" title="{}">{}<span class="visually-hidden">: {}</span></span>',
        flag.key,
        flag.detail,
        text,
        flag.detail,
    )


@register.filter
def result_words(statement: Statement) -> str:
    """What a statement's result says, in words: "Right", "Wrong", or what the teacher saw."""
    if statement.source == Source.OBSERVATION:
        kind = (statement.context_extensions or {}).get("observation")
        if kind in ObservationKind.values:
            return str(ObservationKind(kind).label)
    if statement.result_success is None:
        return "No result"
    return "Right" if statement.result_success else "Wrong"


@register.filter
def item_gist(statement: Statement) -> str:
    """The question a statement is about, on one short line ("" when it names no item)."""
    item = statement.item
    if item is None:
        return ""
    line = " ".join(item.stem.split())
    return line if len(line) <= ITEM_GIST_MAX else line[: ITEM_GIST_MAX - 1].rstrip() + "…"


@register.filter
def answer_words(statement: Statement) -> str:
    """The student's answer as they gave it: the chosen options' text for a choice item."""
    item = statement.item
    if item is None or not statement.result_response:
        return ""
    return response_in_words(
        kind=item.kind, choices=item.choices, normalised=statement.result_response
    )


@register.filter
def weight_words(statement: Statement) -> str:
    """Why a statement counts for less or more than one answer, in words ("" when it is one)."""
    hints = (statement.context_extensions or {}).get("hints") or 0
    if statement.source == Source.PRACTICE and hints and statement.result_success:
        if statement.weight == HINTED_CORRECT_WEIGHT:
            return "used a hint (counts half)"
        return "used a hint (counts less)"
    return ""


@register.filter
def asserted_by(statement: Statement) -> str:
    """Who made the claim: the student themself, or a named teacher (or tool account)."""
    if statement.authority_id == statement.actor_id:
        return "the student"
    return statement.authority.display_name


@register.simple_tag
def movements(statement: Statement) -> SafeString:
    """ "6.EE.A.2: 40% → 55%" for each estimate a statement moved (uses prefetched changes)."""
    changes = statement.state_changes.all()
    if not changes:
        return format_html('<span class="muted">{}</span>', "did not move an estimate")
    return format_html_join(
        ", ",
        '<span class="nowrap"><a href="{}">{}</a>: {} → {}</span>',
        (
            (
                reverse("teaching:explain", args=[c.state.student_id, c.state.competency_id]),
                c.state.competency.code,
                pct(c.p_before),
                pct(c.p_after),
            )
            for c in changes
        ),
    )


# Geometry of the estimate chart, in SVG user units.
_W, _H = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 16, 12, 36
_GRID_LINES = (0.0, 0.25, 0.5, 0.75, 1.0)


@register.simple_tag
def mastery_chart(changes: Sequence[StateChange], title_id: str = "chart-title") -> SafeString:
    """The estimate over time as an inline SVG line chart, from changes given newest first.

    The first point is the estimate before the oldest evidence; each later point is the
    estimate after one statement. Right answers are filled dots, wrong ones hollow, teacher
    observations squares, so nothing depends on color.
    """
    ordered = list(reversed(changes))
    if not ordered:
        return format_html('<p class="muted">{}</p>', "No evidence yet, so nothing to draw.")
    values = [ordered[0].p_before] + [c.p_after for c in ordered]
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = plot_w / max(len(values) - 1, 1)

    # Coordinates as strings: format_html escapes its arguments, so it cannot format floats.
    def x(i: int) -> str:
        return f"{_LEFT + i * step:.1f}"

    def y(p: float) -> str:
        return f"{_TOP + plot_h * (1 - min(max(p, 0.0), 1.0)):.1f}"

    grid = format_html_join(
        "",
        '<line class="grid-line" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        ((_LEFT, _W - _RIGHT, y(t), y(t), _LEFT - 6, y(t), pct(t)) for t in _GRID_LINES),
    )
    line = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
    markers = []
    for i, change in enumerate(ordered, start=1):
        statement = change.statement
        cls = "point-correct" if statement.result_success else "point-wrong"
        if statement.result_success is None:
            # Not an answer: an estimate set from elsewhere (a diagnostic placement), a diamond.
            cx, cy = float(x(i)), float(y(change.p_after))
            markers.append(
                format_html(
                    '<polygon class="point point-placement" points="{}"/>',
                    f"{cx:.1f},{cy - 6:.1f} {cx + 6:.1f},{cy:.1f} "
                    f"{cx:.1f},{cy + 6:.1f} {cx - 6:.1f},{cy:.1f}",
                )
            )
        elif statement.source in (Source.OBSERVATION, Source.CHECK_IN) or (
            statement.source == Source.MINI_LESSON and statement.verb == Verb.OBSERVED
        ):
            markers.append(
                format_html(
                    '<rect class="point {}" x="{}" y="{}" width="9" height="9"/>',
                    cls,
                    f"{float(x(i)) - 4.5:.1f}",
                    f"{float(y(change.p_after)) - 4.5:.1f}",
                )
            )
        else:
            markers.append(
                format_html(
                    '<circle class="point {}" cx="{}" cy="{}" r="4"/>', cls, x(i), y(change.p_after)
                )
            )
    first, last = _day(ordered[0].at), _day(ordered[-1].at)
    summary = (
        f"The estimate went from {pct(values[0])} to {pct(values[-1])} over "
        f"{len(ordered)} piece{'s' if len(ordered) != 1 else ''} of evidence, "
        f"{first} to {last}; lowest {pct(min(values))}, "
        f"highest {pct(max(values))}. Mastered counts from {pct(MASTERED_AT)}."
    )
    baseline = _H - _BOTTOM
    return format_html(
        '<svg class="chart mastery-chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{label_id} {label_id}-desc" focusable="false">'
        '<desc id="{label_id}-desc">{summary}</desc>'
        "{grid}"
        '<line class="threshold" x1="{left}" x2="{right}" y1="{mastered_y}" y2="{mastered_y}"/>'
        '<text x="{mastered_label_x}" y="{mastered_label_y}">mastered ({mastered})</text>'
        '<g class="axis"><line x1="{left}" x2="{right}" y1="{baseline}" y2="{baseline}"/></g>'
        '<text x="{left}" y="{dates_y}" text-anchor="start">{first}</text>'
        '<text x="{right}" y="{dates_y}" text-anchor="end">{last}</text>'
        '<polyline class="series" points="{line}"/>'
        "{markers}</svg>",
        w=_W,
        h=_H,
        label_id=title_id,
        summary=summary,
        grid=grid,
        left=_LEFT,
        right=_W - _RIGHT,
        mastered_y=y(MASTERED_AT),
        mastered_label_x=_LEFT + 6,
        mastered_label_y=f"{float(y(MASTERED_AT)) + 14:.1f}",
        mastered=pct(MASTERED_AT),
        baseline=baseline,
        dates_y=baseline + 20,
        first=first,
        last=last,
        line=line,
        markers=SafeString("".join(markers)),
    )
