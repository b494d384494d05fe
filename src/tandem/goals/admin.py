"""Goals and reflections in the admin: readable by administrators; reflection versions are
never changed there (they are append-only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.goals.models import Reflection, ReflectionRevision, WeeklyGoal


@admin.register(WeeklyGoal)
class WeeklyGoalAdmin(admin.ModelAdmin[WeeklyGoal]):
    list_display = ("week", "student", "kind", "competency", "text", "status", "created_by")
    list_filter = ("kind", "status", "week")
    search_fields = ("text", "student__username", "student__last_name")
    raw_id_fields = ("student", "created_by", "competency")


class RevisionInline(admin.TabularInline[ReflectionRevision, Reflection]):
    model = ReflectionRevision
    extra = 0
    fields = ("saved_at", "saved_by", "did", "worked", "next_steps")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin[Reflection]):
    list_display = ("week", "student", "updated_at")
    list_filter = ("week",)
    search_fields = ("student__username", "student__last_name")
    readonly_fields = ("student", "week", "did", "worked", "next_steps", "created_at", "updated_at")
    inlines = [RevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A reflection is the student's own writing: written on their page, never here.
        return False
