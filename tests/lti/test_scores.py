"""What grade is sent: mastery of a linked competency, or the share of pathway steps mastered;
and the embedding option (third-party cookies, framing by the registered LMS only)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from tests.factories import master, record_answer
from tests.lti.conftest import CODE, register
from tests.lti.platform import LocalPlatform

from tandem.competencies.models import Competency
from tandem.config import Options
from tandem.lti.constants import ActivityProgress, TargetKind
from tandem.lti.models import ResourceLink
from tandem.lti.services import score_for
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.pathways.selectors import pathway_view
from tandem.pathways.services import pathway_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    platform = LocalPlatform(tool_url="http://testserver")
    yield register(platform)
    platform.close()


def test_competency_score_is_mastery_out_of_100(school, platform):
    competency = Competency.objects.get(human_coding_scheme=CODE)
    link = ResourceLink.objects.create(
        platform=platform,
        resource_link_id="r",
        deployment_id="d",
        target_kind=TargetKind.COMPETENCY,
        competency=competency,
    )
    now = timezone.now()
    assert score_for(link=link, student=school.student_a, now=now).progress == "Initialized"
    record_answer(school.student_a, CODE, True)
    state = LearnerState.objects.get(student=school.student_a, competency=competency)
    score = score_for(link=link, student=school.student_a, now=now)
    assert score.given == round(state.p_mastery * 100, 1)
    assert score.progress == ActivityProgress.IN_PROGRESS
    master(school.student_a, CODE)
    assert LearnerState.objects.get(pk=state.pk).status == Status.MASTERED
    assert score_for(link=link, student=school.student_a, now=now).progress == "Completed"


def test_pathway_score_is_the_share_of_competency_steps_mastered(school, platform):
    link = ResourceLink.objects.create(
        platform=platform, resource_link_id="p", deployment_id="d", target_kind=TargetKind.PATHWAY
    )
    student, now = school.student_a, timezone.now()
    assert score_for(link=link, student=student, now=now).given == 0.0  # no pathway yet
    pathway_build(student=student, now=now)
    view = pathway_view(student=student, now=now)
    assert view is not None
    steps = [s for s in view.steps if not s.is_project]
    first = steps[0].competency
    master(student, first.code)
    view = pathway_view(student=student, now=now)
    done = sum(1 for s in view.steps if not s.is_project and s.is_done)
    assert done >= 1
    score = score_for(link=link, student=student, now=now)
    assert score.given == round(100 * done / len(steps), 1)
    assert score.progress == ActivityProgress.IN_PROGRESS


def test_embedding_is_off_unless_asked(monkeypatch):
    monkeypatch.delenv("TANDEM_LTI_EMBED", raising=False)
    assert Options.from_environment().lti_embed is False
    monkeypatch.setenv("TANDEM_LTI_EMBED", "1")
    assert Options.from_environment().lti_embed is True


def test_embedded_pages_may_be_framed_by_registered_platforms_only(client, platform):
    assert client.get("/lti/jwks")["X-Frame-Options"] == "DENY"
    # Where settings put it under TANDEM_LTI_EMBED: outside the CSP middleware.
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("csp.middleware.CSPMiddleware"), "tandem.lti.middleware.lms_framing"
    )
    with override_settings(MIDDLEWARE=middleware):
        response = Client().get("/lti/jwks")  # a new client loads the middleware anew
    assert "X-Frame-Options" not in response
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert f"frame-ancestors 'self' {platform.issuer}" in policy
    # The site's policy is kept, not replaced.
    assert "script-src 'self'" in policy
