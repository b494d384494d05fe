from typing import Any

from django.apps import AppConfig


def _parameter_sets_changed(sender: Any, **kwargs: Any) -> None:
    # The active parameter set is cached in memory: drop it now and once the change commits.
    from django.db import transaction

    from tandem.mastery.services import parameter_cache_invalidate

    parameter_cache_invalidate()
    transaction.on_commit(parameter_cache_invalidate)


class MasteryConfig(AppConfig):
    name = "tandem.mastery"
    label = "mastery"
    verbose_name = "Mastery"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tandem.mastery.models import ParameterSet

        post_save.connect(_parameter_sets_changed, sender=ParameterSet, dispatch_uid="ps-cache")
        post_delete.connect(_parameter_sets_changed, sender=ParameterSet, dispatch_uid="ps-cache-d")
