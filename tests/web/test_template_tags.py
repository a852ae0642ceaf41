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

    template = OURS.from_string(
        '{% load i18n %}{% translate "首页" %}{% url "loan_detail" 1 %}{{ d|date:"Y-m-d" }}'
    )
    kinds = {type(node) for node in template.nodelist}
    assert i18n_kept.KeptTranslation in kinds and builtins_fast.FastURLNode in kinds


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_translations_are_djangos_in_each_language_however_often_they_switch(language):
    source = (
        '{% load i18n %}{% translate "首页" %}|{% trans "审计日志" %}|{% translate "50% 以上" %}|'
        '{% translate name %}|{% translate "首页" as home %}{{ home }}|{% translate "首页" noop %}|'
        '{% translate "菜单" context "nav" %}|{% translate "退出"|upper %}'
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
        ('{% url "loan_detail" pk %}', {"pk": loan}),
        ('{% url "loan_detail" pk %}', {"pk": 0}),
        ('{% url "user_role_revoke" a b %}', {"a": loan, "b": other}),
        ('{% url "home" %}|{% url "collection_list" %}', {}),
        ('{% url "loan_detail" pk as link %}[{{ link }}]', {"pk": other}),
        ('{% url "division_detail" code %}', {"code": world.village}),  # a str converter: Django's way
        ('{% url "division_detail" code %}', {"code": "a&b c"}),  # quoted and escaped by Django
        ('{% url "loan_detail" pk %}', {"pk": "42"}),  # not an int: Django's way
        ('{% url "loan_detail" pk=pk %}', {"pk": loan}),  # keywords: Django's way
        ("{% url name pk %}", {"name": "ledger_entry", "pk": loan}),
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
    values = [
        dt.date(2026, 3, 5),
        dt.date(999, 1, 2),
        dt.datetime(2026, 12, 31, 23, 59),
        aware,
        None,
        "",
        "2026-01-01",
    ]
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        for value in values:
            for source in ('{{ v|date:"Y-m-d" }}', '{{ v|date:"Y年n月j日" }}', "{{ v|date }}"):
                ours, djangos = both(source, {"v": value})
                assert ours == djangos, (source, value)
        assert both('{{ v|date:"Y-m-d" }}', {"v": aware})[0] == "2026-02-01"


def test_the_schedule_and_collection_rows_are_the_loops_they_replace():
    # loans/loan.html and cob/collections.html write these tables with a filter (one pass, not a
    # template loop of ≈ 35 µs a row): the same markup as the loops, escaping included
    from types import SimpleNamespace as Item

    from fupin.loans.models import Installment

    schedule_loop = (
        '{% load fupin %}{% for i in installments %}<tr><td class="num">{{ i.seq }}</td><td class="num">'
        '{{ i.due_date|date:"Y-m-d" }}</td><td class="num">{{ i.principal|yuan }}</td><td class="num">'
        '{{ i.interest|yuan }}</td><td class="num">{{ i.principal|add:i.interest|yuan }}</td><td class="num">'
        '{{ i.principal_paid|add:i.interest_paid|yuan }}</td><td class="num">{% if i.penalty_paid %}'
        "{{ i.penalty_paid|yuan }}{% endif %}</td></tr>{% endfor %}"
    )
    installments = [
        Installment(
            seq=n,
            due_date=dt.date(2026, 1, 5) + dt.timedelta(weeks=n),
            principal=n * 1_000_007,
            interest=n * 3 + 1,
            principal_paid=n * 999,
            interest_paid=n,
            penalty_paid=(n % 3) * 17,
        )
        for n in range(1, 60)
    ]
    collection_loop = (
        "{% load fupin %}{% for i in items %}<tr><td><a href=\"{% url 'loan_detail' i.loan_id %}\">"
        "{{ i.loan.contract_no }}</a></td><td>{{ i.loan.household.registry_no }}</td><td "
        'class="num">{{ i.due|yuan }}'
        '</td><td class="num">{{ i.arrears|yuan }}</td><td class="num">{{ i.dpd|default:"" }}</td><td></td>'
        "</tr>"
        "{% endfor %}"
    )
    items = [
        Item(
            loan_id=n,
            loan=Item(contract_no=f"HT<{n}>&\"'", household=Item(registry_no=f"户<b>{n}</b>")),
            due=n * 12_345,
            arrears=(n % 2) * 99,
            dpd=[0, None, 17][n % 3],
        )
        for n in range(40)
    ]
    for loop, rows, context in (
        (schedule_loop, "{{ installments|schedule_rows }}", {"installments": installments}),
        (collection_loop, "{{ items|collection_rows }}", {"items": items}),
    ):
        ours, django = (
            OURS.from_string(s).render(Context(context)) for s in ("{% load fupin %}" + rows, loop)
        )
        assert ours == django and ours.count("<tr>") == len(next(iter(context.values())))
    assert "HT&lt;1&gt;&amp;&quot;&#x27;" in OURS.from_string(
        "{% load fupin %}{{ items|collection_rows }}"
    ).render(Context({"items": items}))
