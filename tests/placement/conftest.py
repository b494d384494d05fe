"""Fixtures for placement: the small school (framework loaded) and helpers that answer."""

from __future__ import annotations

import pytest
from tests.factories import make_school

from tandem.placement.models import DiagnosticQuestion


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The factories set real passwords; hashing them at full strength dominates these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(db):
    return make_school()


def right_answer(question: DiagnosticQuestion) -> str | list[str]:
    item = question.item
    if item.kind == "multiple_choice":
        return list(item.answer)
    return str(item.answer[0])


def wrong_answer(question: DiagnosticQuestion) -> str | list[str]:
    """A well-formed answer that is not right."""
    item = question.item
    if item.kind in ("single_choice", "multiple_choice"):
        wrong = next(str(i) for i in range(len(item.choices)) if str(i) not in item.answer)
        return [wrong] if item.kind == "multiple_choice" else wrong
    if item.kind == "numeric":
        return "987654321"
    return "not the answer"
