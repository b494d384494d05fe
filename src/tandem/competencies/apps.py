from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "tandem.competencies"
    label = "competencies"
    verbose_name = "Competencies"
