"""Forms of the check-in pages: plan a check-in, and record one (notes, what was observed per
competency, next steps). The record form is one main form plus a few prefixed row forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from tandem.checkins.constants import NOTES_MAX, Understanding
from tandem.competencies.models import Competency
from tandem.forms import IdempotentForm
from tandem.goals.constants import GOAL_TEXT_MAX, GoalKind
from tandem.goals.forms import competency_choices


class ScheduleForm(IdempotentForm):
    scheduled_for = forms.DateTimeField(
        label="When",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="The day and time you plan to meet.",
    )


class RecordForm(IdempotentForm):
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Private: only the student's teachers and administrators can read them.",
    )
    scheduled = forms.IntegerField(required=False, widget=forms.HiddenInput)


class _CompetencyRowForm(forms.Form):
    competency = forms.ChoiceField(label="Competency", required=False)

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
            offered, first=working_on, first_label="Working on now"
        )

    @property
    def resolved_competency(self) -> Competency | None:
        return self.offered.get(self.cleaned_data.get("competency") or "")


class ObservationRowForm(_CompetencyRowForm):
    """One competency and what the teacher heard about it; a row left empty is skipped."""

    understanding = forms.ChoiceField(
        label="Understanding",
        required=False,
        choices=[("", "Choose…"), *Understanding.choices],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        competency, understanding = cleaned.get("competency"), cleaned.get("understanding")
        if competency and not understanding:
            self.add_error("understanding", "Say what you observed about this competency.")
        elif understanding and not competency:
            self.add_error("competency", "Choose the competency you observed.")
        return cleaned

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("competency"))


class NextStepRowForm(_CompetencyRowForm):
    """A next step, which becomes one of the student's goals; a row left empty is skipped."""

    kind = forms.ChoiceField(
        label="Kind of goal", required=False, choices=[("", "Choose…"), *GoalKind.choices]
    )
    text = forms.CharField(label="Next step", required=False, max_length=GOAL_TEXT_MAX)
    field_order = ["kind", "text", "competency"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, text = cleaned.get("kind"), (cleaned.get("text") or "").strip()
        competency = cleaned.get("competency")
        if not kind and (text or competency):
            self.add_error("kind", "Choose what kind of goal this next step is.")
        elif kind == GoalKind.COMPETENCY and not competency:
            self.add_error("competency", "Choose the competency this next step is about.")
        elif kind and kind != GoalKind.COMPETENCY and not text and "text" not in self.errors:
            self.add_error("text", "Say in a few words what the next step is.")
        return cleaned

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("kind"))
