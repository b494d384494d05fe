"""Leaders' pages (administrators only): growth, equity of rigor and pace, screen time and
time alone, and "did a change help?". Every figure comes from the selectors, which suppress
groups under the small-cell threshold; writes go through the services."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tandem.leaders.access import access_change
from tandem.leaders.charts import interval_chart
from tandem.leaders.constants import (
    FIGURES_WAIT_RELOAD_SECONDS,
    MEASURE_NOTES,
    MEASURE_UNITS,
    PERCENT_MEASURES,
    RECENT_DAYS,
    SMALLEST_EFFECT,
)
from tandem.leaders.forms import ChangeForm, TimeLimitForm
from tandem.leaders.selectors import (
    Figure,
    Scope,
    StoredFigures,
    change_result,
    changes_list,
    equity_audit,
    figures_max_age,
    growth_tables,
    leader_scope,
    screen_time,
    stored_figures,
    weekly_limit,
)
from tandem.leaders.services import LeaderInputError, change_create, time_limit_set
from tandem.leaders.tasks import figures_refresh_due, figures_refresh_request
from tandem.privacy.cells import small_cell
from tandem.roster.access import role_required, signed_in_user
from tandem.roster.constants import OrgType, Role
from tandem.roster.models import Org
from tandem_engine.equity import Comparison

LEADER = Role.ADMINISTRATOR


def _figures(request: HttpRequest, scope: Scope) -> StoredFigures:
    """The scope's stored figures; queues a refresh when they are missing or stale."""
    now = timezone.now()
    stored = stored_figures(scope, now=now)
    if figures_refresh_due(stored, now=now):
        figures_refresh_request(scope=scope, now=now)
    return stored


def _waiting(request: HttpRequest, scope: Scope, stored: StoredFigures) -> HttpResponse:
    """The page shown while a scope's figures are first worked out: it reloads itself."""
    return render(
        request,
        "leaders/waiting.html",
        _context(request, scope, stored=stored, reload_seconds=FIGURES_WAIT_RELOAD_SECONDS),
    )


def _context(request: HttpRequest, scope: Scope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "small_cell": small_cell(),
        "recent_days": RECENT_DAYS,
        "max_age_minutes": round(figures_max_age().total_seconds() / 60),
        **extra,
    }


def _figure_chart(figures: list[Figure]) -> Any:
    shown = [f for f in figures if f.shown]
    if not shown:
        return None
    return interval_chart([(f.label, f.mean or 0.0, f.low, f.high, False) for f in shown])


@require_safe
@role_required(LEADER)
def growth(request: HttpRequest) -> HttpResponse:
    scope = leader_scope(request.GET.get("school"))
    stored = _figures(request, scope)
    if stored.frame is None:
        return _waiting(request, scope, stored)
    tables = growth_tables(stored.frame)
    sections = [
        ("grade", "By grade", tables.by_grade),
        ("class", "By class", tables.by_class),
        ("group", "By student group", tables.by_group),
    ]
    return render(
        request,
        "leaders/growth.html",
        _context(
            request,
            scope,
            tables=tables,
            stored=stored,
            sections=[(key, title, rows, _figure_chart(rows)) for key, title, rows in sections],
        ),
    )


@require_safe
@role_required(LEADER)
def equity(request: HttpRequest) -> HttpResponse:
    scope = leader_scope(request.GET.get("school"))
    stored = _figures(request, scope)
    if stored.frame is None:
        return _waiting(request, scope, stored)
    view = equity_audit(stored.frame)
    measures = [
        (
            measure,
            measure in PERCENT_MEASURES,
            MEASURE_NOTES.get(measure, ""),
            [_shown(c) for c in rows],
            interval_chart(
                [(c.group, c.difference, c.low, c.high, c.flagged) for c in rows],
                percent=measure in PERCENT_MEASURES,
                centred=True,
            ),
        )
        for measure, rows in view.by_measure.items()
    ]
    return render(
        request,
        "leaders/equity.html",
        _context(
            request,
            scope,
            view=view,
            stored=stored,
            measures=measures,
            flagged=[_shown(c) for c in view.flagged],
        ),
    )


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.1f}" if percent else f"{value:.3f}"


def _unit_suffix(measure: str) -> str:
    return " days" if MEASURE_UNITS.get(measure) == "days" else ""


def _shown(c: Comparison) -> dict[str, Any]:
    """A comparison as a leader reads it: percentages and percentage points, or per week."""
    percent = c.measure in PERCENT_MEASURES

    def value(v: float) -> str:
        return f"{v * 100:.0f}%" if percent else f"{v:.2f}"

    def diff(v: float) -> str:
        return f"{v * 100:+.1f} points" if percent else f"{v:+.2f}{_unit_suffix(c.measure)}"

    return {
        "c": c,
        "group_value": value(c.group_value),
        "rest_value": value(c.rest_value),
        "difference": diff(c.difference),
        "interval": f"{diff(c.low)} to {diff(c.high)}",
    }


@require_safe
@role_required(LEADER)
def equity_csv(request: HttpRequest) -> HttpResponse:
    """The equity audit as a spreadsheet: groups and figures only, never a student, and no row
    for a group under the small-cell threshold."""
    scope = leader_scope(request.GET.get("school"))
    stored = _figures(request, scope)
    if stored.frame is None:
        waiting = HttpResponse(
            "The figures are being worked out; try again in a minute.\n",
            content_type="text/plain; charset=utf-8",
            status=503,
        )
        waiting["Retry-After"] = str(FIGURES_WAIT_RELOAD_SECONDS * 6)
        return waiting
    view = equity_audit(stored.frame)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tandem-equity.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["scope", "measure", "unit", "group", "students_in_group", "students_in_rest",
         "group_value", "rest_value", "difference", "interval_low_95", "interval_high_95",
         "holm_adjusted_p", "beyond_chance"]
    )  # fmt: skip
    for c in view.comparisons:
        percent = c.measure in PERCENT_MEASURES
        writer.writerow(
            [
                scope.name,
                c.measure,
                "percent" if percent else MEASURE_UNITS.get(c.measure, "per week"),
                c.group,
                c.n_group,
                c.n_rest,
                _fmt(c.group_value, percent),
                _fmt(c.rest_value, percent),
                _fmt(c.difference, percent),
                _fmt(c.low, percent),
                _fmt(c.high, percent),
                f"{c.p_adjusted:.4f}" if c.tested else "not tested (under 30 students)",
                "yes" if c.flagged else "no",
            ]
        )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(LEADER)
def time(request: HttpRequest) -> HttpResponse:
    scope = leader_scope(request.GET.get("school"))
    form = TimeLimitForm(request.POST or None, initial={"weekly_minutes": weekly_limit(scope)})
    if request.method == "POST" and form.is_valid():
        org = scope.school or Org.objects.filter(type=OrgType.DISTRICT).first()
        if org is None:
            form.add_error(None, "Choose a school first: there is no district to set it for.")
        else:
            try:
                time_limit_set(
                    leader=signed_in_user(request),
                    org=org,
                    weekly_minutes=form.cleaned_data["weekly_minutes"],
                    now=timezone.now(),
                )
            except LeaderInputError as error:
                form.add_error("weekly_minutes", str(error))
            else:
                messages.success(request, f"The weekly limit for {org.name} is saved.")
                return redirect(request.get_full_path())
    limit = weekly_limit(scope)
    stored = _figures(request, scope)
    if stored.frame is None:
        return _waiting(request, scope, stored)
    overall, by_class, by_group = screen_time(stored.frame, limit)
    chart = _figure_chart([row.per_week for row in by_class])
    return render(
        request,
        "leaders/time.html",
        _context(
            request,
            scope,
            form=form,
            limit=limit,
            stored=stored,
            overall=overall,
            by_class=by_class,
            by_group=by_group,
            chart=chart,
        ),
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(LEADER)
def changes(request: HttpRequest) -> HttpResponse:
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change, _ = change_create(
                leader=signed_in_user(request),
                title=data["title"],
                start_date=data["start_date"],
                weeks=data["weeks"],
                classes=list(data["classes"]),
                description=data["description"],
                now=timezone.now(),
                idempotency_key=str(data["idempotency_key"]),
            )
        except LeaderInputError as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("leaders:change", args=[change.pk]))
    scope = leader_scope(None)
    return render(
        request,
        "leaders/changes.html",
        _context(request, scope, form=form, changes=changes_list()),
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@role_required(LEADER)
def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    change = access_change(user=request.user, change_id=change_id, path=request.path)
    outcome = change_result(change, today=timezone.localdate())
    return render(
        request,
        "leaders/change.html",
        _context(
            request,
            leader_scope(None),
            change=change,
            outcome=outcome,
            did=outcome.result,
            smallest_effect=SMALLEST_EFFECT,
        ),
    )
