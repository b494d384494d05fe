"""Project pages, mounted at /projects/: students' library and projects, teachers' review and
library management, and the one way to fetch a file handed in."""

from django.urls import URLPattern, URLResolver, path

from tandem.projects import views

app_name = "projects"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.library, name="library"),
    path("propose/", views.propose, name="propose"),
    path("<int:project_id>/", views.project_page, name="project"),
    path("<int:project_id>/revise/", views.revise, name="revise"),
    path(
        "<int:project_id>/milestone/<int:milestone_id>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("file/<int:submission_id>/", views.download, name="download"),
    path("review/", views.review_list, name="review"),
    path("review/<int:project_id>/", views.teacher_project, name="teacher_project"),
    path("review/<int:project_id>/decide/", views.decide, name="decide"),
    path("review/<int:project_id>/score/", views.score, name="score"),
    path("library/", views.manage, name="manage"),
    path("library/new/", views.template_new, name="template_new"),
    path("library/<int:template_id>/", views.template_detail, name="template"),
    path("library/<int:template_id>/publish/", views.template_toggle, name="template_publish"),
]
