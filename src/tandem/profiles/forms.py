"""Forms of the profile pages: the student's own parts, and an accommodation (add, edit, end)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.forms import IdempotentForm
from tandem.profiles.constants import (
    ABOUT_ME_MAX,
    DETAILS_MAX,
    LANGUAGE_NAME_MAX,
    LANGUAGES_LIMIT,
    OWN_INTEREST_MAX,
    OWN_INTERESTS_LIMIT,
    SUMMARY_MAX,
    AccommodationKind,
    Interest,
)
from tandem.profiles.selectors import ProfileView
from tandem.profiles.services import Language, ProfileError, normalise_interests

# Blank language rows offered below the ones already filled in.
SPARE_LANGUAGE_ROWS = 2
MIN_LANGUAGE_ROWS = 3
KIND_MESSAGE = "Choose what kind of accommodation this is."
SUMMARY_MESSAGE = "Write a short summary of the accommodation."


class ProfileForm(forms.Form):
    """Interests (the shared list and the student's own tags), about me, and language rows.

    The language rows are fields ``language_<i>`` and ``language_<i>_home``; there are as many as
    the profile has languages plus spares (and, when posted, as many as were posted).
    """

    interests = forms.MultipleChoiceField(
        label=_("Things I like"),
        choices=Interest.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    own_interests = forms.CharField(
        label=_("Other things I like"),
        required=False,
        max_length=OWN_INTERESTS_LIMIT * (OWN_INTEREST_MAX + 2),
        help_text=format_lazy(
            _("In your own words, separated by commas, e.g. skateboarding, origami. Up to {n}."),
            n=OWN_INTERESTS_LIMIT,
        ),
    )
    about_me = forms.CharField(
        label=_("About me"),
        required=False,
        max_length=ABOUT_ME_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(
            _(
                "Anything you would like your teachers to know: how you like to learn, what you "
                "are proud of, what is hard for you. Up to {n} characters."
            ),
            n=f"{ABOUT_ME_MAX:,}",
        ),
    )

    def __init__(self, *args: Any, profile: ProfileView | None = None, **kwargs: Any) -> None:
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "interests": profile.interest_values,
                "own_interests": ", ".join(profile.own_interests),
                "about_me": profile.about_me,
            } | {
                key: value
                for i, lang in enumerate(profile.languages)
                for key, value in ((f"language_{i}", lang.name), (f"language_{i}_home", lang.home))
            }
        super().__init__(*args, **kwargs)
        filled = len(profile.languages) if profile is not None else 0
        rows = max(MIN_LANGUAGE_ROWS, filled + SPARE_LANGUAGE_ROWS)
        if self.is_bound:
            posted = sum(
                1 for key in self.data if key.startswith("language_") and "_home" not in key
            )
            rows = max(rows, posted)
        self.language_rows = min(rows, LANGUAGES_LIMIT)
        for i in range(self.language_rows):
            self.fields[f"language_{i}"] = forms.CharField(
                label=gettext("Language %(n)s") % {"n": i + 1},
                required=False,
                max_length=LANGUAGE_NAME_MAX,
            )
            self.fields[f"language_{i}_home"] = forms.BooleanField(
                label=gettext("We speak it at home"), required=False
            )

    @property
    def language_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"language_{i}"], self[f"language_{i}_home"]) for i in range(self.language_rows)
        ]

    def clean_own_interests(self) -> list[str]:
        raw = self.cleaned_data.get("own_interests") or ""
        tags = [tag for tag in raw.split(",") if tag.strip()]
        try:
            normalise_interests([], tags)
        except ProfileError as error:
            raise forms.ValidationError(str(error)) from None
        return tags

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        languages = []
        for i in range(self.language_rows):
            name = (cleaned.get(f"language_{i}") or "").strip()
            home = bool(cleaned.get(f"language_{i}_home"))
            if home and not name:
                self.add_error(f"language_{i}", gettext("Write the language you speak at home."))
            elif name:
                languages.append(Language(name, home))
        cleaned["languages"] = languages
        return cleaned


class AccommodationForm(IdempotentForm):
    """Add or edit an accommodation. The hidden key makes a double submission record one."""

    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose…"), *AccommodationKind.choices])
    summary = forms.CharField(
        label="Summary",
        max_length=SUMMARY_MAX,
        help_text="One line that teachers read first, e.g. “Extended time (1.5×) on tests”.",
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What to do in class, and who to ask.",
    )
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When it began, if known.",
    )
    end_date = forms.DateField(
        label="Review or end date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When it is next reviewed or stops applying, if known.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = KIND_MESSAGE
        self.fields["kind"].error_messages["invalid_choice"] = KIND_MESSAGE
        self.fields["summary"].error_messages["required"] = SUMMARY_MESSAGE
        for name in ("start_date", "end_date"):
            self.fields[name].error_messages["invalid"] = "Enter a date like 2025-09-01."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


class AccommodationEndForm(forms.Form):
    end_date = forms.DateField(
        label="Last day it applies",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the last day it applies.",
            "invalid": "Enter a date like 2025-09-01.",
        },
    )
