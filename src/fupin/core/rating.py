"""Credit rating (评级授信, DOMAIN §3): scorecards, panel aggregation, grades, credit lines,
and the dynamic grade steps the nightly batch applies.

* A scorecard (R-RAT-1, 1a) has items; each scores a value one of three ways: by **range**
  (value in [lo, hi) → points), by **option** (a choice → points) or by **formula**
  (points = (value − standard) ÷ step × points-per-step, added to a base, clamped to
  [floor, cap]). The total picks a grade (score ranges with a coefficient); the credit line
  is the grade's base line (× coefficient when configured, plus shares of assets or
  business income), capped by the programme (R-RAT-2).
* Back-to-back review (R-RAT-1b): panel members score alone; :func:`aggregate` combines
  their totals (mean, median or trimmed mean), reports the spread and flags outliers.
* The village panel (R-RAT-3) may sign only when villager representatives are at least
  2/5 of it: :func:`panel_problems`.
* Dynamic grades (R-RAT-4): :func:`next_grade`.

Scorecards are versioned data; a rating keeps the version it was made with.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from fupin.core.errors import ProblemList, ValidationFailed

Method = Literal["range", "option", "formula"]


@dataclass(frozen=True)
class Band:
    lo: Decimal | None  # inclusive; None = no lower bound
    hi: Decimal | None  # exclusive; None = no upper bound
    points: Decimal


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    method: Method
    max_points: Decimal
    bands: tuple[Band, ...] = ()  # range
    options: Mapping[str, Decimal] = field(default_factory=dict)  # option
    standard: Decimal = Decimal(0)  # formula
    step: Decimal = Decimal(1)
    per_step: Decimal = Decimal(0)
    base: Decimal = Decimal(0)
    floor: Decimal = Decimal(0)

    def score(self, value: object) -> Decimal:
        """Points for ``value``; a value the item cannot score is refused in Chinese."""
        if self.method == "option":
            if value not in self.options:
                raise ValidationFailed(f"“{self.label}”没有选项“{value}”，可选：{'、'.join(self.options)}",
                                       code="rating_option")
            return self.options[str(value)]
        x = _number(value, self.label)
        if self.method == "range":
            for b in self.bands:
                if (b.lo is None or x >= b.lo) and (b.hi is None or x < b.hi):
                    return b.points
            raise ValidationFailed(f"“{self.label}”的值 {x} 不在任何评分区间内", code="rating_range")
        points = self.base + (x - self.standard) / self.step * self.per_step
        return min(max(points, self.floor), self.max_points).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    min_score: Decimal  # inclusive
    base_line: Decimal  # yuan
    coefficient: Decimal = Decimal(1)


@dataclass(frozen=True)
class Scorecard:
    code: str
    version: str
    items: tuple[Item, ...]
    grades: tuple[Grade, ...]  # any order; the highest min_score reached wins
    cap: Decimal  # the programme's ceiling on a credit line
    use_coefficient: bool = False
    asset_share: Decimal = Decimal(0)  # credit line += share × assets
    income_share: Decimal = Decimal(0)  # credit line += share × business income

    def check_scores(self, scores: Mapping[str, Decimal]) -> None:
        """A panel member's item scores must name every item once and stay within its bounds."""
        problems = ProblemList()
        for item in self.items:
            if item.code not in scores:
                problems.add(f"缺少“{item.label}”的评分", field=item.code)
            elif not Decimal(0) <= scores[item.code] <= item.max_points:
                problems.add(f"“{item.label}”的评分 {scores[item.code]} 超出 0–{item.max_points}", field=item.code)
        for code in scores:
            if code not in {i.code for i in self.items}:
                problems.add(f"评分表没有指标“{code}”", field=code)
        problems.raise_if_any("评分有误", code="rating_scores")

    def grade_of(self, score: Decimal) -> Grade | None:
        reached = [g for g in self.grades if score >= g.min_score]
        return max(reached, key=lambda g: g.min_score) if reached else None

    def credit_line(self, grade: Grade | None, *, assets: Decimal = Decimal(0), income: Decimal = Decimal(0)) -> Decimal:
        """Base line (× coefficient) + shares of assets and income, capped; whole yuan, rounded down.

        Worked example (篇2 table): grade AA, base 10 000, no shares → 10 000; with a 10 % asset
        share and 50 000 of assets → 15 000; capped at the programme's 50 000.
        """
        if grade is None:
            return Decimal(0)
        line = grade.base_line * (grade.coefficient if self.use_coefficient else 1)
        line += self.asset_share * assets + self.income_share * income
        return min(line, self.cap).quantize(Decimal(1), rounding="ROUND_DOWN")


def _number(value: object, label: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(f"“{label}”应为数值（以字符串或整数给出）", code="rating_value")
    try:
        return Decimal(str(value))
    except Exception:
        raise ValidationFailed(f"“{label}”应为数值，收到“{value}”", code="rating_value") from None


Aggregation = Literal["mean", "median", "trimmed_mean"]


@dataclass(frozen=True)
class Aggregate:
    score: Decimal
    spread: Decimal  # highest − lowest
    outliers: tuple[int, ...]  # positions of members far from the others


def aggregate(totals: Sequence[Decimal], method: Aggregation = "mean", outlier_points: Decimal = Decimal(15)) -> Aggregate:
    """Combine panel members' totals (R-RAT-1b). Trimmed mean drops one highest and one lowest
    (with at least 4 members). A member whose total is more than ``outlier_points`` from the
    median of the others is flagged, so that a reviewer far from the rest can be questioned.

    Worked example: 80, 82, 85, 60 → mean 76.75, median 81, trimmed mean 81; spread 25;
    the 60 is flagged (22 below the others' median of 82).
    """
    if not totals:
        raise ValidationFailed("没有任何评议成员的评分", code="rating_no_scores")
    xs = [Fraction(t) for t in totals]
    if method == "median":
        value = Fraction(statistics.median(xs))
    elif method == "trimmed_mean" and len(xs) >= 4:
        kept = sorted(xs)[1:-1]
        value = sum(kept, Fraction(0)) / len(kept)
    else:
        value = sum(xs, Fraction(0)) / len(xs)
    outliers = []
    for i, x in enumerate(xs):
        others = xs[:i] + xs[i + 1:]
        if others and abs(x - Fraction(statistics.median(others))) > Fraction(outlier_points):
            outliers.append(i)
    score = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Aggregate(score=score, spread=Decimal(max(totals) - min(totals)), outliers=tuple(outliers))


def panel_problems(members: Sequence[str], *, min_representative_share: Fraction = Fraction(2, 5)) -> list[str]:
    """Why a village panel may not sign (R-RAT-3): villager representatives must be at least
    2/5 of its members. ``members`` are role codes: "representative", "committee",
    "township", "work_team". Worked example: 2 representatives of 5 may sign; 1 of 3 may not."""
    out = []
    if not members:
        return ["评议小组没有成员"]
    reps = sum(1 for m in members if m == "representative")
    if Fraction(reps, len(members)) < min_representative_share:
        out.append(f"村民代表 {reps} 人，占评议小组 {len(members)} 人的比例低于 {min_representative_share.numerator}/"
                   f"{min_representative_share.denominator}，评议小组不能签字")
    return out


def next_grade(ladder: Sequence[str], current: str, event: Literal["repaid_on_time", "overdue", "default"]) -> str:
    """Dynamic grades (R-RAT-4) on a ladder from best to worst: full on-time repayment raises
    one step, any overdue instalment lowers one step, default drops to the bottom."""
    i = ladder.index(current)
    if event == "repaid_on_time":
        return ladder[max(0, i - 1)]
    if event == "overdue":
        return ladder[min(len(ladder) - 1, i + 1)]
    return ladder[-1]


SEED_GRADES = (  # 篇2: 信用户 30 000 … 四级 1 000 (R-RAT-2)
    Grade("AAA", "信用户", Decimal(90), Decimal(30000)),
    Grade("AA", "一级信用户", Decimal(80), Decimal(10000)),
    Grade("A", "二级信用户", Decimal(70), Decimal(6000)),
    Grade("B", "三级信用户", Decimal(60), Decimal(4000)),
    Grade("C", "四级信用户", Decimal(50), Decimal(1000)),
)
