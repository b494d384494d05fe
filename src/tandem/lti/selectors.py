"""Reads of the LTI tool: its public keys, a pending deep-link request, what a deep link may
offer, and what was sent to the gradebooks of a class."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_codes
from tandem.lti.constants import DEEP_LINK_TTL
from tandem.lti.models import DeepLinkRequest, Passback, Platform, ResourceLink, ToolKey
from tandem.roster.models import SchoolClass, User


def tool_jwks() -> dict[str, Any]:
    """The tool's public keys, newest first (a JWK Set)."""
    return {"keys": [key.public_jwk for key in ToolKey.objects.filter(is_active=True)]}


def access_deep_link_request(*, user: User, token: str, now: dt.datetime) -> DeepLinkRequest:
    """The pending deep-link request ``token`` if ``user`` launched it and it is fresh, else 404."""
    try:
        return DeepLinkRequest.objects.select_related("platform", "school_class").get(
            token=token, user=user, created_at__gte=now - DEEP_LINK_TTL
        )
    except (DeepLinkRequest.DoesNotExist, ValueError):
        raise Http404("No such deep-link request.") from None


def deep_link_competencies() -> list[Competency]:
    """The practice sets a link may open: every practisable competency, in school order."""
    return list(
        Competency.objects.filter(human_coding_scheme__in=practisable_codes()).order_by(
            "grade_rank", "list_order"
        )
    )


@dataclass(frozen=True)
class LinkGrades:
    link: ResourceLink
    learners: int
    recent: list[Passback]


def class_link_grades(*, school_class: SchoolClass, recent: int = 20) -> list[LinkGrades]:
    """Each LMS link into the class, how many students launched it and its latest passbacks."""
    links = list(
        ResourceLink.objects.filter(context__school_class=school_class)
        .select_related("competency", "platform")
        .order_by("title", "pk")
    )
    rows = []
    for link in links:  # a class has a handful of links; each is a bounded query
        passbacks = list(link.passbacks.select_related("student")[:recent])
        rows.append(LinkGrades(link, link.learners.count(), passbacks))
    return rows


def platform_origins() -> list[str]:
    """Scheme and host of every active platform's issuer and login URL (who may frame Tandem)."""
    origins = set()
    for urls in Platform.objects.filter(is_active=True).values_list("issuer", "auth_login_url"):
        for url in urls:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
