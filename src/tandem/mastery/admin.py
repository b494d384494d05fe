"""Admin pages of the learner model: parameter sets, learner states and calibration runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.mastery import report as run_report
from tandem.mastery.models import CalibrationRun, LearnerState, ParameterSet
from tandem.mastery.tasks import (
    ActivationRefusedError,
    CalibrationBusyError,
    calibration_run_activate_start,
    calibration_run_active,
    calibration_run_start,
)

# Seconds between reloads of a calibration page while a run is queued or running.
REFRESH_SECONDS = 2


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows written only by services: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class BackgroundRunAdmin(ReadOnlyAdmin):
    """Pages of a background job's runs (calibration, imports): a progress bar with its
    percent in text, and list and run pages that reload themselves while a run is pending.

    Subclasses name the selector of the pending run and may add to the list page's context.
    """

    active_run: Callable[[], Any]

    @admin.display(description="progress")
    def progress_bar(self, obj: Any) -> SafeString:
        return format_html(
            '<progress max="100" value="{}" aria-label="{}% done">{}%</progress> {}%',
            obj.progress,
            obj.progress,
            obj.progress,
            obj.progress,
        )

    def changelist_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        active = type(self).active_run()
        context = {
            "active_run": active,
            "refresh_seconds": REFRESH_SECONDS if active else None,
            **self.changelist_context(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        context = {
            "refresh_seconds": REFRESH_SECONDS if run is not None and run.is_active else None,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)


@admin.register(ParameterSet)
class ParameterSetAdmin(ReadOnlyAdmin):
    list_display = (
        "version",
        "model_name",
        "engine_version",
        "is_active",
        "heldout_auc",
        "created_at",
    )
    list_filter = ("is_active", "model_name")
    fields = (
        "version",
        "model_name",
        "engine_version",
        "is_active",
        "created_at",
        "notes",
        "params_json",
    )
    readonly_fields = fields

    @admin.display(description="held-out AUC")
    def heldout_auc(self, obj: ParameterSet) -> str:
        auc = (obj.params.get("fit") or {}).get("heldout", {}).get("auc")
        return "—" if auc is None else f"{auc:.3f}"

    @admin.display(description="parameters")
    def params_json(self, obj: ParameterSet) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.params, indent=2, sort_keys=True))


admin.site.register(
    LearnerState,
    list_display=("student", "competency", "p_mastery", "status", "n_attempts"),
    list_filter=("status",),
    raw_id_fields=("student", "competency"),
)


@admin.register(CalibrationRun)
class CalibrationRunAdmin(BackgroundRunAdmin):
    active_run = staticmethod(calibration_run_active)

    list_display = (
        "__str__",
        "status",
        "progress_bar",
        "message",
        "parameter_set",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    list_filter = ("status",)
    fields = (
        "status",
        "progress_bar",
        "message",
        "error",
        "parameter_set",
        "requested_by",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
    change_list_template = "admin/mastery/calibrationrun/change_list.html"
    change_form_template = "admin/mastery/calibrationrun/change_form.html"

    actions = ["activate_kept_set"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        context = self.report_context(run) if run is not None else {}
        context["can_activate"] = (
            run is not None and self.has_start_permission(request) and _kept_set(run) is not None
        )
        return super().change_view(
            request, object_id, form_url, extra_context={**context, **(extra_context or {})}
        )

    @staticmethod
    def report_context(run: CalibrationRun) -> dict[str, Any]:
        """The run's report in words and charts (``tandem.mastery.report``), and its log."""
        report = run.report or {}
        return {
            "report_sentences": run_report.summary_sentences(report),
            "metric_rows": run_report.metric_rows(report) if report else [],
            "bars": run_report.metric_bars(report),
            "reliability": run_report.reliability_chart(report),
            "prior_rows": run_report.prior_rows(report),
            "run_log": run.log,
            "report_json": json.dumps(report, indent=2, sort_keys=True) if report else "",
        }

    @admin.action(description="Activate the kept parameter set…", permissions=["start"])
    def activate_kept_set(
        self, request: HttpRequest, queryset: QuerySet[CalibrationRun]
    ) -> HttpResponse | None:
        """Adopt a set calibration kept inactive, after a confirmation page; logged on the run."""
        runs = list(queryset[:2])
        if len(runs) != 1:
            self.message_user(request, "Choose exactly one calibration run.", messages.WARNING)
            return None
        run = runs[0]
        kept = _kept_set(run)
        if kept is None:
            self.message_user(
                request, f"{run} has no inactive parameter set to activate.", messages.WARNING
            )
            return None
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/mastery/calibrationrun/activate_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": f"Activate {kept.version}?",
                    "opts": self.model._meta,
                    "run": run,
                    "parameter_set": kept,
                    "decision": (run.report or {}).get("decision", ""),
                    "new": (run.report or {}).get("heldout") or {},
                    "old": (run.report or {}).get("heldout_before") or {},
                    "active": ParameterSet.objects.filter(is_active=True)
                    .order_by("-created_at")
                    .first(),
                },
            )
        try:
            calibration_run_activate_start(run=run, by=request.user)
        except (ActivationRefusedError, CalibrationBusyError) as refused:
            self.message_user(request, f"Not activated: {refused}", messages.WARNING)
        else:
            self.message_user(
                request,
                f"Activation of {kept.version} queued: the background worker makes it the "
                f"active parameter set and recomputes every learner state under it. {run}'s "
                "log records when it is done.",
                messages.SUCCESS,
            )
        return None

    def has_start_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("mastery.start_calibration"))

    def get_urls(self) -> list[URLPattern]:
        start = path(
            "start/",
            self.admin_site.admin_view(self.start_view),
            name="mastery_calibrationrun_start",
        )
        return [start, *super().get_urls()]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """Queue a calibration (POST only); a second request while one is pending adds none."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_start_permission(request):
            raise PermissionDenied
        try:
            run = calibration_run_start(requested_by=request.user)
        except CalibrationBusyError as busy:
            messages.warning(request, f"{busy} No second calibration was started.")
        else:
            messages.success(
                request,
                f"Calibration #{run.pk} queued. This page follows its progress until it finishes.",
            )
        return redirect("admin:mastery_calibrationrun_changelist")

    def changelist_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_start": self.has_start_permission(request)}


def _kept_set(run: CalibrationRun) -> ParameterSet | None:
    """The run's parameter set if it is stored and not active, else None."""
    parameter_set = run.parameter_set
    return parameter_set if parameter_set is not None and not parameter_set.is_active else None
