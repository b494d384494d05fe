"""Leaders set a course's credit rule on a page: all or a share of its standards, with or
without a teacher's sign-off; refusals in words; every change kept with who made it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.credit.models import CreditRule, CreditRuleChange
from tandem.credit.services import CreditError, credit_rule_set
from tandem.roster.models import Course

pytestmark = pytest.mark.django_db


def test_a_leader_sets_a_share_with_sign_off_and_the_change_is_kept(client, school, course):
    client.force_login(school.admin)
    listing = client.get(reverse("credit:rules")).content.decode()
    assert course.title in listing and "No rule yet: no credit is awarded" in listing
    url = reverse("credit:rule_edit", args=[course.pk])
    response = client.post(url, {"how_many": "share", "percent": "80", "requires_sign_off": "on"})
    assert response.status_code == 302
    rule = CreditRule.objects.get(course=course)
    assert (rule.share_required, rule.requires_sign_off) == (0.8, True)
    listing = client.get(reverse("credit:rules")).content.decode()
    assert "80% of" in listing and "Required" in listing
    # Back to all of them, without a sign-off: both changes listed, newest first, with who.
    client.post(url, {"how_many": "all", "percent": ""})
    rule.refresh_from_db()
    assert (rule.share_required, rule.requires_sign_off) == (1.0, False)
    changes = list(CreditRuleChange.objects.filter(course=course))
    assert [(c.share_before, c.share_after) for c in changes] == [(0.8, 1.0), (None, 0.8)]
    assert all(c.changed_by == school.admin for c in changes)
    page = client.get(url).content.decode()
    history = page.split('id="history-heading"')[1]
    assert "changed it from 80% of the standards with a teacher's sign-off to all" in history
    assert "changed it from no rule to 80%" in history


def test_saving_the_same_rule_records_no_change(client, school, course, rule):
    client.force_login(school.admin)
    url = reverse("credit:rule_edit", args=[course.pk])
    client.post(url, {"how_many": "share", "percent": "50", "requires_sign_off": "on"})
    assert not CreditRuleChange.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"how_many": "share", "percent": "30"}, "Choose a share between 50% and 100%"),
        ({"how_many": "share", "percent": ""}, "Write the share of the standards, in percent."),
        ({"how_many": "share", "percent": "most"}, "Write the share as a whole number"),
        ({"percent": "80"}, "Choose all of the standards, or a share of them."),
    ],
)
def test_refusals_are_in_words_and_change_nothing(client, school, course, data, words):
    client.force_login(school.admin)
    response = client.post(reverse("credit:rule_edit", args=[course.pk]), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not CreditRule.objects.exists() and not CreditRuleChange.objects.exists()


def test_a_course_without_standards_cannot_have_a_rule(client, school):
    course = Course.objects.create(sourced_id="no-grades", title="Study hall", org=school.org)
    client.force_login(school.admin)
    response = client.post(reverse("credit:rule_edit", args=[course.pk]), {"how_many": "all"})
    assert response.status_code == 400
    assert "Study hall has no grade-level standards to count" in response.content.decode()
    with pytest.raises(CreditError):
        credit_rule_set(
            course=course, share_required=1.0, requires_sign_off=False, by=school.admin,
            now=timezone.now(),
        )  # fmt: skip


def test_only_leaders_may_open_the_rules(client, school, course):
    for user in (school.teacher_a, school.student_a, school.guardian_a):
        client.force_login(user)
        for url in (reverse("credit:rules"), reverse("credit:rule_edit", args=[course.pk])):
            assert client.get(url).status_code in (302, 403, 404), (user, url)
        client.post(reverse("credit:rule_edit", args=[course.pk]), {"how_many": "all"})
    assert not CreditRule.objects.exists()


def test_the_rules_page_runs_a_fixed_number_of_queries(
    client, school, course, django_assert_num_queries
):
    client.force_login(school.admin)
    client.get(reverse("credit:rules"))
    # Session and user, the courses, their rules.
    with django_assert_num_queries(4):
        client.get(reverse("credit:rules"))
    for k in range(5):
        Course.objects.create(sourced_id=f"extra-{k}", title=f"Extra {k}", org=school.org)
    with django_assert_num_queries(4):
        client.get(reverse("credit:rules"))
