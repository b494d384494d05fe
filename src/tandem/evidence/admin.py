from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.evidence.models import Statement


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin[Statement]):
    """Evidence is append-only: the admin can read it, never change or delete it."""

    list_display = ("timestamp", "actor", "verb", "object_name", "result_success", "source")
    list_filter = ("source", "verb", "result_success")
    search_fields = ("object_name", "actor__username")
    date_hierarchy = "timestamp"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
