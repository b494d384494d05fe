"""Interop endpoints other software calls: the xAPI Learning Record Store (mounted at xapi/)."""

from django.urls import path

from tandem.interop.xapi import document_views as xapi_documents
from tandem.interop.xapi import views as xapi

app_name = "interop"

urlpatterns = [
    path("about", xapi.about, name="xapi-about"),
    path("statements", xapi.statements, name="xapi-statements"),
    path("activities", xapi_documents.activities, name="xapi-activities"),
    path("activities/state", xapi_documents.activity_state, name="xapi-activity-state"),
    path("activities/profile", xapi_documents.activity_profile, name="xapi-activity-profile"),
    path("agents", xapi_documents.agents, name="xapi-agents"),
    path("agents/profile", xapi_documents.agent_profile, name="xapi-agent-profile"),
]
