"""URLs of the projects app."""

from django.urls import URLPattern, URLResolver

app_name = "projects"

urlpatterns: list[URLPattern | URLResolver] = []
