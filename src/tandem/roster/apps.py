from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "tandem.roster"
    label = "roster"
    verbose_name = "Roster"
