"""``tandem manage credit_evaluate``: award the credit of every course whose rule needs no
teacher sign-off to each student who meets it now; report who waits for a sign-off."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tandem.credit.models import CreditRule
from tandem.credit.selectors import credit_evaluate
from tandem.credit.services import credit_award_eligible


class Command(BaseCommand):
    help = (
        "Award course credit to every student who meets a rule that needs no sign-off, and "
        "count the students waiting for a teacher's sign-off. Safe to run again: a credit is "
        "never awarded twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for rule in CreditRule.objects.select_related("course").order_by("course__title"):
            awarded = credit_award_eligible(course=rule.course, now=now)
            waiting = sum(s.awaiting_sign_off for s in credit_evaluate(course=rule.course, now=now))
            self.stdout.write(
                f"{rule.course.title}: {len(awarded)} awarded, {waiting} waiting for sign-off"
            )
