"""Top-level URL map: pages by audience, the JSON API, and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from tandem.api.main import api

urlpatterns = [
    path("", include("tandem.core.urls")),
    path("learn/", include("tandem.practice.urls")),
    path("teach/groups/", include("tandem.groups.urls")),
    path("teach/", include("tandem.teaching.urls")),
    path("family/", include("tandem.family.urls")),
    path("lead/", include("tandem.leaders.urls")),
    path("diagnostic/", include("tandem.placement.urls")),
    path("pathway/", include("tandem.pathways.urls")),
    path("goals/", include("tandem.goals.urls")),
    path("checkins/", include("tandem.checkins.urls")),
    path("credit/", include("tandem.credit.urls")),
    path("projects/", include("tandem.projects.urls")),
    path("profile/", include("tandem.profiles.urls")),
    path("wellbeing/", include("tandem.wellbeing.urls")),
    path("flex/", include("tandem.flex.urls")),
    path("api/", api.urls),
    path("xapi/", include("tandem.interop.urls")),
    path("lti/", include("tandem.lti.urls")),
    path("privacy/", include("tandem.studentdata.urls")),
    path("admin/", admin.site.urls),
]
