"""Registered LMS platforms, the tool's signing keys, and what launches left behind: logins in
progress, links to people, classes and resource links, deep-link requests and grade passbacks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.lti.constants import AGS_SCORE_SCOPE, PassbackStatus, TargetKind
from tandem.roster.models import SchoolClass


class ToolKey(models.Model):
    """One RSA key pair of the tool. The newest active key signs; all active keys are published
    so that platforms can still check what an older key signed just before a rotation."""

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class Platform(models.Model):
    """An LMS registered by an administrator: where to send logins and whose keys to trust."""

    name = models.CharField(max_length=255)
    issuer = models.CharField(
        max_length=500, help_text="The platform's iss, e.g. https://lms.example.org"
    )
    client_id = models.CharField(max_length=255, help_text="The client_id the platform gave Tandem")
    auth_login_url = models.URLField(max_length=500, verbose_name="OIDC auth URL")
    auth_token_url = models.URLField(max_length=500, verbose_name="access-token URL")
    jwks_url = models.URLField(max_length=500, verbose_name="JWKS URL")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    """A deployment_id the platform may launch with; launches naming another are refused."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_unique"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class LoginState(models.Model):
    """An OIDC login in progress: its state and nonce, usable once, until ``expires_at``."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)


class UserLink(models.Model):
    """The Tandem user behind a platform's ``sub``."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="user_links")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_links"
    )
    last_launch_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lti_user_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sub} → {self.user}"


class ContextLink(models.Model):
    """The Tandem class behind a platform's course context."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="context_links")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="lti_contexts"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"], name="lti_context_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title or self.context_id} → {self.school_class}"


class ResourceLink(models.Model):
    """A Tandem link placed in an LMS course: what it opens and where its grades go (AGS)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    deployment_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    context = models.ForeignKey(
        ContextLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource_links"
    )
    target_kind = models.CharField(
        max_length=20, choices=TargetKind.choices, blank=True, default=TargetKind.NONE
    )
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ags_lineitem = models.URLField(max_length=500, blank=True)
    ags_lineitems = models.URLField(max_length=500, blank=True)
    ags_scope = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"], name="lti_resource_link_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id

    @property
    def gradable(self) -> bool:
        has_scope = AGS_SCORE_SCOPE in self.ags_scope
        return bool(self.ags_lineitem) and has_scope and bool(self.target_kind)


class ResourceLinkLearner(models.Model):
    """A student who launched a resource link, under the ``sub`` their grades are sent for."""

    resource_link = models.ForeignKey(
        ResourceLink, on_delete=models.CASCADE, related_name="learners"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_resource_links"
    )
    sub = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_link", "student"], name="lti_resource_link_learner_unique"
            )
        ]


class DeepLinkRequest(models.Model):
    """An instructor's deep-linking launch waiting for them to pick what to place in the course.

    Its response is kept once made, so a repeated choice sends the same signed answer again.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    deployment_id = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    return_url = models.URLField(max_length=1000)
    data = models.TextField(blank=True)
    accept_types = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    response_jwt = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)


class AccessToken(models.Model):
    """A platform's OAuth2 access token for some scopes, reused until shortly before it expires."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=500)
    token = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "scope"], name="lti_access_token_unique")
        ]


class Passback(models.Model):
    """One score sent (or tried) to a platform's gradebook: what, when, and how it answered."""

    resource_link = models.ForeignKey(
        ResourceLink, on_delete=models.CASCADE, related_name="passbacks"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_passbacks"
    )
    sub = models.CharField(max_length=255)
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    activity_progress = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=PassbackStatus.choices, default=PassbackStatus.QUEUED
    )
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resource_link", "student", "-created_at"])]
