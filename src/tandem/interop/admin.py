"""Admin for interop: demographics are visible to administrators (superusers) only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.interop.models import Demographics


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
