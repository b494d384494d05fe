"""Group pages, mounted at /teach/groups/."""

from django.urls import URLPattern, URLResolver, path

from tandem.groups import views

app_name = "groups"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.group_list, name="list"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("new/", views.create, name="create"),
    path("<int:group_id>/", views.detail, name="detail"),
    path("<int:group_id>/members/", views.members, name="members"),
    path("<int:group_id>/plan/", views.plan, name="plan"),
    path("<int:group_id>/end/", views.end, name="end"),
    path("lesson/<int:lesson_id>/edit/", views.lesson_edit, name="lesson_edit"),
    path("lesson/<int:lesson_id>/hold/", views.hold, name="hold"),
]
