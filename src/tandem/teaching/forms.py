"""The teacher's forms: an observation (which competency, what was seen, a note), and the
score of a written answer."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django import forms

from tandem.competencies.models import Competency
from tandem.evidence.constants import ObservationKind
from tandem.forms import IdempotentForm, short_text
from tandem.practice.constants import WRITTEN_COMMENT_MAX, WrittenScoreLevel

NOTE_MAX = 2000


class ObservationForm(IdempotentForm):
    """Either pick a competency from the list or type any code in the framework.

    ``competencies`` are the ones offered in the list (grouped by grade); a typed code may name
    any competency, so a teacher can record what they heard about a standard with no practice
    items. The hidden key makes a double submission record one statement.
    """

    competency = forms.ChoiceField(label="Competency", required=False)
    code = forms.CharField(
        label="Or type a competency code",
        required=False,
        max_length=50,
        help_text="For a competency not in the list, e.g. 6.EE.A.2.",
    )
    kind = forms.ChoiceField(
        label="What did you observe?",
        choices=ObservationKind.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the student said or did. The student's record keeps it.",
    )

    def __init__(self, *args: Any, competencies: Iterable[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = sorted(competencies, key=lambda c: (c.grade_rank, c.list_order))
        self.offered = {c.code: c for c in offered}
        choices: list[tuple[str, Any]] = [("", "Choose a competency…")]
        for grade, group in groupby(offered, key=lambda c: c.grade_label):
            options = [(c.code, f"{c.code} — {short_text(c.name)}") for c in group]
            choices.append((f"Grade {grade}" if grade else "Other", options))
        self.fields["competency"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = (cleaned.get("code") or "").strip()
        chosen = cleaned.get("competency") or ""
        competency: Competency | None = None
        if code:
            competency = (
                Competency.objects.filter(human_coding_scheme__iexact=code).order_by("pk").first()
            )
            if competency is None:
                self.add_error(
                    "code", f"No competency has the code “{code}”. Check it, e.g. 6.EE.A.2."
                )
        elif chosen:
            competency = self.offered.get(chosen)
        elif "competency" not in self.errors:
            self.add_error("competency", "Choose a competency, or type its code.")
        cleaned["resolved_competency"] = competency
        return cleaned


class WrittenScoreForm(IdempotentForm):
    """The teacher's judgment of a written answer and an optional comment to the student."""

    level = forms.ChoiceField(
        label="Does the answer show understanding?",
        choices=WrittenScoreLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose “Shows understanding”, “Partly” or “Not yet”."},
    )
    comment = forms.CharField(
        label="Comment to the student",
        required=False,
        max_length=WRITTEN_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The student sees this with the score.",
    )
