"""Forms of the goals pages: add a goal, write a reflection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.competencies.models import Competency
from tandem.forms import IdempotentForm, short_text
from tandem.goals.constants import GOAL_TEXT_MAX, REFLECTION_TEXT_MAX, GoalKind


def competency_choices(
    competencies: Iterable[Competency], *, first: Iterable[int] = (), first_label: str = ""
) -> list[tuple[str, Any]]:
    """A select's choices: an empty choice, then ``first`` (if any) under its own heading, then
    every competency grouped by grade. Values are competency ids."""
    ordered = sorted(competencies, key=lambda c: (c.grade_rank, c.list_order))
    choices: list[tuple[str, Any]] = [("", gettext("Choose a competency…"))]

    def option(c: Competency) -> tuple[str, str]:
        return (str(c.pk), f"{c.code} — {short_text(c.name)}")

    first_ids = set(first)
    if first_ids and first_label:
        choices.append((first_label, [option(c) for c in ordered if c.pk in first_ids]))
    for grade, group in groupby(ordered, key=lambda c: c.grade_label):
        choices.append(
            (
                gettext("Grade %(grade)s") % {"grade": grade} if grade else gettext("Other"),
                [option(c) for c in group],
            )
        )
    return choices


class GoalForm(IdempotentForm):
    """One goal: what kind, which competency (for a competency goal), and in words."""

    kind = forms.ChoiceField(
        label=_("What kind of goal?"), choices=GoalKind.choices, widget=forms.RadioSelect
    )
    competency = forms.ChoiceField(
        label=_("Competency"),
        required=False,
        help_text=_("Only for a competency goal: the one you want to work on."),
    )
    text = forms.CharField(
        label=_("My goal, in a few words"),
        required=False,
        max_length=GOAL_TEXT_MAX,
        help_text=_(
            "For example: “Finish the survey for my project” or “Practice 15 minutes "
            "every day”. Optional for a competency goal."
        ),
    )

    def __init__(
        self,
        *args: Any,
        competencies: Iterable[Competency],
        working_on: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offered = list(competencies)
        self.offered = {str(c.pk): c for c in offered}
        self.fields["competency"].choices = competency_choices(  # type: ignore[attr-defined]
            offered, first=working_on, first_label=gettext("What I am working on")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        competency = self.offered.get(cleaned.get("competency") or "")
        text = (cleaned.get("text") or "").strip()
        if kind == GoalKind.COMPETENCY and competency is None:
            self.add_error("competency", gettext("Choose the competency this goal is about."))
        elif kind and kind != GoalKind.COMPETENCY:
            competency = None
            if not text and "text" not in self.errors:
                self.add_error("text", gettext("Say in a few words what the goal is."))
        cleaned["resolved_competency"] = competency
        return cleaned


class ReflectionForm(forms.Form):
    """Looking back on one week (named by its Monday)."""

    week = forms.DateField(widget=forms.HiddenInput)
    did = forms.CharField(
        label=_("What I did"),
        required=False,
        max_length=REFLECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    worked = forms.CharField(
        label=_("What worked"),
        required=False,
        max_length=REFLECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps = forms.CharField(
        label=_("What next"),
        required=False,
        max_length=REFLECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, week: dt.date, **kwargs: Any) -> None:
        # Field ids carry the week, so two weeks' forms can share a page.
        kwargs.setdefault("auto_id", f"id_%s_{week:%Y%m%d}")
        initial = dict(kwargs.pop("initial", None) or {})
        initial.setdefault("week", week)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.for_week = week

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        texts = [cleaned.get(name) or "" for name in ("did", "worked", "next_steps")]
        if not self.errors and not any(text.strip() for text in texts):
            self.add_error("did", gettext("Write something in at least one of the three boxes."))
        return cleaned
