from django.apps import AppConfig


class LeadersConfig(AppConfig):
    name = "tandem.leaders"
    label = "leaders"
    verbose_name = "Leaders' pages on growth and equity"
