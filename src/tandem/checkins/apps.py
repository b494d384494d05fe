from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "tandem.checkins"
    label = "checkins"
    verbose_name = "Check-in conversations"
