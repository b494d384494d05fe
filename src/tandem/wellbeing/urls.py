"""Wellbeing pages, mounted at /wellbeing/."""

from django.urls import URLPattern, URLResolver, path

from tandem.wellbeing import views

app_name = "wellbeing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.raised, name="raised"),
    path("check/", views.check, name="check"),
    path("student/<int:student_id>/", views.student, name="student"),
    path("student/<int:student_id>/follow-up/", views.follow_up, name="follow_up"),
]
