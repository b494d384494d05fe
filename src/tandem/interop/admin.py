"""Admin for interop: OneRoster imports from the web, and demographics (superusers only)."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.interop.models import (
    ONEROSTER_UPLOAD_MAX_BYTES,
    Demographics,
    LrsClient,
    OneRosterImportRun,
)
from tandem.interop.tasks import (
    OneRosterImportBusyError,
    oneroster_import_run_active,
    oneroster_import_run_start,
)
from tandem.interop.xapi.constants import DEFAULT_SCOPES, Scope
from tandem.interop.xapi.services import lrs_client_issue
from tandem.mastery.admin import BackgroundRunAdmin


@admin.register(Demographics)
class DemographicsAdmin(admin.ModelAdmin[Demographics]):
    list_display = ["sourced_id", "birth_date", "sex"]
    search_fields = ["sourced_id"]

    # Sensitive data: only superusers, whatever model permissions a staff account holds.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # records arrive by OneRoster import only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


# Seconds between reloads of an import page while a run is queued or running.
# What every zip file starts with (a local file header); an empty zip is no bundle either.
ZIP_MAGIC = b"PK\x03\x04"


class OneRosterUploadForm(forms.Form):
    bundle = forms.FileField(
        label="OneRoster bundle (zip)",
        help_text=(
            "A OneRoster 1.1 or 1.2 CSV bundle as one .zip file with manifest.csv, at most "
            f"{ONEROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    dry_run = forms.BooleanField(
        label="Dry run: check and count only, save nothing",
        required=False,
    )

    def clean_bundle(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["bundle"]
        if upload.size is not None and upload.size > ONEROSTER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is "
                f"{ONEROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
            )
        upload.seek(0)
        head = upload.read(len(ZIP_MAGIC))
        upload.seek(0)
        if head != ZIP_MAGIC or not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                "This is not a zip file. Upload the OneRoster CSV files packed as one .zip."
            )
        upload.seek(0)
        return upload


@admin.register(OneRosterImportRun)
class OneRosterImportRunAdmin(BackgroundRunAdmin):
    active_run = staticmethod(oneroster_import_run_active)

    list_display = [
        "__str__",
        "status",
        "progress_bar",
        "message",
        "dry_run",
        "original_name",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "dry_run"]
    fields = (
        "status",
        "progress_bar",
        "message",
        "error",
        "report_text",
        "counts",
        "dry_run",
        "original_name",
        "requested_by",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
    change_list_template = "admin/interop/oneroster_import/change_list.html"
    change_form_template = "admin/interop/oneroster_import/change_form.html"

    @admin.display(description="report")
    def report_text(self, obj: OneRosterImportRun) -> SafeString:
        return format_html("<pre>{}</pre>", obj.report or "—")

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("interop.import_oneroster"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or self.has_import_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or self.has_import_permission(request)

    # Runs are written only by the import task: the admin shows them and changes nothing.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="interop_onerosterimportrun_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a bundle and queue its import; refused while another import is pending."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        active = oneroster_import_run_active()
        form = OneRosterUploadForm()
        if request.method == "POST":
            form = OneRosterUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    run = oneroster_import_run_start(
                        upload=form.cleaned_data["bundle"],
                        dry_run=form.cleaned_data["dry_run"],
                        requested_by=request.user,
                    )
                except OneRosterImportBusyError as busy:
                    messages.warning(request, f"{busy} No second import was started.")
                    return redirect("admin:interop_onerosterimportrun_changelist")
                messages.success(
                    request,
                    f"{run} queued. This page follows its progress until it finishes.",
                )
                return redirect("admin:interop_onerosterimportrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a OneRoster bundle",
            "form": form,
            "active_run": active,
        }
        return TemplateResponse(request, "admin/interop/oneroster_import/upload.html", context)

    def changelist_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_import": self.has_import_permission(request)}


class LrsClientForm(forms.ModelForm[LrsClient]):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        initial=DEFAULT_SCOPES,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "What the software may do with Tandem's learning records (xAPI 1.0.3 scopes). The "
            "default lets it report learning and keep its own state and profiles, but not read "
            "other software's statements or Tandem's evidence about students."
        ),
    )

    class Meta:
        model = LrsClient
        fields = ["name", "active", "scopes"]


@admin.register(LrsClient)
class LrsClientAdmin(admin.ModelAdmin[LrsClient]):
    """xAPI clients: adding one issues a key and secret, shown once on the next page."""

    form = LrsClientForm
    list_display = ["name", "key", "active", "scope_list", "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "created_by", "created_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "active", "scopes")
        return ("name", "key", "active", "scopes", "created_by")

    @admin.display(description="scopes")
    def scope_list(self, obj: LrsClient) -> str:
        return ", ".join(obj.scopes or []) or "—"

    def save_model(self, request: HttpRequest, obj: LrsClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, secret = lrs_client_issue(
            name=obj.name, created_by=request.user, scopes=list(obj.scopes or [])
        )
        obj.pk, obj.key, obj.secret_hash = client.pk, client.key, client.secret_hash
        obj._state.adding = False
        # The secret is stored only hashed: this message is the one time anyone sees it.
        messages.warning(
            request,
            format_html(
                "Issued key <code>{}</code> and secret <code>{}</code>. Copy the secret now: "
                "it is not shown again.",
                client.key,
                secret,
            ),
        )
