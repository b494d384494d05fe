"""Guardian pages, mounted at /family/."""

from django.urls import path

from tandem.family import views

app_name = "family"
urlpatterns = [
    path("", views.home, name="home"),
    path("child/<int:student_id>/", views.child, name="child"),
]
