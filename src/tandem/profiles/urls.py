"""Profile pages, mounted at /profile/."""

from django.urls import path

from tandem.profiles import views

app_name = "profiles"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("student/<int:student_id>/", views.student, name="student"),
    path(
        "student/<int:student_id>/accommodations/",
        views.accommodation_add,
        name="accommodation_add",
    ),
    path(
        "accommodation/<int:accommodation_id>/",
        views.accommodation_edit,
        name="accommodation_edit",
    ),
    path(
        "accommodation/<int:accommodation_id>/end/",
        views.accommodation_end_view,
        name="accommodation_end",
    ),
    path("child/<int:student_id>/", views.child, name="child"),
]
