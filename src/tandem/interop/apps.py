from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "tandem.interop"
    label = "interop"
    verbose_name = "Interoperability (OneRoster, CASE, QTI, xAPI)"
