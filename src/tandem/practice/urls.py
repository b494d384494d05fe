"""Student pages, mounted at /learn/."""

from django.urls import path

from tandem.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.home, name="home"),
    path("practice/", views.practice, name="practice"),
    path("attempt/<uuid:attempt_id>/answer/", views.answer, name="answer"),
    path("attempt/<uuid:attempt_id>/hint/", views.hint, name="hint"),
    path("attempt/<uuid:attempt_id>/second-try/", views.second_try, name="second_try"),
    path("attempt/<uuid:attempt_id>/show-me-how/", views.show_solution, name="show_solution"),
    path("written/", views.written_list, name="written"),
    path("written/question/<int:item_id>/", views.written_question, name="written_question"),
    path("written/answer/<uuid:answer_id>/", views.written_answer, name="written_answer"),
    path("written/answer/<uuid:answer_id>/photo/", views.written_photo, name="written_photo"),
]
