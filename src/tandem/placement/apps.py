from django.apps import AppConfig


class PlacementConfig(AppConfig):
    name = "tandem.placement"
    label = "placement"
    verbose_name = "Diagnostic placement"
