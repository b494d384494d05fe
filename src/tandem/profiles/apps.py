from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tandem.profiles"
    label = "profiles"
    verbose_name = "Learner profiles"
