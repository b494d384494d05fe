"""The ``math`` filter: item and standard text with its notation drawn as MathML.

A builtin (see TEMPLATES in settings): write ``{{ item.stem|math }}`` where a page used
``{{ item.stem|linebreaksbr }}``: the text is escaped, fractions, powers and roots become
``<math>`` elements (see :mod:`tandem.content.mathml`) and newlines become ``<br>``.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from tandem.content.mathml import math_html

register = template.Library()


@register.filter(name="math")
def math_filter(value: object) -> SafeString:
    """Plain text as HTML with MathML; the text is always escaped, whatever its type."""
    if value is None:
        return mark_safe("")
    return mark_safe(math_html(str(value)))
