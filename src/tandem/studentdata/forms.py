"""Forms of the data-request pages: recording a request, confirming an erasure."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.studentdata.constants import RequestKind


class DataRequestForm(forms.Form):
    student = forms.CharField(
        label="Student (username or school id)",
        max_length=255,
        help_text="The student's username in Tandem or their sourcedId from the roster.",
    )
    kind = forms.ChoiceField(label="What was asked for", choices=RequestKind.choices)
    guardian = forms.CharField(
        label="Guardian's username (if they have an account)", max_length=150, required=False
    )
    requester_name = forms.CharField(
        label="Who asked, if not a guardian with an account", max_length=200, required=False
    )
    note = forms.CharField(
        label="Note (how and when it was asked)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("guardian") and not data.get("requester_name"):
            raise forms.ValidationError("Say who asked: a guardian's username or a name.")
        return data


class GuardianRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="What would you like the school to do?",
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything the school should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ErasureConfirmForm(forms.Form):
    reason = forms.CharField(
        label="Why the record is erased",
        max_length=500,
        help_text="Kept in the erasure record. Do not write the student's name.",
    )
    confirm = forms.CharField(label="Type the student's username to confirm", max_length=150)

    def __init__(self, *args: Any, username: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_confirm(self) -> str:
        value = str(self.cleaned_data["confirm"]).strip()
        if value != self.username:
            raise forms.ValidationError("That is not the student's username.")
        return value
