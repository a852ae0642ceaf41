"""The rural credit-information service — 农户信用信息 (DOMAIN §13, 篇5, 篇7), pure.

* R-CRD-1 — items come from several sources, each with its source department and date, in four
  categories (:data:`CATEGORIES`);
* R-CRD-2 — an adverse record is no longer shown **5 years after the adverse event ended**
  (征信业管理条例 第十六条): ended 2021-03-01 → shown up to 2026-02-28, hidden from 2026-03-01; an
  adverse event not yet ended is always shown (:func:`shown`);
* R-CRD-3 — lead households (带动主体) and cooperatives are rated with scorecards of their own
  (:data:`LEAD`, :data:`COOP`), not the household model.

Worked example (tests/core/test_creditinfo.py): a lead household of 4 years with 6 driven
households, 5 of them without arrears, never late itself, output 400 000 yuan →
15 + 18 + 17 (20 × 5/6 = 16.67 → 17) + 25 + 6 = **81 → AA**; a cooperative with a 50 % membership
rate, 66 % borrowing rate, 97 % repayment, 150 000 yuan of capital, 2 years →
21 (25 × 50/60 = 20.83 → 21) + 25 + 20 + 10 + 6 = **82 → AA**.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

CATEGORIES: dict[str, str] = {
    "basic": "基本信息",
    "economic": "经济信息",
    "bank": "银行信用信息",
    "nonbank": "非银行信用信息",
}
HIDE_AFTER_YEARS = 5
GRADES: tuple[tuple[int, str], ...] = ((90, "AAA"), (80, "AA"), (70, "A"), (60, "B"), (0, "C"))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def shown(*, adverse: bool, ended: dt.date | None, on: dt.date) -> bool:
    """Whether an item is shown on ``on`` (see the module)."""
    return not adverse or ended is None or on < add_years(ended, HIDE_AFTER_YEARS)


def _half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2))


def _steps(steps: tuple[tuple[Fraction | int, int], ...]) -> Callable[[Fraction], int]:
    def points(value: Fraction) -> int:
        return next((p for low, p in steps if value >= low), 0)

    return points


def _share(top: int, target: Fraction | None = None) -> Callable[[Fraction], int]:
    def points(value: Fraction) -> int:
        if target is not None:
            return top if value >= target else _half_up(top * value / target)
        return _half_up(top * value)

    return points


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    top: int
    points: Callable[[Fraction], int]


LEAD: tuple[Factor, ...] = (
    Factor("years", "经营年限（年）", 20, _steps(((5, 20), (3, 15), (1, 8)))),
    Factor("driven", "带动贫困户数", 25, _steps(((10, 25), (5, 18), (1, 10)))),
    Factor("driven_clean", "被带动户无拖欠的比例", 20, _share(20)),
    Factor(
        "own_record",
        "自身还款记录（0 从未逾期 / 1 曾逾期已结清 / 2 尚有拖欠）",
        25,
        lambda v: {0: 25, 1: 10}.get(int(v), 0),
    ),
    Factor("output", "年产值（元）", 10, _steps(((1_000_000, 10), (300_000, 6), (0, 2)))),
)
COOP: tuple[Factor, ...] = (
    Factor("membership", "入社率", 25, _share(25, Fraction(60, 100))),
    Factor("borrowing", "借款率", 25, _share(25, Fraction(60, 100))),
    Factor(
        "repayment",
        "到期借款还款率",
        30,
        _steps(((Fraction(98, 100), 30), (Fraction(95, 100), 20), (Fraction(90, 100), 10))),
    ),
    Factor("capital", "互助资金（元）", 10, _steps(((150_000, 10), (0, 5)))),
    Factor("years", "运行年限（年）", 10, _steps(((3, 10), (1, 6), (0, 2)))),
)
SCORECARDS: dict[str, tuple[Factor, ...]] = {"lead": LEAD, "coop": COOP}
KINDS: dict[str, str] = {"lead": "带动主体（龙头户、大户）", "coop": "扶贫互助社"}


@dataclass(frozen=True)
class EntityScore:
    total: int
    grade: str
    lines: tuple[tuple[str, str, str, int, int], ...]  # key, label, value, points, top


def grade(total: int) -> str:
    return next(g for low, g in GRADES if total >= low)


def score(kind: str, facts: dict[str, object]) -> EntityScore:
    """Score a lead household or a cooperative on its own scorecard (R-CRD-3); every factor must
    be given (:class:`KeyError` names the one missing)."""
    lines = []
    for f in SCORECARDS[kind]:
        value = facts[f.key]
        pts = min(f.top, max(0, f.points(Fraction(str(value)))))
        lines.append((f.key, f.label, str(value), pts, f.top))
    total = sum(line[3] for line in lines)
    return EntityScore(total, grade(total), tuple(lines))
