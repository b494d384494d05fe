"""Dates in the reader's language, with the templates written once in US English.

Templates spell dates the US way (``|date:"M j, Y"`` → "Dec 4, 2026"). This library is a
template builtin (settings: TEMPLATES OPTIONS builtins, after Django's own) whose ``date``
filter takes the place of Django's: for a language that orders a date differently it swaps the
format for that language's equivalent ("4 dic 2026", "Viernes 4 de diciembre"), then formats
with Django's filter (month and day names come from Django's own translations). A format it
does not know is used as written.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

# The US formats the templates use, and the Spanish order of the same parts (24-hour times, as
# Spanish-speaking families read them).
SPANISH: dict[str, str] = {
    "M j, Y": "j b Y",
    "M j, Y, g:i A": "j b Y, H:i",
    "M j": "j b",
    "l, M j": "l j b",
    "F j, Y": r"j \d\e F \d\e Y",
    "l, F j": r"l j \d\e F",
    "M j, g:i A": "j b, H:i",
    "F j, Y, g:i A": r"j \d\e F \d\e Y, H:i",
    "l, M j, Y, g:i A": "l j b Y, H:i",
    "F j": r"j \d\e F",
    "D, M j, g:i A": "D j b, H:i",
    "D, M j": "D j b",
    "l, M j, g:i A": "l j b, H:i",
    "l, F j, Y": r"l j \d\e F \d\e Y",
    "F j, g:i A": r"j \d\e F, H:i",
    "g:i A": "H:i",
}
BY_LANGUAGE: dict[str, dict[str, str]] = {"es": SPANISH}


def local_format(arg: str | None) -> str | None:
    """The active language's equivalent of a US date format (the format itself if none)."""
    if not arg:
        return arg
    language = (translation.get_language() or "en").split("-")[0]
    return BY_LANGUAGE.get(language, {}).get(arg, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value: dt.date | dt.datetime | str | None, arg: str | None = None) -> str:
    """Django's ``date`` filter, in the reader's order of day, month and year."""
    return django_date(value, local_format(arg))


@register.simple_tag
def when(value: dt.date | dt.datetime | None) -> SafeString:
    """A day as ``<time>`` in the reader's words ("March 4, 2026"), or "never": a tag, not an
    included template, because a student's home page shows forty of them."""
    if not value:
        return format_html('<span class="muted">{}</span>', gettext("never"))
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # as the date filter shows it
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),  # what the date filter's "c" gives
        django_date(value, local_format("F j, Y")),
    )
