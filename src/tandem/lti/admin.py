"""Admin pages: register a platform (with the URLs to paste into the LMS), map course contexts
to classes, rotate the tool's key, and see every grade passback."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from tandem.lti.models import (
    ContextLink,
    Deployment,
    Passback,
    Platform,
    ResourceLink,
    ToolKey,
    UserLink,
)
from tandem.lti.services import tool_key_rotate
from tandem.lti.views import tool_url


class DeploymentInline(admin.TabularInline[Deployment, Platform]):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin[Platform]):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "issuer", "client_id", "is_active"]
    inlines = [DeploymentInline]
    change_form_template = "admin/lti/platform/change_form.html"

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        tool_urls = [
            ("OIDC login initiation URL", tool_url(request, "lti:login")),
            ("Redirect (launch) URL and target link URI", tool_url(request, "lti:launch")),
            ("Deep linking URL", tool_url(request, "lti:launch")),
            ("Public keyset (JWKS) URL", tool_url(request, "lti:jwks")),
        ]
        extra = (extra_context or {}) | {"tool_urls": tool_urls}
        return super().changeform_view(request, object_id, form_url, extra)


@admin.register(ContextLink)
class ContextLinkAdmin(admin.ModelAdmin[ContextLink]):
    list_display = ["context_id", "title", "platform", "school_class"]
    list_filter = ["platform"]


@admin.register(UserLink)
class UserLinkAdmin(admin.ModelAdmin[UserLink]):
    list_display = ["sub", "user", "platform", "last_launch_at"]
    list_filter = ["platform"]
    raw_id_fields = ["user"]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin[ResourceLink]):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["__str__", "platform", "target_kind", "competency", "context"]
    list_filter = ["platform", "target_kind"]
    readonly_fields = ["ags_lineitem", "ags_lineitems", "ags_scope"]


@admin.register(Passback)
class PassbackAdmin(admin.ModelAdmin[Passback]):
    list_display = [
        "created_at",
        "student",
        "resource_link",
        "score_given",
        "status",
        "response_code",
    ]
    list_filter = ["status", "resource_link__platform"]
    readonly_fields = [f.name for f in Passback._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin[ToolKey]):
    list_display = ["kid", "is_active", "created_at"]
    fields = ["kid", "public_jwk", "is_active", "created_at"]
    readonly_fields = ["kid", "public_jwk", "created_at"]
    actions = ["rotate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Rotate: make a new signing key (the previous stays published)")
    def rotate(self, request: HttpRequest, queryset: QuerySet[ToolKey]) -> None:
        key = tool_key_rotate()
        self.message_user(request, f"New signing key {key.kid}.", messages.SUCCESS)
