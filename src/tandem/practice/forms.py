"""Forms of the student pages: a written answer."""

from __future__ import annotations

from django import forms

from tandem.forms import IdempotentForm
from tandem.practice.constants import WRITTEN_ANSWER_MAX


class WrittenAnswerForm(IdempotentForm):
    """The student's answer to one written question."""

    text = forms.CharField(
        label="Your answer",
        max_length=WRITTEN_ANSWER_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Explain your thinking in your own words (up to {WRITTEN_ANSWER_MAX:,} "
        "characters). Your teacher reads it and scores it.",
        error_messages={
            "required": "Write your answer first.",
            "max_length": f"Your answer is too long: keep it to {WRITTEN_ANSWER_MAX:,} characters "
            "(it has %(show_value)s).",
        },
    )
