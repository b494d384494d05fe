"""URLs of the pathways app."""

from django.urls import URLPattern, URLResolver

app_name = "pathways"

urlpatterns: list[URLPattern | URLResolver] = []
