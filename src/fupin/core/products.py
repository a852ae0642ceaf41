"""Product presets P-GROUP, P-SEASONAL, P-SUBSIDY, P-ANNUAL, P-LEAD (DOMAIN §4) as
versioned data, with the bounds checks that explain failures in Chinese (R-PRD-5).

A preset fills every term it defines; the caller may override any of them, and the
result is then checked against the preset's bounds (amount, term, rate ceiling). A loan
keeps the preset version it was made under (``code`` + ``version``).

Benchmark rates: the one-year and five-year Loan Prime Rates in force since
2025-05-20 (3.0 % and 3.5 %). They are data: a county enters the rate of the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from fupin.core.errors import ValidationFailed
from fupin.core.money import fmt
from fupin.core.schedule.terms import TERM_UNITS, Terms


@dataclass(frozen=True)
class Benchmark:
    """贷款市场报价利率 (LPR) in force from ``effective``: the one-year rate and the rate for five
    years and over. Policy data an authorised person enters (fupin.products.benchmarks); a loan
    takes the one in force on its contract date."""

    effective: dt.date
    one_year: Fraction
    five_year: Fraction

    def for_term(self, months: Fraction | int) -> Fraction:
        """The benchmark for a term: the one-year LPR up to 12 months, the five-year beyond."""
        return self.one_year if months <= 12 else self.five_year


# the LPR the presets were written with (published 2025-05-20): the rate where no history is kept
LPR = Benchmark(dt.date(2025, 5, 20), Fraction("0.030"), Fraction("0.035"))
LPR_1Y, LPR_5Y = LPR.one_year, LPR.five_year
ONE_YEAR_LPR = "lpr_1y"  # a preset's default rate: the one-year LPR in force on the contract date


@dataclass(frozen=True)
class Bounds:
    min_amount: int  # fen
    max_amount: int | None  # fen; None = no ceiling
    term_unit: str | None = "month"  # None: any unit, bounds in months-equivalent
    min_term: int = 1
    max_term: int = 360
    allowed_terms: tuple[int, ...] = ()  # when set, only these terms
    lpr_ceiling: bool = False  # the rate may not exceed the LPR for the term (不高于基准利率)


@dataclass(frozen=True)
class LeadAllowance:
    """P-LEAD: what a lead household may borrow for each poor household under a signed
    agreement, and the ceiling of the whole loan (fen) — one pair from one source (篇3: 5 000
    each, at most 50 000; 篇7's 50 000 each and 500 000 is another product's configuration)."""

    per_household: int
    ceiling: int


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    version: str
    rules: str
    defaults: dict[str, Any] = field(default_factory=dict)
    bounds: Bounds = field(default_factory=lambda: Bounds(1, None))
    rate_by_term: bool = False  # default rate = LPR 1Y for ≤ 12 months, LPR 5Y beyond
    lead: LeadAllowance | None = None  # P-LEAD's allowance, for lead-household products
    # the "actual annual rate" the programme's documents state (P-GROUP, 篇1: 18 %), shown beside
    # the true APR and EAR, which it is not (docs/money-and-rounding.md)
    stated_rate: Fraction | None = None
    # partial prepayment (部分提前还款): the methods offered, of :data:`fupin.core.schedule.prepay.METHODS`
    prepayment: tuple[str, ...] = ()
    guarantors: int = 0  # guarantors a loan must have before its contract (P-SEASONAL "1+1": one)

    def default_rate(self, term: int, term_unit: str, benchmark: Benchmark = LPR) -> Fraction | None:
        if self.rate_by_term:
            return benchmark.for_term(_months(term, term_unit))
        rate = self.defaults.get("annual_rate")
        if rate == ONE_YEAR_LPR:
            return benchmark.one_year
        return rate if isinstance(rate, Fraction) else None

    def terms(self, *, principal: int, start: dt.date, benchmark: Benchmark = LPR, **overrides: Any) -> Terms:
        """Terms of a loan under this preset; overrides win. Bounds are checked. ``benchmark``: the
        LPR in force on the contract date (the default rate and ceiling of the LPR products)."""
        values: dict[str, Any] = {k: v for k, v in self.defaults.items() if k != "annual_rate"}
        values.update({k: v for k, v in overrides.items() if v is not None})
        term = values.get("term")
        unit = values.get("term_unit", "month")
        if term is None:
            raise ValidationFailed(f"产品“{self.name}”须给出贷款期限（--term）", code="term_required")
        if values.get("annual_rate") is None:
            rate = self.default_rate(term, unit, benchmark)
            if rate is None:
                raise ValidationFailed(f"产品“{self.name}”须给出年利率（--rate）", code="rate_required")
            values["annual_rate"] = rate
        terms = Terms(principal=principal, start=start, **values)
        self.check_bounds(terms, benchmark)
        return terms

    def check_bounds(self, terms: Terms, benchmark: Benchmark = LPR) -> None:
        b = self.bounds
        problems: list[str] = []
        if terms.principal < b.min_amount:
            problems.append(
                f"贷款金额 {fmt(terms.principal)} 元低于产品“{self.name}”下限 {fmt(b.min_amount)} 元"
            )
        if b.max_amount is not None and terms.principal > b.max_amount:
            problems.append(
                f"贷款金额 {fmt(terms.principal)} 元超过产品“{self.name}”上限 {fmt(b.max_amount)} 元"
            )
        unit = TERM_UNITS.get(terms.term_unit, terms.term_unit)
        if b.term_unit is None:
            if _months(terms.term, terms.term_unit) > b.max_term:
                problems.append(f"贷款期限不能超过 {b.max_term} 个月")
        elif terms.term_unit != b.term_unit:
            problems.append(f"产品“{self.name}”的期限单位应为{TERM_UNITS[b.term_unit]}")
        elif b.allowed_terms and terms.term not in b.allowed_terms:
            allowed = "、".join(str(x) for x in b.allowed_terms)
            problems.append(f"产品“{self.name}”的期限只能是 {allowed} {unit}，不能是 {terms.term} {unit}")
        elif not b.min_term <= terms.term <= b.max_term:
            problems.append(
                f"产品“{self.name}”的期限应在 {b.min_term}–{b.max_term} {unit}之间，不能是 "
                f"{terms.term} {unit}"
            )
        ceiling = benchmark.for_term(_months(terms.term, terms.term_unit)) if b.lpr_ceiling else None
        if ceiling is not None and terms.annual_rate > ceiling:
            problems.append(
                f"年利率 {float(terms.annual_rate):.4%} 超过产品“{self.name}”上限 "
                f"{float(ceiling):.4%}（不高于基准利率：{benchmark.effective:%Y-%m-%d} 起的贷款市场报价利率）"
            )
        if problems:
            raise ValidationFailed("；".join(problems), code="product_bounds", details=problems)


def _months(term: int, unit: str) -> Fraction:
    return Fraction(term) if unit == "month" else Fraction(term * 12, 52 if unit == "week" else 360)


YUAN = 100
# P-LEAD (篇3): 5 000 for each poor household driven, at most 50 000 — the loan's ceiling too
P_LEAD = LeadAllowance(per_household=5_000 * YUAN, ceiling=50_000 * YUAN)
# R-PRD-2 as Chinese banks practise it (遇节假日顺延): an instalment due on a weekend or statutory
# holiday is paid on the next working day, its interest still counted to the scheduled date
BANK_HOLIDAY_RULE = "next"
PRESETS: dict[str, Preset] = {
    p.code: p
    for p in [
        Preset(
            code="group",
            name="五户联保互助小组周期贷款",
            version="2026.1",
            rules="P-GROUP",
            defaults=dict(
                annual_rate=Fraction("0.08"),
                term=12,
                term_unit="month",
                holiday_shift="none",  # the group meets on its day in the village (day 14 … day 357)
                shape="fixed_percent",
                frequency="weekly",
                fixed_percent=Fraction("0.02"),
                first_due_days=14,
                upfront_interest_share=Fraction(1, 2),
            ),
            bounds=Bounds(1_000 * YUAN, 50_000 * YUAN, allowed_terms=(12,)),
            stated_rate=Fraction("0.18"),
        ),
        Preset(
            code="seasonal",
            name="“1+1”个人信用担保季节贷款",
            version="2026.1",
            rules="P-SEASONAL",
            defaults=dict(
                annual_rate=Fraction("0.165"),
                term=6,
                term_unit="month",
                holiday_shift=BANK_HOLIDAY_RULE,
                shape="interest_only",
                frequency="monthly",
                upfront_fee_rate=Fraction("0.01"),
                deposit_rate=Fraction("0.05"),
            ),
            bounds=Bounds(3_000 * YUAN, 30_000 * YUAN, allowed_terms=(3, 6, 9)),
            guarantors=1,  # 篇1: "1+1" — the borrower and one guarantor (a shop owner or civil servant)
            prepayment=("reduce",),  # interest each period and the final principal fall
        ),
        Preset(
            code="subsidy",
            name="脱贫人口小额信贷",
            version="2026.1",
            rules="P-SUBSIDY",
            defaults=dict(
                term=36,
                term_unit="month",
                holiday_shift=BANK_HOLIDAY_RULE,
                shape="interest_only",
                frequency="quarterly",
                settlement_day=20,
                interest_basis="act360",
            ),
            bounds=Bounds(
                1_000 * YUAN,
                50_000 * YUAN,
                min_term=1,
                max_term=36,
                lpr_ceiling=True,
            ),
            rate_by_term=True,
            prepayment=("reduce",),  # interest each period and the final principal fall
        ),
        Preset(
            code="annual",
            name="扶贫小额贷款（一年期）",
            version="2026.1",
            rules="P-ANNUAL",
            defaults=dict(
                annual_rate=ONE_YEAR_LPR,
                term=12,
                term_unit="month",
                holiday_shift=BANK_HOLIDAY_RULE,
                shape="interest_only",
                frequency="quarterly",
                settlement_day=20,
                interest_basis="act360",
            ),
            bounds=Bounds(1_000 * YUAN, 10_000 * YUAN, allowed_terms=(12,), lpr_ceiling=True),
            prepayment=("reduce",),  # interest each period and the final principal fall
        ),
        Preset(
            code="lead",
            name="带动大户（新型农业经营主体）贷款",
            version="2026.1",
            rules="P-LEAD",
            defaults=dict(
                annual_rate=ONE_YEAR_LPR,
                term=12,
                term_unit="month",
                holiday_shift=BANK_HOLIDAY_RULE,
                shape="interest_only",
                frequency="quarterly",
                settlement_day=20,
                interest_basis="act360",
            ),
            bounds=Bounds(5_000 * YUAN, P_LEAD.ceiling, min_term=6, max_term=36),
            lead=P_LEAD,
            prepayment=("reduce",),  # interest each period and the final principal fall
        ),
        Preset(
            code="custom",
            name="自定义",
            version="2026.1",
            rules="R-PRD-1",
            defaults=dict(
                term_unit="month", shape="equal_installment", frequency="monthly", holiday_shift="none"
            ),
            bounds=Bounds(1, None, term_unit=None, min_term=1, max_term=360),
            prepayment=("reduce", "shorten"),
        ),
    ]
}


def preset(code: str) -> Preset:
    try:
        return PRESETS[code]
    except KeyError:
        raise ValidationFailed(
            f"未知的产品“{code}”，可选：{'、'.join(PRESETS)}", code="product_unknown"
        ) from None


def lead_amount(per_household: int, households: int, ceiling: int) -> int:
    """P-LEAD: allowance per driven household × households under signed agreements, capped.

    Worked example (篇3): 5 000 × 12 households = 60 000, capped at 50 000.
    """
    return min(per_household * households, ceiling)


__all__ = [
    "LPR",
    "LPR_1Y",
    "LPR_5Y",
    "PRESETS",
    "Benchmark",
    "Bounds",
    "LeadAllowance",
    "Preset",
    "lead_amount",
    "preset",
]
