"""API tokens in the admin: issue one (its secret shown once, on the page that follows), list,
revoke. A token is never edited: revoke it and issue another."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tandem.api.constants import Scope
from tandem.api.models import ApiToken
from tandem.api.services import api_token_issue, api_token_revoke
from tandem.roster.models import User


class ApiTokenForm(forms.ModelForm[ApiToken]):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ["name", "user", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = ("name", "hint", "user", "scopes", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "hint", "user__username")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ()
        return (
            "name",
            "hint",
            "user",
            "scopes",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "last_used_at",
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Only a superuser issues tokens acting as a superuser (api_token_issue checks it too).
        if db_field.name == "user" and not getattr(request.user, "is_superuser", False):
            kwargs["queryset"] = User.objects.filter(is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, secret = api_token_issue(
            issued_by=request.user,
            user=obj.user,
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            expires_at=obj.expires_at,
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        request._tandem_api_token_secret = secret  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The secret, once: rendered into this page only (not a message, which could sit in a
        cookie), and never stored."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API token issued",
            "token": obj,
            "secret": getattr(request, "_tandem_api_token_secret", ""),
        }
        return TemplateResponse(request, "admin/api/apitoken/issued.html", context)

    # Revoking is a lesser deletion: those who may delete tokens may revoke them.
    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, revoked_by=request.user)
        self.message_user(request, f"{len(queryset)} token(s) revoked.", messages.SUCCESS)
