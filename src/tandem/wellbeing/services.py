"""Writes of self-checks: the student's weekly answer, and a follow-up that ends a raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tandem.roster.models import User
from tandem.wellbeing.constants import NOTE_MAX, Feeling, HelpAnswer
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.rules import week_of


class SelfCheckError(ValueError):
    """An answer that cannot be stored, with the reason in words."""


def selfcheck_submit(
    *, student: User, feeling: int, has_someone: str, note: str, now: dt.datetime
) -> tuple[SelfCheck, bool]:
    """Store the student's answer for the week of ``now``; returns (self-check, created).

    A second answer in the same week replaces the first (so a double submission is harmless);
    a changed answer is a new one, so an earlier follow-up no longer covers it.
    """
    if feeling not in Feeling.values:
        raise SelfCheckError(gettext("Choose how school felt this week."))
    if has_someone not in HelpAnswer.values:
        raise SelfCheckError(gettext("Choose whether you have someone to ask for help."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise SelfCheckError(gettext("Keep the note to %(max)s characters.") % {"max": NOTE_MAX})
    week = week_of(timezone.localdate(now))
    values = {"feeling": feeling, "has_someone": has_someone, "note": note}
    for _ in range(2):  # a concurrent first answer wins the insert; then this one updates it
        try:
            with transaction.atomic():
                check = (
                    SelfCheck.objects.select_for_update().filter(student=student, week=week).first()
                )
                if check is None:
                    return (
                        SelfCheck.objects.create(
                            student=student, week=week, created_at=now, updated_at=now, **values
                        ),
                        True,
                    )
                if all(getattr(check, field) == value for field, value in values.items()):
                    return check, False  # the same answer again: nothing changes
                for field, value in values.items():
                    setattr(check, field, value)
                check.updated_at = now
                check.followed_up_at, check.followed_up_by = None, None
                check.save()
                return check, False
        except IntegrityError:
            continue
    raise SelfCheckError(gettext("Your answer could not be saved; please try again."))


def selfcheck_follow_up(*, self_check: SelfCheck, actor: Any, now: dt.datetime) -> SelfCheck:
    """Record that ``actor`` talked with the student about this answer (ends its raise).

    The caller has checked ``actor``'s access to the student; doing it twice changes nothing.
    """
    with transaction.atomic():
        check = SelfCheck.objects.select_for_update().get(pk=self_check.pk)
        if check.followed_up_at is None:
            check.followed_up_at, check.followed_up_by = now, actor
            check.save(update_fields=["followed_up_at", "followed_up_by"])
        return check
