from django.contrib import admin

from tandem.groups.models import GroupMember, LessonAttendance, MiniLesson, MiniLessonGroup


class GroupMemberInline(admin.TabularInline[GroupMember, MiniLessonGroup]):
    model = GroupMember
    extra = 0
    raw_id_fields = ("student",)


@admin.register(MiniLessonGroup)
class MiniLessonGroupAdmin(admin.ModelAdmin[MiniLessonGroup]):
    list_display = ("id", "competency", "leader", "status", "created_at", "ended_at")
    list_filter = ("status",)
    raw_id_fields = ("leader", "competency")
    inlines = [GroupMemberInline]


class LessonAttendanceInline(admin.TabularInline[LessonAttendance, MiniLesson]):
    model = LessonAttendance
    extra = 0
    raw_id_fields = ("student",)
    # Attendance and exit checks are records of what happened (their evidence is append-only).
    readonly_fields = (
        "student",
        "present",
        "exit_result",
        "items_right",
        "items_asked",
        "p_before",
        "p_after",
        "status_before",
        "status_after",
    )
    can_delete = False


@admin.register(MiniLesson)
class MiniLessonAdmin(admin.ModelAdmin[MiniLesson]):
    list_display = ("id", "group", "date", "start_time", "room", "status")
    list_filter = ("status", "date")
    raw_id_fields = ("group",)
    inlines = [LessonAttendanceInline]
