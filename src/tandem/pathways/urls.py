"""Pathway pages, mounted at /pathway/: the student's own plan, a teacher's view of one
student's plan, and the actions on a plan (each names the student, checked by the chokepoint)."""

from django.urls import URLPattern, URLResolver, path

from tandem.pathways import views

app_name = "pathways"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("student/<int:student_id>/", views.student_pathway, name="student"),
    path("student/<int:student_id>/approve/", views.approve, name="approve"),
    path("student/<int:student_id>/targets/", views.target_add, name="target_add"),
    path(
        "student/<int:student_id>/targets/<int:target_id>/remove/",
        views.target_remove,
        name="target_remove",
    ),
    path("student/<int:student_id>/steps/<int:step_id>/move/", views.step_move, name="step_move"),
    path("student/<int:student_id>/projects/", views.project_add, name="project_add"),
    path(
        "student/<int:student_id>/projects/<int:step_id>/done/",
        views.project_done,
        name="project_done",
    ),
    path(
        "student/<int:student_id>/projects/<int:step_id>/remove/",
        views.project_remove,
        name="project_remove",
    ),
]
