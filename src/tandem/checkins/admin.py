"""Check-ins in the admin, read-only: they are written on the teacher's pages, where an
observation also becomes evidence."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.checkins.models import CheckIn, CheckInNextStep, CheckInObservation


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ObservationInline(_ReadOnly, admin.TabularInline[CheckInObservation, CheckIn]):
    model = CheckInObservation
    extra = 0
    can_delete = False
    fields = ("competency", "understanding", "statement")


class NextStepInline(_ReadOnly, admin.TabularInline[CheckInNextStep, CheckIn]):
    model = CheckInNextStep
    extra = 0
    can_delete = False
    fields = ("goal",)


@admin.register(CheckIn)
class CheckInAdmin(_ReadOnly, admin.ModelAdmin[CheckIn]):
    list_display = ("student", "teacher", "status", "scheduled_for", "held_at")
    list_filter = ("status",)
    search_fields = ("student__username", "student__last_name", "teacher__last_name")
    inlines = [ObservationInline, NextStepInline]
