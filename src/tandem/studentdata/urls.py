"""Data-request pages (administrators, and guardians asking), mounted at /privacy/."""

from django.urls import path

from tandem.studentdata import views

app_name = "studentdata"
urlpatterns = [
    path("requests/", views.requests, name="requests"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/export/", views.request_export, name="export"),
    path("requests/<int:request_id>/erase/", views.request_erase, name="erase"),
    path("requests/<int:request_id>/decline/", views.request_decline, name="decline"),
    path("ask/<int:student_id>/", views.guardian_ask, name="ask"),
]
