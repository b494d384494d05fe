from django.contrib import admin

from tandem.leaders.models import Change, TimeLimit


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin[Change]):
    list_display = ["title", "start_date", "weeks", "created_by"]
    readonly_fields = ["created_by", "created_at", "idempotency_key"]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin[TimeLimit]):
    list_display = ["org", "weekly_minutes", "updated_by", "updated_at"]
