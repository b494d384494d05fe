"""Credit rules are set in the admin; credits are read-only here (they are awarded and revoked
on the teachers' pages, where the evidence and the reason are recorded)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.credit.models import Credit, CreditEvidence, CreditRevocation, CreditRule


@admin.register(CreditRule)
class CreditRuleAdmin(admin.ModelAdmin[CreditRule]):
    list_display = ("course", "share_required", "requires_sign_off", "updated_at")
    list_filter = ("requires_sign_off",)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(_ReadOnly, admin.TabularInline[CreditEvidence, Credit]):
    model = CreditEvidence
    extra = 0
    fields = ("competency", "status", "p_mastery", "last_evidence_at")


class RevocationInline(_ReadOnly, admin.StackedInline[CreditRevocation, Credit]):
    model = CreditRevocation
    extra = 0
    fields = ("revoked_by", "revoked_at", "reason")


@admin.register(Credit)
class CreditAdmin(_ReadOnly, admin.ModelAdmin[Credit]):
    list_display = ("student", "course", "awarded_at", "signed_off_by", "revoked_at")
    list_filter = ("course", "requires_sign_off")
    search_fields = ("student__username", "student__last_name", "course__title")
    inlines = [EvidenceInline, RevocationInline]
