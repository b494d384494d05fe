from django.apps import AppConfig


class FlexConfig(AppConfig):
    name = "tandem.flex"
    label = "flex"
    verbose_name = "Flex-period scheduling"

    def ready(self) -> None:
        from tandem.flex.access import teacher_reach
        from tandem.roster.access import register_teacher_reach

        register_teacher_reach("flex", teacher_reach)
