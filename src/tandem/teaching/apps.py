from django.apps import AppConfig


class TeachingConfig(AppConfig):
    name = "tandem.teaching"
    label = "teaching"
    verbose_name = "Teaching"
