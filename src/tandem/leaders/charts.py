"""Server-rendered SVG charts: geometry computed here, drawn by ``leaders/chart.html`` with
classes only (no inline style, so the Content-Security-Policy holds). Each chart sits beside a
table with the same numbers, which is what screen readers read."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LEFT, RIGHT, ROW, TOP, AXIS = 230.0, 590.0, 26, 8, 26


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    low: float | None
    high: float | None
    mid: float
    flagged: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    axis_y: float
    zero: float | None
    rows: list[Row]
    ticks: list[tuple[float, str]]


def _nice_step(span: float) -> float:
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def interval_chart(
    points: Sequence[tuple[str, float, float | None, float | None, bool]],
    *,
    percent: bool = False,
    centred: bool = False,
) -> Chart:
    """Dots with 95% interval whiskers, one row per ``(label, value, low, high, flagged)``;
    ``centred`` puts 0 in the middle (differences), else the axis starts at 0."""
    extent = [
        abs(v) for _, value, low, high, _ in points for v in (value, low, high) if v is not None
    ]
    top = max(extent, default=1.0) or 1.0
    lo, hi = (-top, top) if centred else (0.0, top)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step

    def x(v: float) -> float:
        return round(LEFT + (v - lo) / (hi - lo) * (RIGHT - LEFT), 1)

    rows = [
        Row(
            label=label if len(label) <= 32 else label[:31] + "…",
            y=TOP + ROW * k + ROW / 2,
            low=None if low is None else x(low),
            high=None if high is None else x(high),
            mid=x(value),
            flagged=flagged,
        )
        for k, (label, value, low, high, flagged) in enumerate(points)
    ]
    axis_y = TOP + ROW * len(points) + 4
    ticks = []
    value = lo
    while value <= hi + step / 2:
        text = (
            f"{value * 100:+.0f}"
            if percent and centred
            else f"{value * 100:.0f}%"
            if percent
            else f"{value:g}"
        )
        ticks.append((x(value), text if not (percent and centred) else text + " pts"))
        value += step
    return Chart(
        width=600,
        height=int(axis_y + AXIS),
        left=LEFT,
        right=RIGHT,
        axis_y=axis_y,
        zero=x(0.0) if lo <= 0 <= hi else None,
        rows=rows,
        ticks=ticks,
    )
