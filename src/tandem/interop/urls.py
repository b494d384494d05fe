"""Interop endpoints other software calls: the xAPI Learning Record Store (mounted at xapi/)."""

from django.urls import path

from tandem.interop.xapi import views as xapi

app_name = "interop"

urlpatterns = [
    path("about", xapi.about, name="xapi-about"),
    path("statements", xapi.statements, name="xapi-statements"),
]
