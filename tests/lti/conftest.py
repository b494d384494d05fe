"""Fixtures for the LTI tests: a school, a local LTI platform, and its registration."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings
from tests.factories import School, make_school
from tests.lti.platform import LocalPlatform

from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_codes
from tandem.lti.models import Deployment, Platform

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CODE = "6.EE.A.3"


def register(platform: LocalPlatform) -> Platform:
    """What an administrator types into the admin for this platform."""
    registered = Platform.objects.create(
        name="Local LMS",
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.url + "/auth",
        auth_token_url=platform.url + "/token",
        jwks_url=platform.url + "/jwks",
    )
    Deployment.objects.create(platform=registered, deployment_id=platform.deployment_id)
    return registered


@pytest.fixture
def school() -> School:
    school = make_school()
    assert CODE in practisable_codes()
    assert Competency.objects.filter(human_coding_scheme=CODE).exists()
    return school


@pytest.fixture
def make_platform() -> Iterator[Callable[[str], LocalPlatform]]:
    started: list[LocalPlatform] = []

    def make(tool_url: str) -> LocalPlatform:
        platform = LocalPlatform(tool_url=tool_url)
        register(platform)
        started.append(platform)
        return platform

    yield make
    for platform in started:
        platform.close()


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield
