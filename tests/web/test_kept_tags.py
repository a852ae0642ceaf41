"""The kept template tags (``{% load i18n kept %}``, fupin.web.templatetags.kept — issue 23: opt-in
per template, on public APIs only): ``{% translate %}`` of a literal kept per language, ``{% url %}``
of integer ids from kept pieces, ``|date:"Y-m-d"`` at once, render exactly what Django's own tags
render; with ``FUPIN_COMPILED`` off they are Django's nodes."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import Context, engines
from django.urls import NoReverseMatch
from django.utils import timezone, translation

from fupin.web.templatetags import kept

ENGINE = engines["django"].engine
TEMPLATES = Path(kept.__file__).resolve().parents[2] / "templates"


def both(source: str, context: dict | None = None, autoescape: bool = True) -> tuple[str, str]:
    """The source rendered with the kept tags loaded, and with Django's alone."""
    ours = ENGINE.from_string(source.replace("{% load i18n %}", "{% load i18n kept %}"))
    djangos = ENGINE.from_string(source)
    return tuple(t.render(Context(context or {}, autoescape=autoescape)) for t in (ours, djangos))


def test_the_kept_tags_are_what_a_template_loads_and_the_switch_turns_off(settings):
    source = '{% load i18n kept %}{% translate "首页" %}{% url "loan_detail" 1 %}'
    kinds = {type(node) for node in ENGINE.from_string(source).nodelist}
    assert {kept.KeptTranslation, kept.KeptURL} <= kinds
    plain = {type(n) for n in ENGINE.from_string('{% load i18n %}{% translate "首页" %}').nodelist}
    assert kept.KeptTranslation not in plain  # Django's i18n is Django's
    settings.FUPIN_COMPILED = False
    kinds = {type(node) for node in ENGINE.from_string(source).nodelist}
    assert not kinds & {kept.KeptTranslation, kept.KeptURL}
    assert (
        ENGINE.from_string('{% load kept %}{{ d|date:"Y-m-d" }}').render(Context({"d": dt.date(2026, 3, 5)}))
        == "2026-03-05"
    )


def test_the_busy_pages_load_them():
    for page in ("base.html", "loans/loan.html", "cob/collections.html", "households/archive.html"):
        loads = re.findall(r"\{% load ([^%]*)%\}", (TEMPLATES / page).read_text(encoding="utf-8"))
        assert loads and "kept" in loads[0].split(), page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_translations_are_djangos_in_each_language_however_often_they_switch(language):
    source = (
        '{% load i18n %}{% translate "首页" %}|{% trans "审计日志" %}|{% translate "50% 以上" %}|'
        '{% translate name %}|{% translate "首页" as home %}{{ home }}|{% translate "首页" noop %}|'
        '{% translate "菜单" context "nav" %}|{% translate "退出"|upper %}|{% translate \'首页\' %}'
    )
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
        ('{% load i18n %}{% url "loan_detail" pk %}', {"pk": loan}),
        ('{% load i18n %}{% url "loan_detail" pk %}', {"pk": 0}),
        ('{% load i18n %}{% url "user_role_revoke" a b %}', {"a": loan, "b": other}),
        ('{% load i18n %}{% url "home" %}|{% url "collection_list" %}', {}),
        ('{% load i18n %}{% url "loan_detail" pk as link %}[{{ link }}]', {"pk": other}),
        ('{% load i18n %}{% url "division_detail" code %}', {"code": world.village}),  # a str converter
        ('{% load i18n %}{% url "division_detail" code %}', {"code": "a&b c"}),  # quoted, escaped
        ('{% load i18n %}{% url "loan_detail" pk %}', {"pk": "42"}),  # not an int: Django's way
        ('{% load i18n %}{% url "loan_detail" pk=pk %}', {"pk": loan}),  # keywords: Django's way
        ("{% load i18n %}{% url name pk %}", {"name": "ledger_entry", "pk": loan}),
        ('{% load i18n %}{% url "loan_detail" pk as link %}[{{ link }}]', {"pk": -1}),  # "as": empty
    ]
    for source, context in cases:
        for autoescape in (True, False):
            ours, djangos = both(source, context, autoescape)
            assert ours == djangos, source
    assert both('{% load i18n %}{% url "loan_detail" pk %}', {"pk": loan})[0] == f"/loans/{loan}/"
    for bad in ({"pk": -1}, {"pk": True}):  # not a match for <int:…>: Django's error, not a made-up path
        with pytest.raises(NoReverseMatch):
            ENGINE.from_string('{% load kept %}{% url "loan_detail" pk %}').render(Context(bad))
    with pytest.raises(NoReverseMatch):
        ENGINE.from_string('{% load kept %}{% url "loan_detail" 1 2 %}').render(Context({}))


def test_dates_are_djangos(settings):
    settings.USE_TZ = True
    aware = dt.datetime(2026, 1, 31, 20, 30, tzinfo=dt.UTC)  # 2026-02-01 04:30 in Shanghai
    values = [dt.date(2026, 3, 5), dt.date(999, 1, 2), dt.datetime(2026, 12, 31, 23, 59), aware, None, ""]
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        for value in [*values, "2026-01-01"]:
            for source in ('{{ v|date:"Y-m-d" }}', '{{ v|date:"Y年n月j日" }}', "{{ v|date }}"):
                ours, djangos = both("{% load i18n %}" + source, {"v": value})
                assert ours == djangos, (source, value)
        assert both('{% load i18n %}{{ v|date:"Y-m-d" }}', {"v": aware})[0] == "2026-02-01"
