"""Forms of the student pages: a written answer (typed, a photo of the work, or both)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tandem.forms import IdempotentForm
from tandem.practice.constants import PHOTO_MAX_BYTES, WRITTEN_ANSWER_MAX


class WrittenAnswerForm(IdempotentForm):
    """The student's answer to one written question."""

    text = forms.CharField(
        label=_("Your answer"),
        max_length=WRITTEN_ANSWER_MAX,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=format_lazy(
            _(
                "Explain your thinking in your own words (up to {max} characters). Your "
                "teacher reads it and scores it."
            ),
            max=f"{WRITTEN_ANSWER_MAX:,}",
        ),
        error_messages={
            "max_length": format_lazy(
                _("Your answer is too long: keep it to {max} characters (it has {has})."),
                max=f"{WRITTEN_ANSWER_MAX:,}",
                has="%(show_value)s",
            ),
        },
    )
    # Checked by content in ``written_answer_submit`` (tandem.practice.photos), not here.
    photo = forms.FileField(
        label=_("A photo or drawing of your work"),
        required=False,
        help_text=format_lazy(
            _(
                "Optional. Take a photo of your work on paper, or draw it below (PNG or JPEG, "
                "up to {mb} MB)."
            ),
            mb=PHOTO_MAX_BYTES // (1024 * 1024),
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("text") and not cleaned.get("photo") and not self.errors:
            self.add_error("text", _("Write your answer or add a photo of your work first."))
        return cleaned
