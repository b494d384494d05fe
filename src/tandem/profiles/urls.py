"""URLs of the profiles app."""

from django.urls import URLPattern, URLResolver

app_name = "profiles"

urlpatterns: list[URLPattern | URLResolver] = []
