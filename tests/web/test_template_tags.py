"""The quicker template builtins (fupin.web.templatetags: {% translate %} kept per language,
{% url %} of integer ids from pieces, |date:"Y-m-d" at once) render exactly what Django's own
tags render — compared here with an engine that has only Django's."""

import datetime as dt
import functools
import zoneinfo

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch
from django.utils import timezone, translation

OURS = engines["django"].engine
DJANGOS = Engine(app_dirs=True, libraries={"i18n": "django.templatetags.i18n"})  # Django's tags only


@functools.cache
def compiled(engine: Engine, source: str):
    return engine.from_string(source)  # once, as the project's cached loader keeps a template


def both(source: str, context: dict | None = None, autoescape: bool = True) -> tuple[str, str]:
    rendered = []
    for engine in (OURS, DJANGOS):
        rendered.append(compiled(engine, source).render(Context(context or {}, autoescape=autoescape)))
    return rendered[0], rendered[1]


def test_the_project_uses_the_quicker_tags():
    from fupin.web.templatetags import builtins_fast, i18n_kept

    template = OURS.from_string('{% load i18n %}{% translate "首页" %}{% url "loan_detail" 1 %}{{ d|date:"Y-m-d" }}')
    kinds = {type(node) for node in template.nodelist}
    assert i18n_kept.KeptTranslation in kinds and builtins_fast.FastURLNode in kinds


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_translations_are_djangos_in_each_language_however_often_they_switch(language):
    source = ('{% load i18n %}{% translate "首页" %}|{% trans "审计日志" %}|{% translate "50% 以上" %}|'
              '{% translate name %}|{% translate "首页" as home %}{{ home }}|{% translate "首页" noop %}|'
              '{% translate "菜单" context "nav" %}|{% translate "退出"|upper %}')
    seen = set()
    for turn in (language, "en" if language == "zh-hans" else "zh-hans", language):
        with translation.override(turn):
            ours, djangos = both(source, {"name": "行政区划"})
            assert ours == djangos
            seen.add((turn, ours))
    assert len(seen) == 2  # the two languages differ, and each time the same as Django's
    with translation.override("en"):
        assert both('{% load i18n %}{% translate "首页" %}')[0] == "Home"


def test_urls_are_djangos(world):
    loan, other = 7, 123456789
    cases = [
        ('{% url "loan_detail" pk %}', {"pk": loan}),
        ('{% url "loan_detail" pk %}', {"pk": 0}),
        ('{% url "user_role_revoke" a b %}', {"a": loan, "b": other}),
        ('{% url "home" %}|{% url "collection_list" %}', {}),
        ('{% url "loan_detail" pk as link %}[{{ link }}]', {"pk": other}),
        ('{% url "division_detail" code %}', {"code": world.village}),  # a str converter: Django's way
        ('{% url "division_detail" code %}', {"code": "a&b c"}),  # quoted and escaped by Django
        ('{% url "loan_detail" pk %}', {"pk": "42"}),  # not an int: Django's way
        ('{% url "loan_detail" pk=pk %}', {"pk": loan}),  # keywords: Django's way
        ('{% url name pk %}', {"name": "ledger_entry", "pk": loan}),
        ('{% url "loan_detail" pk as link %}[{{ link }}]', {"pk": -1}),  # no match, "as": empty
    ]
    for source, context in cases:
        for autoescape in (True, False):
            ours, djangos = both(source, context, autoescape)
            assert ours == djangos, source
    assert both('{% url "loan_detail" pk %}', {"pk": loan})[0] == f"/loans/{loan}/"
    for bad in ({"pk": -1}, {"pk": True}):  # not a match for <int:…>: Django's error, not a made-up path
        with pytest.raises(NoReverseMatch):
            OURS.from_string('{% url "loan_detail" pk %}').render(Context(bad))
    with pytest.raises(NoReverseMatch):
        OURS.from_string('{% url "loan_detail" 1 2 %}').render(Context({}))


def test_dates_are_djangos(settings):
    settings.USE_TZ = True
    aware = dt.datetime(2026, 1, 31, 20, 30, tzinfo=dt.UTC)  # 2026-02-01 04:30 in Shanghai
    values = [dt.date(2026, 3, 5), dt.date(999, 1, 2), dt.datetime(2026, 12, 31, 23, 59), aware, None, "", "2026-01-01"]
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        for value in values:
            for source in ('{{ v|date:"Y-m-d" }}', '{{ v|date:"Y年n月j日" }}', '{{ v|date }}'):
                ours, djangos = both(source, {"v": value})
                assert ours == djangos, (source, value)
        assert both('{{ v|date:"Y-m-d" }}', {"v": aware})[0] == "2026-02-01"
