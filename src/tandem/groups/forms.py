"""Forms of the group pages: form a group from a suggestion, change its members, plan a
mini-lesson, and one row per member when holding it (attendance and exit check)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from tandem.forms import IdempotentForm
from tandem.groups.constants import EXIT_ITEMS_MAX, NOTES_MAX, ROOM_MAX, ExitResult
from tandem.roster.models import User


def _student_choices(students: Iterable[User]) -> list[tuple[str, str]]:
    return [(str(s.pk), s.display_name) for s in students]


class GroupCreateForm(IdempotentForm):
    """A suggestion's checkboxes: the competency and the students chosen."""

    competency = forms.IntegerField(widget=forms.HiddenInput)
    students = forms.TypedMultipleChoiceField(
        label="Students",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one student for the group."},
    )

    def __init__(self, *args: Any, students: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = _student_choices(students)  # type: ignore[attr-defined]


class MembersForm(forms.Form):
    students = forms.TypedMultipleChoiceField(
        label="Members",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Keep at least one student in the group (or end it)."},
    )

    def __init__(self, *args: Any, students: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = _student_choices(students)  # type: ignore[attr-defined]


class LessonPlanForm(IdempotentForm):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    room = forms.CharField(label="Room", required=False, max_length=ROOM_MAX)
    notes = forms.CharField(
        label="Plan",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you will teach and how you will check it. Only you see this.",
    )
    materials_url = forms.URLField(
        label="Materials link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A worksheet, slides or video, e.g. https://…",
    )


class AttendanceRowForm(forms.Form):
    """One member at the mini-lesson: present, and what their exit check showed."""

    present = forms.BooleanField(label="Present", required=False, initial=True)
    exit_result = forms.ChoiceField(
        label="Exit check",
        required=False,
        choices=[("", "Not checked"), *ExitResult.choices],
        widget=forms.RadioSelect,
        initial="",
    )
    items_right = forms.IntegerField(
        label="Questions right", required=False, min_value=0, max_value=EXIT_ITEMS_MAX
    )
    items_asked = forms.IntegerField(
        label="out of", required=False, min_value=1, max_value=EXIT_ITEMS_MAX
    )

    def __init__(self, *args: Any, student: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.student = student

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        right, asked = cleaned.get("items_right"), cleaned.get("items_asked")
        checked = bool(cleaned.get("exit_result")) or right is not None or asked is not None
        if checked and not cleaned.get("present"):
            self.add_error("present", "Tick present, or leave the exit check empty.")
        if right is not None and asked is None and "items_asked" not in self.errors:
            self.add_error("items_asked", "Say how many questions there were.")
        elif asked is not None and right is None and "items_right" not in self.errors:
            self.add_error("items_right", "Say how many were right.")
        elif right is not None and asked is not None and right > asked:
            self.add_error("items_right", f"At most {asked}, the number of questions.")
        return cleaned
