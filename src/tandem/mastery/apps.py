from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "tandem.mastery"
    label = "mastery"
    verbose_name = "Mastery"
