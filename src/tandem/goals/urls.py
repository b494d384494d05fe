"""URLs of the goals app."""

from django.urls import URLPattern, URLResolver

app_name = "goals"

urlpatterns: list[URLPattern | URLResolver] = []
