"""``{% url %}`` that remembers the reversal of a URL name given no arguments.

Such a name has one path for the life of the process (for a given URL configuration, script
prefix, language and application namespace), yet every page reverses the navigation's links
again, and a student's home page reverses "Practice this" once per row; ``reverse()`` costs
tens of microseconds each time. Installed as a template builtin, so it stands in for Django's
tag everywhere; a URL with arguments is reversed by Django as before.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_REMEMBERED: dict[tuple[Any, ...], str] = {}


def _current_app(context: Context) -> str | None:
    request = getattr(context, "request", None)
    app = getattr(request, "current_app", None)
    if app is not None:
        return str(app)
    match = getattr(request, "resolver_match", None)
    return getattr(match, "namespace", None)


class RememberedURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.args or self.kwargs:
            return str(super().render(context))
        view_name = self.view_name.resolve(context)
        current_app = _current_app(context)
        key = (
            view_name,
            current_app,
            settings.ROOT_URLCONF,
            get_urlconf(),
            get_script_prefix(),
            get_language(),
        )
        url = _REMEMBERED.get(key)
        if url is None:
            try:
                url = reverse(view_name, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""
            else:
                _REMEMBERED[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> RememberedURLNode:
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
