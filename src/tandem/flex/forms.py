"""Forms of the flex pages: a block (administrator), a session (teacher), a student's ranking,
a move by hand and attendance. Rules live in the services; forms only parse."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from tandem.competencies.models import Competency
from tandem.flex.constants import CAPACITY_MAX, GRADE_MAX, GRADE_MIN, SessionKind, Weekday
from tandem.flex.models import FlexBlock, FlexSession
from tandem.roster.models import User

_GRADES = [(g, "K" if g == 0 else str(g)) for g in range(GRADE_MIN, GRADE_MAX + 1)]


class BlockForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="For example “Tuesday flex”.")
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    starts_at = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    rooms = forms.CharField(
        label="Rooms",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One room a line. Each room holds one session in this block.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The block must end after it starts.")
        return data


class SessionForm(forms.Form):
    block = forms.TypedChoiceField(label="Flex block", coerce=int)
    title = forms.CharField(label="Title", max_length=120)
    kind = forms.ChoiceField(label="Kind", choices=SessionKind.choices)
    competency = forms.CharField(
        label="Skill (for a skill workshop)",
        required=False,
        max_length=50,
        help_text="The standard's code, for example 6.EE.A.2. Students stuck on it or ready "
        "for it are placed here first.",
    )
    capacity = forms.IntegerField(label="Seats", min_value=1, max_value=CAPACITY_MAX)
    room = forms.CharField(
        label="Room",
        required=False,
        max_length=60,
        help_text="One of the block's rooms. A session without a room cannot be scheduled.",
    )
    grade_min = forms.TypedChoiceField(label="From grade", choices=_GRADES, coerce=int)
    grade_max = forms.TypedChoiceField(label="To grade", choices=_GRADES, coerce=int)
    required = forms.TypedMultipleChoiceField(
        label="Students who must come",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, blocks: Iterable[FlexBlock], students: Iterable[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.blocks = {b.pk: b for b in blocks}
        self.students = {s.pk: s for s in students}
        self.fields["block"].choices = [  # type: ignore[attr-defined]
            (pk, f"{b.name} ({b.get_weekday_display()} {b.starts_at:%H:%M})")
            for pk, b in self.blocks.items()
        ]
        self.fields["required"].choices = [  # type: ignore[attr-defined]
            (pk, s.display_name) for pk, s in self.students.items()
        ]

    def clean_competency(self) -> Competency | None:
        code = (self.cleaned_data.get("competency") or "").strip()
        if not code:
            return None
        competency = Competency.objects.filter(human_coding_scheme__iexact=code).first()
        if competency is None:
            raise forms.ValidationError(f"No standard has the code {code}.")
        return competency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_skill = data.get("kind") == SessionKind.COMPETENCY and not data.get("competency")
        if needs_skill and "competency" not in self.errors:
            self.add_error("competency", "A skill workshop needs the skill's code.")
        low, high = data.get("grade_min"), data.get("grade_max")
        if low is not None and high is not None and low > high:
            self.add_error("grade_max", "Choose a grade at or above the first one.")
        return data


class MoveForm(forms.Form):
    session = forms.TypedChoiceField(label="Move to", coerce=int)

    def __init__(self, *args: Any, sessions: Iterable[FlexSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {s.pk: s for s in sessions}
        self.fields["session"].choices = [  # type: ignore[attr-defined]
            (pk, s.title) for pk, s in self.sessions.items()
        ]
