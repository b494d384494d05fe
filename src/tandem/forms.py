"""Form pieces every app's pages share (no domain logic, no imports from Tandem's apps)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms


def short_text(text: str, limit: int = 70) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for labels of long statements."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class IdempotentForm(forms.Form):
    """A form with a hidden key, so a double submission is recorded once.

    A missing or mangled key is no reason to refuse what was written: the submission just
    loses its protection against being recorded twice.
    """

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        initial.setdefault("idempotency_key", uuid.uuid4())
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        name = self.add_prefix("idempotency_key")
        if self.is_bound and not _is_uuid(self.data.get(name)):
            data: Any = self.data
            data = data.copy()  # a QueryDict from a request is immutable
            data[name] = str(uuid.uuid4())
            self.data = data
