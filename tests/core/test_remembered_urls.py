"""The url tag remembers argument-free reversals and leaves the rest to Django."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse, set_script_prefix


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_a_name_without_arguments_reverses_as_django_reverses_it_every_time():
    for _ in range(2):  # the second time from memory
        assert render("{% url 'practice:practice' %}") == reverse("practice:practice")


def test_arguments_and_as_still_work():
    assert render("{% url 'credit:report' 7 %}") == reverse("credit:report", args=[7])
    assert render("{% url 'practice:home' as home %}[{{ home }}]") == (
        f"[{reverse('practice:home')}]"
    )
    assert render("{% url 'no-such-page' as missing %}[{{ missing }}]") == "[]"


def test_a_script_prefix_is_part_of_what_is_remembered():
    set_script_prefix("/school/")
    try:
        assert render("{% url 'practice:practice' %}").startswith("/school/")
    finally:
        set_script_prefix("/")
    assert not render("{% url 'practice:practice' %}").startswith("/school/")
