from django.contrib import admin

from tandem.privacy.models import AccessLog

admin.site.register(
    AccessLog, list_display=("at", "actor", "student", "action"), raw_id_fields=("actor", "student")
)
