"""Teacher pages, mounted at /teach/."""

from django.urls import path

from tandem.teaching import views

app_name = "teaching"
urlpatterns = [
    path("", views.class_list, name="classes"),
    path("today/", views.today, name="today"),
    path("class/<int:class_id>/", views.class_detail, name="class"),
    path("class/<int:class_id>/grid.csv", views.class_csv, name="class_csv"),
    path("class/<int:class_id>/written/", views.written_to_score, name="written"),
    path("class/<int:class_id>/choices/", views.class_choices, name="class_choices"),
    path(
        "class/<int:class_id>/written/<uuid:answer_id>/",
        views.written_score,
        name="written_score",
    ),
    path("student/<int:student_id>/", views.student_detail, name="student"),
    path(
        "student/<int:student_id>/competency/<int:competency_id>/",
        views.competency_explain,
        name="explain",
    ),
]
