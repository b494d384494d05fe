from django.contrib import admin

from tandem.competencies.models import Association, Competency, Framework

admin.site.register(Framework, list_display=("title", "publisher", "version"))
admin.site.register(
    Competency,
    list_display=("human_coding_scheme", "domain_name", "grade_rank", "abbreviated_statement"),
    list_filter=("grade_rank", "domain_code"),
    search_fields=("human_coding_scheme", "full_statement"),
)
admin.site.register(
    Association,
    list_display=("origin", "association_type", "destination"),
    list_filter=("association_type",),
    raw_id_fields=("origin", "destination"),
)
