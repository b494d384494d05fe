"""Check-in pages, mounted at /checkins/."""

from django.urls import URLPattern, URLResolver, path

from tandem.checkins import views

app_name = "checkins"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.today, name="today"),
    path("student/<int:student_id>/", views.student_detail, name="student"),
    path("student/<int:student_id>/schedule/", views.schedule, name="schedule"),
    path("student/<int:student_id>/record/", views.record, name="record"),
    path("<int:check_in_id>/cancel/", views.cancel, name="cancel"),
]
