from django.contrib import admin

from tandem.mastery.models import LearnerState, ParameterSet

admin.site.register(ParameterSet, list_display=("version", "model_name", "is_active", "created_at"))
admin.site.register(
    LearnerState,
    list_display=("student", "competency", "p_mastery", "status", "n_attempts"),
    list_filter=("status",),
    raw_id_fields=("student", "competency"),
)
