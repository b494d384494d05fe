"""Flex pages, mounted at /flex/."""

from django.urls import URLPattern, URLResolver, path

from tandem.flex import views

app_name = "flex"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.admin_week, name="admin"),
    path("blocks/", views.block_new, name="block_new"),
    path("solve/", views.solve, name="solve"),
    path("publish/", views.publish, name="publish"),
    path("placement/<int:placement_id>/move/", views.move, name="move"),
    path("teach/", views.teach, name="teach"),
    path("teach/offer/", views.offer, name="offer"),
    path("session/<int:session_id>/", views.session_detail, name="session"),
    path("session/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("session/<int:session_id>/move/", views.session_move, name="session_move"),
    path("choose/", views.choose, name="choose"),
    path("schedule.csv", views.export_csv, name="export_csv"),
    path("calendar.ics", views.export_ics, name="export_ics"),
]
