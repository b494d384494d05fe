"""Forms of the credit pages: the reason a credit is revoked, and a course's credit rule."""

from __future__ import annotations

from django import forms

from tandem.credit.constants import MIN_SHARE, REASON_MAX


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


class CreditRuleForm(forms.Form):
    """A course's rule as a leader sets it: all of its standards, or a share of them (in
    percent), and whether a teacher signs off."""

    how_many = forms.ChoiceField(
        label="Standards the student must master",
        choices=[
            ("all", "All of the course's grade-level standards"),
            ("share", "A share of them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose all of the standards, or a share of them."},
    )
    percent = forms.IntegerField(
        label="Share of the standards, in percent",
        required=False,
        help_text=f"Between {MIN_SHARE:.0%} and 100%; only used for “a share of them”.",
        error_messages={"invalid": "Write the share as a whole number, such as 80."},
    )
    requires_sign_off = forms.BooleanField(
        label="A teacher of the student confirms the credit before it counts",
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("how_many") == "all":
            data["share_required"] = 1.0
        elif data.get("how_many") == "share":
            percent = data.get("percent")
            low = round(MIN_SHARE * 100)
            if percent is None:
                self.add_error("percent", "Write the share of the standards, in percent.")
            elif not low <= int(percent) <= 100:
                self.add_error(
                    "percent",
                    f"Choose a share between {low}% and 100%: credit for less than half of a "
                    "course's standards would not say what the student can do.",
                )
            else:
                data["share_required"] = int(percent) / 100
        return data
