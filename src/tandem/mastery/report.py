"""A calibration run's report in words and charts: what the admin page shows instead of JSON.

Pure functions from the stored report (``CalibrationRun.report``) to sentences and to the
geometry of two server-rendered SVG charts; the template only places them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tandem.mastery.rules import RULE, review_due_after_days

# The three held-out metrics, how they read, and which way is better.
METRICS = (
    ("auc", "AUC", 3, "higher is better: how often a right answer was given a higher chance"),
    ("logloss", "Log-loss", 4, "lower is better: how surprised the model was by what happened"),
    ("rmse", "RMSE", 3, "lower is better: typical distance between chance and outcome"),
)

# Reliability diagram: a square plot area inside the SVG's view box.
PLOT_LEFT, PLOT_TOP, PLOT_SIZE = 48, 12, 256
# Bar chart: one row per metric, two bars (new, active) per row.
BAR_LEFT, BAR_WIDTH, BAR_HEIGHT, BAR_GAP, ROW_HEIGHT = 96, 300, 16, 4, 56


def _fmt(value: Any, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    help: str
    new: str
    active: str
    verdict: str  # "better", "worse", "the same", or "" when one is missing


def metric_rows(report: Mapping[str, Any]) -> list[MetricRow]:
    new, old = report.get("heldout") or {}, report.get("heldout_before") or {}
    rows = []
    for key, label, digits, help_text in METRICS:
        a, b = new.get(key), old.get(key)
        verdict = ""
        if a is not None and b is not None:
            ra, rb = round(a, digits), round(b, digits)
            higher_better = key == "auc"
            if ra == rb:
                verdict = "the same"
            elif (ra > rb) == higher_better:
                verdict = "better"
            else:
                verdict = "worse"
        rows.append(MetricRow(key, label, help_text, _fmt(a, digits), _fmt(b, digits), verdict))
    return rows


def summary_sentences(report: Mapping[str, Any]) -> list[str]:
    """The report in a few plain sentences."""
    if not report:
        return []
    new, old = report.get("heldout") or {}, report.get("heldout_before") or {}
    version, previous = report.get("version", "?"), report.get("previous_version", "?")
    outcome = (
        f"{version} was made the active parameter set."
        if report.get("activated")
        else f"{version} was stored but not activated; {previous} stayed in use."
    )
    decision = report.get("decision") or ""
    sentences = [
        f"Calibration fitted {version} on {report.get('n_responses', 0)} answers from "
        f"{report.get('n_students', 0)} students ({report.get('n_competencies', 0)} competencies, "
        f"{report.get('n_competencies_fitted', 0)} with enough answers for their own parameters).",
        f"To check it cannot make things worse, the same procedure was fitted on 80% of the "
        f"students and scored on the other {new.get('n_students', 0)} "
        f"({new.get('n_responses', 0)} answers), next to the set active then, {previous}, scored "
        "on exactly the same answers.",
        outcome + (f" Reason: {decision}." if decision else ""),
        (
            f"Recomputed {report.get('states_recomputed', 0)} learner states and "
            f"{report.get('changes_recomputed', 0)} state changes under it"
            if report.get("activated")
            else "No learner state was touched"
        )
        + f"; the calibration took {report.get('seconds', 0.0):.1f} s.",
    ]
    if old.get("fitted"):
        sentences.append(
            "The active set's score is optimistic when it was itself fitted on these students, "
            "so a new set has to beat it by more than it seems."
        )
    # Older reports (before forgetting was fitted) say nothing about it.
    if "forgetting" in report:
        sentences += _forgetting_sentences(report.get("forgetting") or {})
    return sentences


def _forgetting_sentences(forgetting: Mapping[str, Any]) -> list[str]:
    """How fast mastery fades, as fitted from the dates of the answers, and what review does."""
    if not forgetting:
        return [
            "Too few students answered a competency again a day or more later, so how fast "
            "mastery fades could not be fitted: review keeps its set schedule (a first review "
            f"after about {review_due_after_days(1, RULE):.0f} days)."
        ]
    rate = float(forgetting.get("p_forget_per_day", 0.0))
    half_life = forgetting.get("half_life_days")
    fades = (
        "no forgetting was seen between answers days apart"
        if rate <= 0.0
        else f"a mastered competency is forgotten with a chance of {rate:.2%} per day "
        f"(half of it is gone after about {half_life:.0f} days)"
        if isinstance(half_life, int | float)
        else f"a mastered competency is forgotten with a chance of {rate:.2%} per day"
    )
    return [
        f"From {forgetting.get('n_gaps_over_a_day', 0)} times a student came back to a "
        f"competency a day or more later, {fades}. "
        f"Review uses it when this set is active: a competency answered right once is still "
        f"mastered with a chance of 90% after {forgetting.get('base_stability_days', 0):.1f} "
        "days, and each right answer after that makes it last longer."
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: int
    width: float
    css: str


@dataclass(frozen=True)
class BarRow:
    label: str
    y: int
    bars: tuple[Bar, ...]


def metric_bars(report: Mapping[str, Any]) -> dict[str, Any]:
    """Geometry of the bar chart: each metric's new and active values on a 0-to-1 scale."""
    new, old = report.get("heldout") or {}, report.get("heldout_before") or {}
    values = [v for d in (new, old) for k, *_ in METRICS if (v := d.get(k)) is not None]
    scale = max([1.0, *values])
    rows = []
    for n, (key, label, digits, _) in enumerate(METRICS):
        y = 8 + n * ROW_HEIGHT
        bars = tuple(
            Bar(
                label=who,
                value=_fmt(d.get(key), digits),
                y=y + k * (BAR_HEIGHT + BAR_GAP),
                width=round(BAR_WIDTH * (d.get(key) or 0.0) / scale, 1),
                css=css,
            )
            for k, (who, d, css) in enumerate(
                (("new", new, "bar-new"), ("active", old, "bar-active"))
            )
        )
        rows.append(BarRow(label=label, y=y + BAR_HEIGHT + BAR_GAP // 2, bars=bars))
    return {
        "rows": rows,
        "height": 8 + len(METRICS) * ROW_HEIGHT,
        "left": BAR_LEFT,
        "scale": f"{scale:g}",
    }


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    low: float
    high: float
    n: int
    predicted: str
    observed: str


def _points(bins: list[dict[str, Any]]) -> list[Point]:
    return [
        Point(
            x=round(PLOT_LEFT + PLOT_SIZE * b["predicted"], 1),
            y=round(PLOT_TOP + PLOT_SIZE * (1.0 - b["observed"]), 1),
            low=b["low"],
            high=b["high"],
            n=b["n"],
            predicted=f"{b['predicted']:.2f}",
            observed=f"{b['observed']:.2f}",
        )
        for b in bins
    ]


def reliability_chart(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Geometry of the reliability diagram (predicted vs observed success per bin), with a
    one-sentence description for screen readers; ``None`` for a report without bins."""
    new = (report.get("heldout") or {}).get("reliability") or []
    old = (report.get("heldout_before") or {}).get("reliability") or []
    if not new and not old:
        return None
    series = []
    for name, bins, css in (("new set", new, "new"), ("active set", old, "active")):
        points = _points(bins)
        weight = sum(b["n"] for b in bins) or 1
        gap = sum(b["n"] * abs(b["predicted"] - b["observed"]) for b in bins) / weight
        series.append(
            {
                "name": name,
                "css": css,
                "points": points,
                "path": " ".join(f"{p.x},{p.y}" for p in points),
                "gap": f"{gap:.3f}",
            }
        )
    ticks = [
        {"value": f"{v:g}", "x": PLOT_LEFT + PLOT_SIZE * v, "y": PLOT_TOP + PLOT_SIZE * (1 - v)}
        for v in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    description = (
        "Predicted chance of a right answer (across) against the share actually right (up), "
        "in bins of the prediction, for the held-out answers. A perfectly calibrated model lies "
        "on the diagonal. "
        + " ".join(
            f"The {s['name']} is on average {s['gap']} away from it over {len(s['points'])} bins."
            for s in series
        )
    )
    return {
        "series": series,
        "ticks": ticks,
        "left": PLOT_LEFT,
        "top": PLOT_TOP,
        "size": PLOT_SIZE,
        "right": PLOT_LEFT + PLOT_SIZE,
        "bottom": PLOT_TOP + PLOT_SIZE,
        "description": description,
        "bins": _bin_table(new, old),
    }


def _bin_table(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diagram's data as table rows, one per bin either series has."""
    keyed: dict[tuple[float, float], dict[str, Any]] = {}
    for who, bins in (("new", new), ("active", old)):
        for b in bins:
            row = keyed.setdefault((b["low"], b["high"]), {"low": b["low"], "high": b["high"]})
            row[who] = {"n": b["n"], "predicted": b["predicted"], "observed": b["observed"]}
    return [keyed[k] for k in sorted(keyed)]


def prior_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(report.get("prior_by_grade_gap") or [])
