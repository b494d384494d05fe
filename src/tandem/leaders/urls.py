"""Leaders' pages, mounted at /lead/."""

from django.urls import URLPattern, URLResolver, path

from tandem.leaders import views

app_name = "leaders"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.growth, name="growth"),
    path("equity/", views.equity, name="equity"),
    path("equity.csv", views.equity_csv, name="equity_csv"),
    path("time/", views.time, name="time"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:change_id>/", views.change_detail, name="change"),
]
