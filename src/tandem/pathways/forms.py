"""The pathway forms: add a target at any grade, add a project, move a step."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.competencies.models import Competency
from tandem.forms import IdempotentForm, short_text
from tandem.pathways.constants import DESCRIPTION_MAX, TITLE_MAX


def _label(competency: Competency) -> str:
    return f"{competency.code} — {short_text(competency.name)}"


def _grade_group(grade_label: str, rank: int, own_rank: int | None, possessive: str) -> str:
    name = gettext("Grade %(grade)s") % {"grade": grade_label} if grade_label else gettext("Other")
    if own_rank is None:
        return name
    yours = possessive == "your"
    if rank == own_rank:
        where = gettext("your grade") if yours else gettext("their grade")
    elif rank > own_rank:
        where = gettext("above your grade") if yours else gettext("above their grade")
    else:
        where = gettext("below your grade") if yours else gettext("below their grade")
    return f"{name} ({where})"


class TargetForm(forms.Form):
    """Choose one more competency to aim for. Every grade is offered: nobody is capped."""

    competency = forms.ChoiceField(
        label=_("Competency to aim for"),
        help_text=_("Any grade, above or below. What it builds on is added to the plan too."),
    )

    def __init__(
        self,
        *args: Any,
        offered: Iterable[Competency],
        own_grade_rank: int | None = None,
        possessive: str = "your",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ordered = sorted(offered, key=lambda c: (c.grade_rank, c.list_order))
        self.offered = {str(c.pk): c for c in ordered}
        choices: list[tuple[str, Any]] = [("", gettext("Choose a competency…"))]
        for (rank, grade), group in groupby(ordered, key=lambda c: (c.grade_rank, c.grade_label)):
            options = [(str(c.pk), _label(c)) for c in group]
            choices.append((_grade_group(grade, rank, own_grade_rank, possessive), options))
        self.fields["competency"].choices = choices  # type: ignore[attr-defined]
        self.fields["competency"].error_messages["required"] = gettext(
            "Choose a competency to aim for."
        )
        self.fields["competency"].error_messages["invalid_choice"] = gettext(
            "That competency is already a target, or cannot be one. Choose another."
        )

    def clean_competency(self) -> Competency:
        return self.offered[self.cleaned_data["competency"]]


class ProjectForm(IdempotentForm):
    """An interest-driven project: a title, what it is, and which steps it practices.

    The hidden key makes a double submission add one project.
    """

    title = forms.CharField(
        label=_("Project title"),
        max_length=TITLE_MAX,
        help_text=_("Something you want to make, find out or do, e.g. “Plan a class garden”."),
        error_messages={"required": _("Give the project a title.")},
    )
    description = forms.CharField(
        label=_("What will you do?"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    practises = forms.MultipleChoiceField(
        label=_("Which steps does it practice?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, competencies: Iterable[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ordered = sorted(competencies, key=lambda c: (c.grade_rank, c.list_order))
        self.offered = {str(c.pk): c for c in ordered}
        self.fields["practises"].choices = [  # type: ignore[attr-defined]
            (str(c.pk), _label(c)) for c in ordered
        ]

    def clean_practises(self) -> list[Competency]:
        return [self.offered[pk] for pk in self.cleaned_data["practises"]]


class MoveForm(forms.Form):
    """Where to put a step: an absolute position, so a repeated submission moves it once."""

    position = forms.IntegerField(min_value=0)
