"""Audits the Django admin's views of a student's records, as the pages audit theirs.

An administrator opening one object in the admin (its change or read-only view) that is a
student, or that points at students (a check-in, a statement of evidence, a goal...), leaves one
audit entry per student, with the action ``admin:<app>.<model>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest, HttpResponse

from tandem.privacy.services import access_log_record


def _admin_model(url_name: str) -> tuple[type[models.Model], admin.ModelAdmin[Any]] | None:
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if url_name == f"{meta.app_label}_{meta.model_name}_change":
            return model, model_admin
    return None


def _students_of(obj: models.Model) -> list[Any]:
    """The students ``obj`` is, or points at through a foreign key to a user."""
    user_model = get_user_model()
    ids = {obj.pk} if isinstance(obj, user_model) else set()
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model is user_model:
            value = getattr(obj, field.attname)
            if value is not None:
                ids.add(value)
    # Role.STUDENT; the privacy app sits below the roster and does not import it.
    return list(user_model.objects.filter(pk__in=ids, role="student"))


class AdminRecordAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            request.method == "GET"
            and response.status_code == 200
            and match is not None
            and match.namespace == "admin"
            and (match.url_name or "").endswith("_change")
            and request.user.is_authenticated
        ):
            self._record(request, match.url_name or "", match.kwargs.get("object_id"))
        return response

    def _record(self, request: HttpRequest, url_name: str, object_id: Any) -> None:
        found = _admin_model(url_name)
        if found is None or object_id is None:
            return
        model, model_admin = found
        obj = model_admin.get_object(request, str(object_id))
        if obj is None:
            return
        action = f"admin:{model._meta.app_label}.{model._meta.model_name}"
        for student in _students_of(obj):
            access_log_record(actor=request.user, student=student, action=action, path=request.path)
