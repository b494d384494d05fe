"""LTI 1.3, Deep Linking 2.0 and AGS 2.0 vocabularies, and the limits Tandem applies to them."""

from __future__ import annotations

import datetime as dt

from django.db import models

LTI_VERSION = "1.3.0"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
TARGET_LINK_URI = CLAIM + "target_link_uri"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CONTEXT = CLAIM + "context"
LIS = CLAIM + "lis"
CUSTOM = CLAIM + "custom"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MESSAGE = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# The custom parameter a Tandem link carries to say what it opens: "competency:<code>" or
# "pathway"; set by deep linking, or typed by an LMS admin into a manually created link.
TARGET_PARAM = "tandem_target"
SCORE_MAXIMUM = 100

# How long an OIDC login may take between initiation and launch.
LOGIN_STATE_TTL = dt.timedelta(minutes=10)
# Clock skew tolerated on a platform's exp/iat.
LEEWAY_SECONDS = 60
# A deep-link picker must be answered within this time (the platform's data may expire).
DEEP_LINK_TTL = dt.timedelta(hours=1)
# Lifetime of the JWTs the tool signs (deep-link responses, client assertions).
TOOL_JWT_TTL = dt.timedelta(minutes=5)
# Outbound HTTP to a platform gives up after this many seconds.
HTTP_TIMEOUT = 10
STATE_COOKIE = "lti_state"

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER_ROLES = frozenset({_MEMBERSHIP + "Learner", "Learner"})
STAFF_ROLES = frozenset(
    {
        _MEMBERSHIP + "Instructor",
        _MEMBERSHIP + "Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        "Instructor",
        "Administrator",
    }
)


class LtiRole(models.TextChoices):
    LEARNER = "learner", "Learner"
    STAFF = "staff", "Instructor, teaching assistant or administrator"


class TargetKind(models.TextChoices):
    NONE = "", "Nothing chosen (the student's home page)"
    COMPETENCY = "competency", "Practice on one competency"
    PATHWAY = "pathway", "The student's pathway"


class PassbackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ActivityProgress(models.TextChoices):
    INITIALIZED = "Initialized"
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
