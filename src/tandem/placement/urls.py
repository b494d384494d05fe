"""Student pages of the diagnostic, mounted at /diagnostic/."""

from django.urls import URLPattern, URLResolver, path

from tandem.placement import views

app_name = "placement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("restart/", views.restart, name="restart"),
    path("question/", views.question, name="question"),
    path("question/<uuid:question_id>/answer/", views.answer, name="answer"),
    path("stop/", views.stop, name="stop"),
    path("result/", views.result, name="result"),
]
