"""Pickers instead of typed codes (issue 27 (7)): divisions by name in groups by township, report
periods as months and quarters — on the report pages, the collection list, the rounds, webhooks
and the role form."""

from __future__ import annotations

import re

import pytest

from fupin.reports.views import periods

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="(\d{12})"[^>]*>([^<]+)</option>')


def picker_of(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_report_pages_pick_a_division_by_name_and_a_period_from_a_list(world):
    c = world.client("poverty_office")
    html = c.get("/reports/", {"period": "2026-10"}).content.decode()
    divisions = picker_of(html, "division")
    groups = re.findall(r'<optgroup label="([^"]+)">', divisions)
    assert groups[0] == "县" and len(groups) == 1 + 2  # the county, then each of the two townships
    shown = OPTION.findall(divisions)
    assert len(shown) == 1 + 2 + 12 and all(not re.search(r"\d{6}", label) for _, label in shown)
    assert '<option value="2026-10" selected>2026 年 10 月</option>' in picker_of(html, "period")
    assert "YYYY" not in html
    # a village cadre picks their own village only, under its township's name
    cadre = picker_of(world.client("village_cadre").get("/reports/indicators/").content.decode(), "division")
    assert [code for code, _ in OPTION.findall(cadre)] == [world.village]


def test_the_periods_are_this_month_and_quarter_and_those_before():
    import datetime as dt

    (months_label, months), (quarters_label, quarters) = periods(dt.date(2026, 1, 15), "2026-01")
    assert (months_label, quarters_label) == ("月报", "季报")
    assert months[:2] == [("2026-01", "2026 年 1 月"), ("2025-12", "2025 年 12 月")] and len(months) == 24
    assert quarters[:2] == [("2026-Q1", "2026 年第 1 季度"), ("2025-Q4", "2025 年第 4 季度")]
    older = periods(dt.date(2026, 1, 15), "2019-Q2")[1][1]
    assert older[-1] == ("2019-Q2", "2019-Q2")  # a period asked for outside the list stays chosen


@pytest.mark.parametrize(
    ("role", "path", "field"),
    [
        ("loan_officer", "/cob/collections/", "village"),
        ("township_cadre", "/ratings/", "village"),
        ("sysadmin", "/webhooks/", "division"),
        ("sysadmin", "/users/new/", "division"),
    ],
)
def test_no_typed_division_codes(world, role, path, field):
    html = world.client(role).get(path).content.decode()
    options = OPTION.findall(picker_of(html, field))
    assert options and all(not re.search(r"\d{6}", label) for _, label in options)
    assert 'pattern="\\d{12}"' not in html and 'pattern="[0-9]{12}"' not in html
