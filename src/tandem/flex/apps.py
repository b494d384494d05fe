from django.apps import AppConfig


class FlexConfig(AppConfig):
    name = "tandem.flex"
    label = "flex"
    verbose_name = "Flex-period scheduling"
