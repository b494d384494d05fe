from django.contrib import admin

from tandem.content.models import Item

admin.site.register(
    Item,
    list_display=("__str__", "kind", "difficulty", "generator"),
    list_filter=("kind", "difficulty"),
    search_fields=("stem", "generator"),
    filter_horizontal=("competencies",),
)
