"""URLs of the placement app."""

from django.urls import URLPattern, URLResolver

app_name = "placement"

urlpatterns: list[URLPattern | URLResolver] = []
