"""Flex tables in Django's admin: blocks editable, the rest read from the flex pages."""

from django.contrib import admin

from tandem.flex.models import FlexBlock, FlexSchedule, FlexSession


@admin.register(FlexBlock)
class FlexBlockAdmin(admin.ModelAdmin[FlexBlock]):
    list_display = ("name", "weekday", "starts_at", "ends_at")


@admin.register(FlexSession)
class FlexSessionAdmin(admin.ModelAdmin[FlexSession]):
    list_display = ("title", "block", "week_of", "teacher", "kind", "capacity", "room")
    list_filter = ("week_of", "block", "kind")
    raw_id_fields = ("teacher", "competency")


@admin.register(FlexSchedule)
class FlexScheduleAdmin(admin.ModelAdmin[FlexSchedule]):
    list_display = ("week_of", "status", "solved_at", "published_at")
    readonly_fields = ("published_by",)
