"""Competency-based credit: a course's rule for earning it, and the credits students earned,
each with the mastery evidence it was awarded on and, if revoked, why (kept, never erased)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.competencies.models import Competency
from tandem.roster.models import Course, SchoolClass


class CreditRule(models.Model):
    """How a course's credit is earned: a share of its grade-level standards mastered (1.0 means
    all of them), optionally confirmed by a teacher's sign-off."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="credit_rule")
    share_required = models.FloatField(
        default=1.0, help_text="Share of the course's grade-level standards mastered, 0.5–1.0"
    )
    requires_sign_off = models.BooleanField(
        default=False, help_text="A teacher of the student confirms the credit before it counts"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_required__gte=0.5) & models.Q(share_required__lte=1.0),
                name="credit_rule_share_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.share_required:.0%}"


class Credit(models.Model):
    """A course credit awarded to a student. Rows are never edited except to mark a revocation
    (whose reason lives in :class:`CreditRevocation`); at most one credit per student and course
    is in force."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credits"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="credits")
    # The class the student earned it in (the teacher who signed off teaches it).
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField()
    # The teacher who signed off, or None when the rule awarded it without a sign-off.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits_signed_off",
    )
    # The rule as it stood when the credit was awarded.
    share_required = models.FloatField()
    requires_sign_off = models.BooleanField()
    standards_total = models.PositiveIntegerField()
    standards_mastered = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=models.Q(revoked_at__isnull=True),
                name="credit_once_per_student_and_course",
            )
        ]
        indexes = [models.Index(fields=["course", "awarded_at"])]

    def __str__(self) -> str:
        state = " (revoked)" if self.revoked_at else ""
        return f"{self.student_id}: {self.course_id}{state}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class CreditEvidence(models.Model):
    """One of the course's standards as the mastery selector gave it when the credit was
    awarded."""

    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="evidence")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20)
    p_mastery = models.FloatField(null=True, blank=True)
    last_evidence_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit", "competency"], name="credit_evidence_once_per_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.credit_id}: {self.competency_id} {self.status}"


class CreditRevocation(models.Model):
    """Why and by whom a credit was revoked; kept when the credit is."""

    credit = models.OneToOneField(Credit, on_delete=models.CASCADE, related_name="revocation")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credits_revoked"
    )
    revoked_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-revoked_at"]

    def __str__(self) -> str:
        return f"{self.credit_id} revoked {self.revoked_at}"


class CreditRuleChange(models.Model):
    """Who changed a course's credit rule, when, and from what to what (append-only: the
    rule's history as the leaders' rule page shows it)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="credit_rule_changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    # None before the course had a rule.
    share_before = models.FloatField(null=True, blank=True)
    sign_off_before = models.BooleanField(null=True, blank=True)
    share_after = models.FloatField()
    sign_off_after = models.BooleanField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.course}: rule changed {self.changed_at:%Y-%m-%d}"
