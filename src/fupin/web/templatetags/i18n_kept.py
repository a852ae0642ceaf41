"""Django's ``i18n`` tag library, with ``{% translate %}`` of a plain literal translated once per
language (settings.TEMPLATES maps the name ``i18n`` here, so every template's ``{% load i18n %}``
gets it; makemessages reads the same syntax as ever).

Django's tag looks the message up, builds a lazy string, escapes and copies it on every render:
≈ 7 µs a tag, and the collection list shows 126 of them (docs/performance.md). A literal's
translation depends only on the active language (a translated literal is marked safe, so
escaping leaves it as it is — the key keeps ``autoescape`` all the same)."""

from __future__ import annotations

from django import template
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class KeptTranslation(template.Node):
    """A ``TranslateNode`` of a plain literal whose output is kept per (language, autoescape)."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node
        self.kept: dict[tuple[str | None, bool], str] = {}

    def render(self, context) -> str:
        key = (get_language(), context.autoescape)
        value = self.kept.get(key)
        if value is None:
            value = self.kept[key] = self.node.render(context)
        return value


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    expression = node.filter_expression
    if (
        node.noop
        or node.asvar
        or node.message_context
        or expression.filters
        or not isinstance(getattr(expression.var, "literal", None), str)
    ):
        return node  # a variable, a filter, "as", "context", "noop": Django's tag as it is
    return KeptTranslation(node)
