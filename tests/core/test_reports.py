"""Report arithmetic (DOMAIN §10): periods, the seed's bands, the regulator's flag (R-RPT-1a) and
ratios — the docstrings' worked examples checked."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.core import reports as core
from fupin.core.errors import ValidationFailed


def test_periods():
    m = core.period("2026-02")
    assert (m.start, m.end, m.year_start) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 1, 1))
    q = core.period("2026-q4")
    assert (q.label, q.start, q.end) == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    for bad in ("2026-13", "2026-Q5", "26-01", "", "2026/01"):
        with pytest.raises(ValidationFailed):
            core.period(bad)


def test_bands_of_the_seed():
    assert [
        core.band(x, core.SIZE_BANDS) for x in (1_999_999, 2_000_000, 3_999_999, 4_000_000, 5_000_000)
    ] == ["2万元以下", "2万—3万元", "3万—4万元", "4万元及以上", "4万元及以上"]
    assert [core.band(a, core.AGE_BANDS) for a in (29, 30, 49, 59, 60)] == [
        "30岁以下",
        "30—39岁",
        "40—49岁",
        "50—59岁",
        "60岁及以上",
    ]
    assert [core.times_label(n) for n in (1, 5, 6, 17)] == ["第1次", "第5次", "第6次及以上", "第6次及以上"]
    assert [core.dpd_bucket(d) for d in (0, 1, 30, 31, 90, 91, 180, 181)] == [
        None,
        "1—30天",
        "1—30天",
        "31—90天",
        "31—90天",
        "91—180天",
        "91—180天",
        "180天以上",
    ]


def test_regulator_flag_worked_example():
    ok = dict(registered_poor=True, amount=5_000_000, term_months=36, product="subsidy")
    assert core.regulator_flag(**ok)
    assert not core.regulator_flag(**{**ok, "term_months": 37})
    assert not core.regulator_flag(**{**ok, "amount": 5_000_001})
    assert not core.regulator_flag(**{**ok, "product": "seasonal"})  # a guarantor: not credit
    assert not core.regulator_flag(**{**ok, "registered_poor": False})


def test_percent_worked_example():
    assert core.percent(9915, 10000) == "99.15"
    assert core.percent(1, 3) == "33.33" and core.percent(2, 3) == "66.67"
    assert core.percent(1, 0) is None  # nothing below the line: no rate, not 0 %
