"""Pathways in Django's admin: administrators can read plans and their history; changes go
through the pages, where they are checked and logged."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.pathways.models import Pathway, PathwayEvent, PathwayStep, PathwayTarget


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TargetInline(_ReadOnly, admin.TabularInline[PathwayTarget, Pathway]):
    model = PathwayTarget
    extra = 0
    fields = ("competency", "reason", "added_by", "added_at", "removed_at", "removed_by")


class StepInline(_ReadOnly, admin.TabularInline[PathwayStep, Pathway]):
    model = PathwayStep
    extra = 0
    fields = ("position", "kind", "competency", "title", "added_by", "completed_at")


class EventInline(_ReadOnly, admin.TabularInline[PathwayEvent, Pathway]):
    model = PathwayEvent
    extra = 0
    fields = ("at", "actor", "actor_role", "kind", "summary")


@admin.register(Pathway)
class PathwayAdmin(_ReadOnly, admin.ModelAdmin[Pathway]):
    list_display = ("student", "status", "approved_by", "approved_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("student__username", "student__last_name")
    inlines = (TargetInline, StepInline, EventInline)
