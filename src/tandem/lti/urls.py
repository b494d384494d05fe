"""LTI 1.3 endpoints and pages, mounted at /lti/."""

from django.urls import path

from tandem.lti import views

app_name = "lti"
urlpatterns = [
    path("jwks", views.jwks, name="jwks"),
    path("login", views.oidc_login, name="login"),
    path("launch", views.launch, name="launch"),
    path("deep-link/<uuid:token>/", views.deep_link, name="deep_link"),
    path("class/<int:class_id>/grades/", views.class_grades, name="class_grades"),
]
