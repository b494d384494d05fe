"""Models of the interop app: OneRoster import runs, roles, user profiles and restricted
demographics; xAPI clients, statements and documents."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from tandem.interop.xapi.constants import LinkKind, default_scopes
from tandem.mastery.constants import ACTIVE_RUN_STATUSES, RunStatus

# Largest OneRoster zip an administrator may upload; a district of thousands is a few MB.
ONEROSTER_UPLOAD_MAX_BYTES = 50 * 1024 * 1024


class Demographics(models.Model):
    """OneRoster demographics of one user, kept apart from the roster.

    Birth dates and race/ethnicity are sensitive and Tandem does not need them to teach; they
    are stored so a OneRoster round trip loses nothing, and so that leaders can see whether
    groups of students are served equally. Only administrators see them: one student's in
    Django's admin, and sex, race and ethnicity as group figures on the leaders' pages
    (``tandem.leaders``), never for a group under the small-cell threshold. No teacher's,
    student's or family's page, API or export of learning data reads this table.
    """

    sourced_id = models.CharField(max_length=255, unique=True, help_text="The user's sourcedId")
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    # The remaining OneRoster columns (race flags, birthplace ...), as given, by header name.
    fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "demographics record"
        verbose_name_plural = "demographics"
        ordering = ["sourced_id"]

    def __str__(self) -> str:
        return f"Demographics of {self.sourced_id}"


class OneRosterUserProfile(models.Model):
    """A OneRoster 1.2 userProfile: an account the user holds in another system, as described.

    Kept so a OneRoster round trip loses nothing. The profile's password is never stored: the
    importer drops it and says so in its report.
    """

    sourced_id = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oneroster_profiles"
    )
    profile_type = models.CharField(max_length=255)
    vendor_id = models.CharField(max_length=255)
    application_id = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    credential_type = models.CharField(max_length=255, blank=True)
    username = models.CharField(max_length=255)

    class Meta:
        verbose_name = "OneRoster user profile"
        ordering = ["sourced_id"]

    def __str__(self) -> str:
        return f"{self.profile_type} profile of {self.user_id}"


class OneRosterRole(models.Model):
    """A OneRoster 1.2 role of a user at an org, as given; the user's Tandem role and orgs are
    derived from these (the primary role sets the role, every supported role adds its org)."""

    sourced_id = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oneroster_roles"
    )
    org = models.ForeignKey("roster.Org", on_delete=models.PROTECT, related_name="+")
    role_type = models.CharField(max_length=20)  # primary | secondary
    role = models.CharField(max_length=50)  # the OneRoster vocabulary, e.g. siteAdministrator
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    user_profile = models.ForeignKey(
        OneRosterUserProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "OneRoster role"
        ordering = ["sourced_id"]

    def __str__(self) -> str:
        return f"{self.role} ({self.role_type})"


def _oneroster_upload_path(instance: OneRosterImportRun, filename: str) -> str:
    # A random name: the uploaded name is the administrator's, never a path we trust.
    return f"interop/oneroster/{secrets.token_hex(16)}.zip"


class OneRosterImportRun(models.Model):
    """One OneRoster bundle uploaded by an administrator, imported in the background."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="oneroster_import_runs",
    )
    # Removed once the run ends: the bundle holds personal data the roster now holds anyway.
    bundle = models.FileField(upload_to=_oneroster_upload_path, max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0-100")
    message = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    # ImportReport.lines(), one per line: counts per file and every refused row with its reason.
    report = models.TextField(blank=True)
    # {file: {created, updated, removed, unchanged}} from the import report.
    counts = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "OneRoster import"
        verbose_name_plural = "OneRoster imports"
        ordering = ["-created_at", "-pk"]
        permissions = [("import_oneroster", "Can import a OneRoster bundle")]
        constraints = [
            # At most one import queued or running at a time, even under a double submit.
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(status__in=ACTIVE_RUN_STATUSES),
                name="oneroster_import_one_active_run",
            )
        ]

    def __str__(self) -> str:
        return f"OneRoster import #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class LrsClient(models.Model):
    """A piece of learning software allowed to send xAPI statements, with its own credentials.

    The secret is stored hashed, like a password; an administrator sees it once, when issued.
    """

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=255)
    active = models.BooleanField(default=True)
    # xAPI 1.0.3 authorization scopes (section 4.1.9 of the communication part), e.g.
    # ["statements/write", "statements/read/mine"]; see xapi.constants.Scope.
    scopes = models.JSONField(default=default_scopes, blank=True)
    # The xAPI version (1.0.3 or 2.0.0) of the client's last request with a valid version
    # header: a request that lacks the header is answered in that version.
    xapi_version = models.CharField(max_length=8, default="1.0.3")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lrs_clients",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "xAPI client"
        verbose_name_plural = "xAPI clients"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class LrsAttachment(models.Model):
    """The raw content of one xAPI attachment, stored once per SHA-256 and shared by statements."""

    sha2 = models.CharField(max_length=128, unique=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    length = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "xAPI attachment"
        verbose_name_plural = "xAPI attachments"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.sha2


class LrsStatement(models.Model):
    """One xAPI statement as received by Tandem's LRS, with the columns its queries filter on."""

    id = models.UUIDField(primary_key=True)
    # The statement as received, with stored, authority and version added.
    data = models.JSONField()
    voided = models.BooleanField(default=False)
    # "mbox:mailto:..", "mbox_sha1sum:..", "openid:..", or "account:<homePage>|<name>".
    actor_key = models.CharField(max_length=500, db_index=True)
    verb_id = models.CharField(max_length=500, db_index=True)
    activity_id = models.CharField(max_length=2000, blank=True, db_index=True)
    registration = models.UUIDField(null=True, blank=True, db_index=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField(db_index=True)
    client = models.ForeignKey(
        LrsClient, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    evidence = models.ForeignKey(
        "evidence.Statement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lrs_statements",
    )
    # The attachments whose raw content came with the statement (multipart/mixed requests).
    attachments = models.ManyToManyField(LrsAttachment, blank=True, related_name="statements")
    # The statement this one targets with a StatementRef object (a voiding statement's target):
    # query filters match a statement when they match its target (communication 2.1.3).
    ref_target = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "xAPI statement"
        verbose_name_plural = "xAPI statements"
        ordering = ["-stored", "-pk"]

    def __str__(self) -> str:
        return str(self.id)


class LrsStatementLink(models.Model):
    """One agent or activity a statement matches under the xAPI query filters (xapi.links)."""

    statement = models.ForeignKey(LrsStatement, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    # An agent key (validation.agent_key) or an activity IRI.
    value = models.CharField(max_length=2000)

    class Meta:
        verbose_name = "xAPI statement filter link"
        indexes = [models.Index(fields=["kind", "value"], name="xapi_link_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class LrsDocument(models.Model):
    """One document of the xAPI Activity State, Activity Profile or Agent Profile resources.

    Which key columns are used depends on the kind: a state is (activity, agent, registration,
    stateId); an activity profile is (activity, profileId); an agent profile is (agent, profileId).
    Unused columns hold "" (or NULL for the registration), so one unique constraint covers all.
    """

    class Kind(models.TextChoices):
        STATE = "state", "Activity State"
        ACTIVITY_PROFILE = "activity_profile", "Activity Profile"
        AGENT_PROFILE = "agent_profile", "Agent Profile"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.CharField(max_length=2000, blank=True)
    # validation.agent_key() of the agent: "mbox:mailto:..", "account:<homePage>|<name>" ...
    agent_key = models.CharField(max_length=500, blank=True)
    # The registration UUID of a state document, "" when none (never NULL: it is part of the key).
    registration = models.CharField(max_length=36, blank=True)
    document_id = models.CharField(max_length=500)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    # Quoted SHA-1 of the content, as sent in ETag and compared with If-Match / If-None-Match.
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField(db_index=True)
    client = models.ForeignKey(
        LrsClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )

    class Meta:
        verbose_name = "xAPI document"
        verbose_name_plural = "xAPI documents"
        ordering = ["kind", "document_id", "pk"]
        indexes = [models.Index(fields=["kind", "agent_key", "activity_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_key", "registration", "document_id"],
                name="xapi_document_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_id}"
