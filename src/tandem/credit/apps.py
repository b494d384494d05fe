from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "tandem.credit"
    label = "credit"
    verbose_name = "Competency-based credit"
