"""Template helpers for the shared UI pieces: mastery cells, progress words, flags, sparklines and
percentages.

Load with ``{% load tandem_ui %}``. Each helper writes the markup that ``tandem.css`` styles, with
the words a screen reader needs, so pages do not each reinvent them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.mastery.constants import Progress, Status
from tandem.mastery.selectors import MasteryView

register = template.Library()

_FLAG_TEXT = {
    "stuck": "Stuck",
    "unseen": "Not seen lately",
    "ready": "Ready to move on",
    "coasting": "Coasting",
    "review": "Due for review",
}


@register.filter
def percent(value: float | str | None, digits: int = 0) -> str:
    """0.62 → "62%"; None or "" → "–" (no estimate yet)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.simple_tag
def mastery_cell(
    status: str,
    p_mastery: float | None = None,
    uncertain: bool = False,
    label: str = "",
    show_value: bool = False,
) -> SafeString:
    """One cell of a mastery grid: the pattern for ``status`` plus words for assistive technology.

    ``label`` names what the cell is about (e.g. "Ana, Adding fractions") and is read first.
    """
    try:
        state = Status(status)
    except ValueError:
        state = Status.NOT_STARTED
    words = str(state.label)
    if p_mastery is not None:
        words += f", {percent(p_mastery)} likely mastered"
    if uncertain:
        words += ", little evidence yet"
    if label:
        words = f"{label}: {words}"
    classes = f"mastery m-{state.value}" + (" uncertain" if uncertain else "")
    if show_value and p_mastery is not None:
        return format_html(
            '<span class="{} mastery-wide" title="{}"><span class="mastery__text" '
            'aria-hidden="true">{}</span><span class="visually-hidden">{}</span></span>',
            classes,
            words,
            percent(p_mastery),
            words,
        )
    return format_html(
        '<span class="{}" title="{}"><span class="visually-hidden">{}</span></span>',
        classes,
        words,
        words,
    )


# The mastery pattern each progress word shows: color is never the only signal.
_PROGRESS_PATTERN = {
    Progress.NOT_STARTED: "m-not_started",
    Progress.PRACTICING: "m-learning",
    Progress.NEARLY_THERE: "m-learning m-nearly",
    Progress.PROBABLY_MASTERED: "m-probably_mastered",
    Progress.GOT_IT: "m-mastered",
    Progress.NEEDS_REVIEW: "m-needs_review",
}


@register.simple_tag
def progress(view: MasteryView | None) -> SafeString:
    """A learner state as students and guardians read it: the pattern and a word, no numbers.

    ``view`` is the learner state as ``mastery_for_student`` gives it (None: not started); the
    word is its ``progress``, so every student and guardian page says the same.
    """
    word = Progress.NOT_STARTED if view is None else view.progress
    return format_html(
        '<span class="progress-word" data-progress="{}"><span class="mastery {}" '
        'aria-hidden="true"></span> {}</span>',
        word.value,
        _PROGRESS_PATTERN[word],
        word.label,
    )


@register.inclusion_tag("core/mastery_legend.html")
def mastery_legend() -> dict[str, object]:
    """The key to the mastery patterns; put it next to every grid that uses them."""
    return {
        "states": [(f"m-{s.value}", s.label) for s in Status],
        "uncertain": "Dashed border: little evidence yet",
        "label": "Key to mastery cells",
    }


@register.inclusion_tag("core/mastery_legend.html")
def progress_legend() -> dict[str, object]:
    """The key to the progress words' patterns on student and guardian pages."""
    return {
        "states": [(_PROGRESS_PATTERN[p], p.label) for p in Progress],
        "uncertain": "",
        "label": "Key to the progress patterns",
    }


@register.simple_tag
def flag(kind: str, text: str = "") -> SafeString:
    """A flag such as "stuck" or "ready": an icon (from CSS) and words, never color alone."""
    return format_html(
        '<span class="flag flag-{}">{}</span>', kind, text or _FLAG_TEXT.get(kind, kind)
    )


@register.simple_tag
def sparkline(
    values: Iterable[float | None],
    label: str,
    width: int = 96,
    height: int = 24,
    low: float | None = None,
    high: float | None = None,
) -> SafeString:
    """A small line chart as inline SVG; ``label`` says in words what the line shows.

    The vertical range is ``low``..``high`` when given (e.g. 0..1 for probabilities), otherwise
    the data's own range. Missing values (None) are skipped.
    """
    points = [float(v) for v in values if v is not None]
    if not points:
        return format_html(
            '<span class="sparkline muted" role="img" aria-label="{}">–</span>', label
        )
    bottom = min(points) if low is None else low
    top = max(points) if high is None else high
    span = (top - bottom) or 1.0
    pad = 2.0
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - (min(max(v, bottom), top) - bottom) / span)

    coords = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(points))
    last_x, last_y = pad + (len(points) - 1) * step, y(points[-1])
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" focusable="false"><polyline points="{}"/>'
        '<circle cx="{}" cy="{}" r="2"/></svg>',
        width,
        height,
        width,
        height,
        label,
        coords,
        f"{last_x:.1f}",
        f"{last_y:.1f}",
    )
