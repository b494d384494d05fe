"""Writes of credit: award a credit (on a teacher's sign-off where the rule asks for one),
award every eligible student of a course whose rule needs none, revoke a credit with a
reason, and set a course's rule (its changes recorded).

Each is one transaction. A credit is awarded once: a second award (a double-submitted form, two
teachers at once) returns the credit already in force, which the database's constraint
guarantees. Revoking keeps the credit and records who revoked it and why.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from tandem.credit.constants import MIN_SHARE, REASON_MAX
from tandem.credit.models import (
    Credit,
    CreditEvidence,
    CreditRevocation,
    CreditRule,
    CreditRuleChange,
)
from tandem.credit.selectors import course_standards, credit_evaluate, standing_of
from tandem.mastery.selectors import mastery_grid
from tandem.roster.models import Course, SchoolClass, User


class CreditError(ValueError):
    """A credit rule was not met or an input was refused; the message says why, in plain words."""


def _check_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("Times must be timezone-aware.")


def credit_award(
    *,
    student: User,
    course: Course,
    now: dt.datetime,
    signed_off_by: User | None = None,
    school_class: SchoolClass | None = None,
) -> tuple[Credit, bool]:
    """Award ``course``'s credit to ``student`` if they meet its rule now; returns the credit and
    whether it is new (False: one was already in force, nothing written).

    ``signed_off_by`` is the teacher confirming it; a rule that requires sign-off refuses an
    award without one. The evidence kept with the credit is each of the course's standards as
    the mastery selector gives it at ``now``.
    """
    _check_aware(now)
    existing = Credit.objects.filter(student=student, course=course, revoked_at__isnull=True)
    if (credit := existing.first()) is not None:
        return credit, False
    standing = standing_of(student=student, course=course, now=now)
    if standing is None:
        raise CreditError(f"{course.title} has no credit rule, so no credit can be awarded.")
    if standing.requires_sign_off and signed_off_by is None:
        raise CreditError(f"{course.title}'s credit needs a teacher's sign-off.")
    if not standing.meets_rule:
        raise CreditError(
            f"{student.display_name} has mastered {standing.mastered} of {standing.total} "
            f"standards; {course.title} asks for {standing.needed}."
        )
    standards = course_standards(course)
    grid = mastery_grid(student_ids=[student.pk], competency_ids=[c.pk for c in standards], now=now)
    try:
        with transaction.atomic():
            credit = Credit.objects.create(
                student=student,
                course=course,
                school_class=school_class,
                awarded_at=now,
                signed_off_by=signed_off_by,
                share_required=standing.share_required,
                requires_sign_off=standing.requires_sign_off,
                standards_total=standing.total,
                standards_mastered=standing.mastered,
            )
            CreditEvidence.objects.bulk_create(
                CreditEvidence(
                    credit=credit,
                    competency=competency,
                    status=view.status if view else "not_started",
                    p_mastery=view.p_mastery if view else None,
                    last_evidence_at=view.last_evidence_at if view else None,
                )
                for competency in standards
                for view in [grid.get((student.pk, competency.pk))]
            )
    except IntegrityError:
        # Someone awarded it between our check and our write: theirs stands.
        return existing.get(), False
    return credit, True


def credit_award_eligible(*, course: Course, now: dt.datetime) -> list[Credit]:
    """Award the credit to every student of ``course`` who meets its rule and holds none yet,
    when the rule needs no sign-off (those wait for their teacher). Returns the new credits."""
    awarded = []
    for standing in credit_evaluate(course=course, now=now):
        if standing.eligible and not standing.requires_sign_off:
            credit, created = credit_award(
                student=standing.student,
                course=course,
                now=now,
                school_class=standing.school_class,
            )
            if created:
                awarded.append(credit)
    return awarded


@transaction.atomic
def credit_revoke(
    *, credit: Credit, revoked_by: User, reason: str, now: dt.datetime
) -> tuple[CreditRevocation, bool]:
    """Revoke a credit, keeping it and the reason; returns the revocation and whether it is new
    (revoking a revoked credit again changes nothing)."""
    _check_aware(now)
    reason = reason.strip()
    if not reason:
        raise CreditError("Say why the credit is revoked; the reason is kept with it.")
    if len(reason) > REASON_MAX:
        raise CreditError(f"Keep the reason under {REASON_MAX} characters.")
    updated = Credit.objects.filter(pk=credit.pk, revoked_at__isnull=True).update(revoked_at=now)
    if not updated:
        return CreditRevocation.objects.get(credit_id=credit.pk), False
    credit.revoked_at = now
    revocation = CreditRevocation.objects.create(
        credit=credit, revoked_by=revoked_by, revoked_at=now, reason=reason
    )
    return revocation, True


__all__ = [
    "CreditError",
    "credit_award",
    "credit_award_eligible",
    "credit_revoke",
]


def credit_rule_set(
    *, course: Course, share_required: float, requires_sign_off: bool, by: User, now: dt.datetime
) -> tuple[CreditRule, bool]:
    """Set a course's credit rule, recording who changed it from what (returns the rule and
    whether anything changed). Credits already awarded keep the rule they were awarded under.

    Refused with :class:`CreditError`, in words, for a share outside 50-100% or a course with
    no grade-level standards to count."""
    _check_aware(now)
    if not MIN_SHARE <= share_required <= 1.0:
        raise CreditError(
            f"The share of standards must be between {MIN_SHARE:.0%} and 100%: credit for less "
            "than half of a course's standards would not say what the student can do."
        )
    if not course_standards(course):
        raise CreditError(
            f"{course.title} has no grade-level standards to count (its grades are not set on "
            "the roster), so no credit rule can be met. Set the course's grades first."
        )
    with transaction.atomic():
        rule = CreditRule.objects.select_for_update().filter(course=course).first()
        before = (rule.share_required, rule.requires_sign_off) if rule else (None, None)
        if rule is not None and before == (share_required, requires_sign_off):
            return rule, False
        rule, _ = CreditRule.objects.update_or_create(
            course=course,
            defaults={"share_required": share_required, "requires_sign_off": requires_sign_off},
        )
        CreditRuleChange.objects.create(
            course=course,
            changed_by=by,
            changed_at=now,
            share_before=before[0],
            sign_off_before=before[1],
            share_after=share_required,
            sign_off_after=requires_sign_off,
        )
    return rule, True
