"""Top-level URL map: pages by audience, the JSON API, and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from tandem.api import api

urlpatterns = [
    path("", include("tandem.core.urls")),
    path("learn/", include("tandem.practice.urls")),
    path("teach/", include("tandem.teaching.urls")),
    path("family/", include("tandem.family.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
