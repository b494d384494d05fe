from typing import Any

from django.apps import AppConfig


def _framework_changed(sender: Any, **kwargs: Any) -> None:
    # The framework, the prerequisite graph and what can be practised are cached in memory.
    from django.db import transaction

    from tandem.caching import invalidate_all

    invalidate_all()
    transaction.on_commit(invalidate_all)


class CompetenciesConfig(AppConfig):
    name = "tandem.competencies"
    label = "competencies"
    verbose_name = "Competencies"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tandem.competencies.models import Association, Competency

        for model in (Competency, Association):
            post_save.connect(_framework_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(_framework_changed, sender=model, dispatch_uid=f"cache-d-{model}")
