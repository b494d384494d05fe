"""Goal pages, mounted at /goals/."""

from django.urls import URLPattern, URLResolver, path

from tandem.goals import views

app_name = "goals"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("add/", views.goal_add, name="add"),
    path("<int:goal_id>/done/", views.goal_done, name="done"),
    path("<int:goal_id>/remove/", views.goal_delete, name="remove"),
    path("reflect/", views.reflect, name="reflect"),
    path("class/<int:class_id>/", views.class_goals, name="class"),
    path("student/<int:student_id>/", views.student_detail, name="student"),
]
