"""Forms of the leaders' pages: a change to judge, a weekly screen-time limit."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.forms import IdempotentForm
from tandem.leaders.constants import CHANGE_MAX_WEEKS
from tandem.roster.models import SchoolClass


class ChangeForm(IdempotentForm):
    title = forms.CharField(
        label="What changed",
        max_length=200,
        help_text="For example: “New block schedule” or “Math 6 A tries daily warm-ups”.",
    )
    start_date = forms.DateField(
        label="Start date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    classes = forms.ModelMultipleChoiceField(
        label="Classes it touched",
        queryset=SchoolClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every other student who practiced is compared with these classes' students.",
    )
    weeks = forms.IntegerField(
        label="Weeks to compare on each side",
        min_value=1,
        max_value=CHANGE_MAX_WEEKS,
        initial=3,
    )
    description = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["classes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = SchoolClass.objects.order_by("title")


class TimeLimitForm(forms.Form):
    weekly_minutes = forms.IntegerField(
        label="Limit in minutes of practice per student per week",
        min_value=10,
        max_value=3000,
    )
