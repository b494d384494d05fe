from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "tandem.family"
    label = "family"
    verbose_name = "Family"
