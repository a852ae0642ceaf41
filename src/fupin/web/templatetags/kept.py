"""Three of Django's template tags with their commonest case worked out once, for the templates
that ask for them: ``{% load i18n kept %}`` (after ``i18n``, so these take its names). Issue 23:
opt-in per template, on public APIs only, and behind the one switch ``FUPIN_COMPILED`` (off:
each tag is Django's own, as it parsed it).

* ``{% translate %}`` of a quoted literal: Django looks the message up, builds a lazy string, escapes and
  copies it on every render (≈ 7 µs; the collection list renders 126). A literal's translation
  depends only on the active language and autoescaping, so Django's node renders it once per
  (language, autoescape) and the output is kept.
* ``{% url 'name' a b %}`` with non-negative integers: Django reverses the name from scratch each
  time (≈ 14 µs; 52 on the collection list). Here ``reverse`` is asked once with marker numbers
  and once with others; when both give the same path around the numbers, the pieces are kept and
  a tag joins them with its numbers. Any other case (keywords, ``as``, a namespace, other values)
  is Django's tag.
* ``|date:"Y-m-d"`` of a date or datetime: Django parses the format and builds a formatter each
  call (≈ 12 µs; 52 on a weekly loan's schedule)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.template import defaultfilters, defaulttags
from django.templatetags import i18n as django_i18n
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


class KeptTranslation(template.Node):
    """Django's node for a literal, its output kept per (language, autoescape)."""

    def __init__(self, node: template.Node) -> None:
        self.node = node
        self.kept: dict[tuple[str | None, bool], str] = {}

    def render(self, context) -> str:
        key = (get_language(), context.autoescape)
        value = self.kept.get(key)
        if value is None:
            value = self.kept[key] = self.node.render(context)
        return value


def _literal(bit: str) -> bool:
    return len(bit) >= 2 and bit[0] == bit[-1] and bit[0] in "\"'" and "|" not in bit and "\\" not in bit


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    bits = token.split_contents()
    if not settings.FUPIN_COMPILED or len(bits) != 2 or not _literal(bits[1]):
        return node  # a variable, a filter, "as", "context", "noop": Django's tag as it is
    return KeptTranslation(node)


_MARKS = (7_919_000_000_000, 8_111_000_000_000)  # two sets of marker numbers: i-th is mark + i
_PIECES: dict[tuple, tuple[str, ...] | None] = {}  # (name, n, script prefix, urlconf, language)


def url_pieces(name: str, n: int) -> tuple[str, ...] | None:
    """The path of ``name`` reversed with ``n`` integers, as the n + 1 pieces around them; None
    when the path does not take the numbers as they are."""
    key = (name, n, get_script_prefix(), get_urlconf(), get_language())
    if key not in _PIECES:
        pieces: tuple[str, ...] | None = None
        try:
            first, second = (reverse(name, args=[m + i for i in range(n)]) for m in _MARKS)
        except NoReverseMatch:
            first = second = ""
        rest, found = first, []
        for i in range(n):
            head, sep, rest = rest.partition(str(_MARKS[0] + i))
            if not sep:
                break
            found.append(head)
        else:
            candidate = (*found, rest)
            if _joined(candidate, [_MARKS[1] + i for i in range(n)]) == second:
                pieces = candidate
        _PIECES[key] = pieces
    return _PIECES[key]


def url_of(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)``, from the kept pieces where the ids are non-negative integers."""
    simple = settings.FUPIN_COMPILED and all(type(i) is int and i >= 0 for i in ids)
    pieces = url_pieces(name, len(ids)) if simple else None
    return _joined(pieces, ids) if pieces is not None else reverse(name, args=ids)


def _joined(pieces: tuple[str, ...], numbers) -> str:
    return pieces[0] + "".join(str(i) + p for i, p in zip(numbers, pieces[1:], strict=True))


class KeptURL(template.Node):
    """``{% url 'name' a b %}`` from kept pieces when the arguments are non-negative integers and
    the request has no namespace; else Django's node."""

    def __init__(self, node: template.Node, name, args) -> None:
        self.node, self.name, self.args = node, name, args

    def render(self, context) -> str:
        args = [a.resolve(context) for a in self.args]
        name = self.name.resolve(context)
        request = context.get("request")
        match = getattr(request, "resolver_match", None)
        pieces = (
            url_pieces(name, len(args))
            if isinstance(name, str)
            and ":" not in name
            and all(type(a) is int and a >= 0 for a in args)
            and not getattr(request, "current_app", None)
            and not getattr(match, "namespace", None)
            else None
        )
        if pieces is None:
            return self.node.render(context)
        url = _joined(pieces, args)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    bits = token.split_contents()
    if not settings.FUPIN_COMPILED or len(bits) < 2 or any("=" in b or b == "as" for b in bits[2:]):
        return node
    return KeptURL(node, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if arg == "Y-m-d" and type(value) in (dt.date, dt.datetime) and settings.FUPIN_COMPILED:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return defaultfilters.date(value, arg)
