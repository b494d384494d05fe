"""URLs of the site shell: sign-in, sign-out, the front door and the health check."""

from django.urls import path

from tandem.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.language, name="language"),
    path("healthz", views.health, name="health"),
]
