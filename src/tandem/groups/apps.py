from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "tandem.groups"
    label = "groups"
    verbose_name = "Mini-lesson groups"

    def ready(self) -> None:
        from tandem.groups.access import group_members_reached
        from tandem.roster.access import register_teacher_reach

        register_teacher_reach("groups", group_members_reached)
