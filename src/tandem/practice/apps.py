from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "tandem.practice"
    label = "practice"
    verbose_name = "Practice"
