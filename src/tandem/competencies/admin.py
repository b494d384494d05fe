from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.competencies.models import Association, Competency, Framework
from tandem.competencies.services import competency_rename

admin.site.register(Framework, list_display=("title", "publisher", "version"))


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin[Competency]):
    list_display = ("human_coding_scheme", "short_name", "short_name_edited", "grade_rank")
    list_filter = ("grade_rank", "domain_code", "short_name_edited")
    search_fields = ("human_coding_scheme", "short_name", "full_statement")
    # short_name_edited follows the edit: a staff rename is never overwritten by a reload.
    readonly_fields = ("short_name_edited",)

    def save_model(self, request: HttpRequest, obj: Competency, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "short_name" in form.changed_data:
            competency_rename(competency=obj, name=obj.short_name)


admin.site.register(
    Association,
    list_display=("origin", "association_type", "destination"),
    list_filter=("association_type",),
    raw_id_fields=("origin", "destination"),
)
