from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tandem.roster.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    SchoolClass,
    User,
)


@admin.register(User)
class TandemUserAdmin(UserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "grade", "pseudonym")
    list_filter = ("role", "grade", "is_active")
    search_fields = ("username", "first_name", "last_name", "sourced_id", "pseudonym")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Roster", {"fields": ("sourced_id", "role", "grade", "identifier", "orgs")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Roster", {"fields": ("sourced_id", "role", "grade", "first_name", "last_name")}),
    )


admin.site.register(Org, list_display=("name", "type", "sourced_id"))
admin.site.register(AcademicSession, list_display=("title", "type", "start_date", "end_date"))
admin.site.register(Course, list_display=("title", "course_code", "org"))
admin.site.register(SchoolClass, list_display=("title", "course", "school"))
admin.site.register(
    Enrollment, list_display=("user", "school_class", "role"), raw_id_fields=("user",)
)
admin.site.register(
    GuardianLink,
    list_display=("guardian", "student", "relationship"),
    raw_id_fields=("guardian", "student"),
)
