"""The audit log in the admin: read-only, so no entry can be added, edited or deleted there."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin[AccessLog]):
    list_display = ("at", "actor", "student", "action", "refused", "requested_id")
    list_filter = ("refused",)
    search_fields = ("actor__username", "student__username", "action", "requested_id")
    raw_id_fields = ("actor", "student")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
