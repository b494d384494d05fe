"""Credit and report card pages, mounted at /credit/."""

from django.urls import URLPattern, URLResolver, path

from tandem.credit import views

app_name = "credit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.classes, name="classes"),
    path("class/<int:class_id>/", views.class_detail, name="class"),
    path("class/<int:class_id>/sign-off/<int:student_id>/", views.sign_off, name="sign_off"),
    path("<int:credit_id>/revoke/", views.revoke, name="revoke"),
    path("report/<int:student_id>/", views.report, name="report"),
    path("report/<int:student_id>/pdf/", views.report_pdf, name="report_pdf"),
    path("transcript.csv", views.transcript, name="transcript"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:course_id>/", views.rule_edit, name="rule_edit"),
]
