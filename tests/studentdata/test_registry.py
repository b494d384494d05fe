"""Every table that can hold data about a student is covered by the export and the erasure, or
is listed as not about the student with the reason: found through Django's model _meta, so that a
new table cannot be missed silently."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tandem.studentdata.registry import HOLDINGS, NOT_ABOUT_THE_STUDENT, Erase
from tandem.studentdata.services import ERASERS


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _covered(model: str, field: str) -> bool:
    return any(h.model == model and h.path.split("__")[0] == field for h in HOLDINGS)


def test_every_foreign_key_to_a_user_is_covered_or_excused():
    user = get_user_model()
    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model is user):
                continue
            key = (_label(model), field.name)
            if not _covered(*key) and key not in NOT_ABOUT_THE_STUDENT:
                missing.append(f"{key[0]}.{key[1]}")
    assert not missing, (
        "Tables pointing at a user that neither the export/erasure registry "
        f"(studentdata.registry.HOLDINGS) nor its allow-list covers: {missing}"
    )


def test_every_table_pointing_at_a_covered_table_is_covered_or_excused():
    """One step further: rows that hang off a student's rows (a submission off a project)."""
    user = get_user_model()
    held = {h.model for h in HOLDINGS} - {_label(user)}
    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if _label(field.related_model) not in held:
                continue
            key = (_label(model), field.name)
            if (
                _label(model) not in {h.model for h in HOLDINGS}
                and key not in NOT_ABOUT_THE_STUDENT
            ):
                missing.append(f"{key[0]}.{key[1]}")
    assert not missing, f"Tables hanging off a student's rows, not covered: {missing}"


def test_the_registry_names_real_fields_and_a_way_to_erase_each():
    for holding in HOLDINGS:
        model = holding.model_class
        if holding.path != "pk":
            model._base_manager.filter(**{holding.path + "__isnull": True}).query  # noqa: B018
        for name in holding.blank:
            model._meta.get_field(name)
        if holding.erase == Erase.SERVICE:
            assert holding.model in ERASERS, holding.model
        if holding.erase == Erase.BLANK:
            assert holding.blank, holding.model
    for model_label, field_name in NOT_ABOUT_THE_STUDENT:
        try:
            apps.get_model(model_label)._meta.get_field(field_name)
        except (LookupError, FieldDoesNotExist) as error:
            raise AssertionError(f"Stale allow-list entry {model_label}.{field_name}") from error
        assert NOT_ABOUT_THE_STUDENT[(model_label, field_name)].strip()


def test_every_file_field_of_a_student_table_is_erased():
    """Uploaded files must leave storage with the erasure, not only their names the rows."""
    held = {h.model: h for h in HOLDINGS}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and _label(model) in held:
                holding = held[_label(model)]
                assert holding.erase in (Erase.SERVICE, Erase.DELETE), holding.model
