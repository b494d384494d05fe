"""The student's self-check form: two questions and an optional note."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tandem.wellbeing.constants import NOTE_MAX, Feeling, HelpAnswer


class SelfCheckForm(forms.Form):
    feeling = forms.TypedChoiceField(
        label=_("How did school feel this week?"),
        choices=[(f.value, f.label) for f in reversed(Feeling)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how school felt this week.")},
    )
    has_someone = forms.ChoiceField(
        label=_("Is there someone at school you can ask for help?"),
        choices=HelpAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, not sure or no.")},
    )
    note = forms.CharField(
        label=_("Anything else you want to tell us? (You can skip this.)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        error_messages={
            "max_length": format_lazy(_("Keep it to {max} characters, please."), max=NOTE_MAX)
        },
    )
