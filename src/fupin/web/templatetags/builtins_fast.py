"""Two of Django's builtins with their commonest case worked out once; settings.TEMPLATES lists
this library among the builtins, after Django's own. Anything else goes to Django's as it is.

``{% url %}`` of a name whose path takes only ``<int:…>`` parts, given non-negative integers
(``{% url 'loan_detail' i.loan_id %}``): Django reverses every such tag from scratch (the
name's patterns, each argument converted, the whole path matched against its regular
expression again, quoted) — ≈ 14 µs, and the collection list has 52 of them. Here the name's
path is reversed once with marker numbers and kept in pieces; a tag joins the pieces and the
numbers. Namespaced names, keyword arguments, names with several patterns or other converters
and arguments that are not such integers take Django's way.

``|date:"Y-m-d"`` of a date or datetime (the only format the pages use for days): Django parses
the format and builds a formatter on every call (≈ 12 µs; a weekly loan's schedule has 52)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template import defaultfilters, defaulttags
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.converters import IntConverter
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_MARK = 7_919_000_000_000  # marker arguments: the i-th is _MARK + i
_FORMS: dict[
    tuple, tuple[str, ...] | None
] = {}  # (name, arguments, app, prefix, urlconf, language) -> pieces


def url_pieces(view_name: str, n: int, current_app: str | None) -> tuple[str, ...] | None:
    """The path of ``view_name`` with ``n`` integer arguments as the n + 1 pieces between them, or
    None when the name is not of the simple kind."""
    urlconf = get_urlconf()
    key = (view_name, n, current_app, get_script_prefix(), urlconf, get_language())
    if key in _FORMS:
        return _FORMS[key]
    pieces: tuple[str, ...] | None = None
    entries = [] if ":" in view_name else get_resolver(urlconf).reverse_dict.getlist(view_name)
    if len(entries) == 1:
        possibility, _pattern, defaults, converters = entries[0]
        if (
            len(possibility) == 1
            and len(possibility[0][1]) == n
            and not defaults
            and all(isinstance(converters.get(p), IntConverter) for p in possibility[0][1])
        ):
            rest, found = reverse(view_name, args=[_MARK + i for i in range(n)], current_app=current_app), []
            for i in range(n):
                head, sep, rest = rest.partition(str(_MARK + i))
                if not sep:
                    break
                found.append(head)
            else:
                pieces = (*found, rest)
    _FORMS[key] = pieces
    return pieces


def url_of(view_name: str, *ids: int) -> str:
    """``reverse(view_name, args=ids)`` for names of the simple kind, from the kept pieces."""
    pieces = url_pieces(view_name, len(ids), None) if all(type(i) is int and i >= 0 for i in ids) else None
    if pieces is None:
        return reverse(view_name, args=ids)
    return pieces[0] + "".join(str(i) + p for i, p in zip(ids, pieces[1:], strict=True))


class FastURLNode(defaulttags.URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        if self.kwargs or not all(type(a) is int and a >= 0 for a in args):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        pieces = url_pieces(view_name, len(args), current_app) if isinstance(view_name, str) else None
        if pieces is None:
            return super().render(context)
        url = pieces[0] + "".join(str(a) + p for a, p in zip(args, pieces[1:], strict=True))  # (as url_of)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if arg == "Y-m-d" and type(value) in (dt.date, dt.datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return defaultfilters.date(value, arg)
