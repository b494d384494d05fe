from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "tandem.pathways"
    label = "pathways"
    verbose_name = "Pathways"
