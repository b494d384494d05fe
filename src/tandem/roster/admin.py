from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from tandem.roster.constants import Role
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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A student is never deleted here (their evidence is append-only and refuses it): a
        family's erasure request is handled on the data-request pages (/privacy/requests/)."""
        if obj is not None and getattr(obj, "role", None) == Role.STUDENT:
            return False
        return super().has_delete_permission(request, obj)


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
