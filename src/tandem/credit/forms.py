"""Forms of the credit pages: the reason a credit is revoked, and the term a report card
covers."""

from __future__ import annotations

from django import forms

from tandem.credit.constants import REASON_MAX


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this credit revoked?",
        max_length=REASON_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the credit; the student's family can ask to see it.",
        error_messages={
            "required": "Say why the credit is revoked; the reason is kept with it.",
        },
    )
