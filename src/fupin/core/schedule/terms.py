"""What a schedule is generated from: the loan's terms, checked and exact.

Amounts are integer fen, rates exact :class:`fractions.Fraction` values (built from the
decimal strings people type), dates :class:`datetime.date`. Nothing here rounds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, fields
from fractions import Fraction
from typing import Literal

from fupin.core.calendar import TermUnit, add_term
from fupin.core.errors import ValidationFailed
from fupin.core.money import Rounding

Shape = Literal["equal_installment", "equal_principal", "interest_only", "bullet", "flat", "fixed_percent"]
Frequency = Literal["weekly", "biweekly", "monthly", "quarterly", "maturity"]
Basis = Literal["period", "act360", "act365"]
HolidayShift = Literal["none", "next"]

SHAPES: dict[str, str] = {
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_only": "按期付息、到期还本",
    "bullet": "到期一次还本付息",
    "flat": "等本平息",
    "fixed_percent": "每期固定比例还本、平息",
}
FREQUENCIES: dict[str, str] = {
    "weekly": "每周",
    "biweekly": "每两周",
    "monthly": "每月",
    "quarterly": "每季",
    "maturity": "到期一次",
}
BASES: dict[str, str] = {"period": "按期（年利率÷期数）", "act360": "实际天数/360", "act365": "实际天数/365"}
TERM_UNITS: dict[str, str] = {"day": "天", "week": "周", "month": "个月"}
PERIODS_PER_YEAR: dict[str, int] = {"weekly": 52, "biweekly": 26, "monthly": 12, "quarterly": 4}
# one period of each frequency, as (count, unit) for date-to-date stepping
PERIOD_STEP: dict[str, tuple[int, TermUnit]] = {
    "weekly": (7, "day"),
    "biweekly": (14, "day"),
    "monthly": (1, "month"),
    "quarterly": (3, "month"),
}


@dataclass(frozen=True, slots=True)
class Terms:
    """A loan's repayment terms. See ``fupin schedule --help`` for the meaning of each."""

    principal: int  # fen
    annual_rate: Fraction
    start: dt.date  # disbursement date
    term: int
    term_unit: TermUnit = "month"
    shape: Shape = "equal_installment"
    frequency: Frequency = "monthly"
    interest_basis: Basis = "period"
    rounding: Rounding = "half_up"
    installment_multiple: int = 0  # fen; 0 = no rounding of instalment totals
    principal_grace: int = 0  # periods of interest only before principal starts
    settlement_day: int | None = None  # fixed day of month (monthly) / of Mar-Jun-Sep-Dec (quarterly)
    holiday_shift: HolidayShift = "none"
    first_due_days: int | None = None  # irregular first period: first due N days after start
    upfront_interest_share: Fraction = Fraction(0)  # share of total interest collected at disbursement
    fixed_percent: Fraction | None = None  # principal per period as a share of the loan (fixed_percent)
    upfront_fee_rate: Fraction = Fraction(0)  # fee (保障金) collected at disbursement, share of principal
    deposit_rate: Fraction = Fraction(0)  # deposit (保证金) held from disbursement to maturity

    def check(self) -> None:
        """Raise :class:`ValidationFailed` listing every problem with these terms."""
        problems: list[str] = []
        if self.principal <= 0:
            problems.append("本金必须大于零")
        if not (0 <= self.annual_rate < 1):
            problems.append("年利率必须在 [0, 1) 之间")
        if self.term <= 0:
            problems.append("期限必须为正整数")
        if self.shape not in SHAPES:
            problems.append(f"未知的还款方式“{self.shape}”，可选：{'、'.join(SHAPES)}")
        if self.frequency not in FREQUENCIES:
            problems.append(f"未知的还款频率“{self.frequency}”，可选：{'、'.join(FREQUENCIES)}")
        if self.interest_basis not in BASES:
            problems.append(f"未知的计息基础“{self.interest_basis}”，可选：{'、'.join(BASES)}")
        if self.term_unit not in TERM_UNITS:
            problems.append(f"未知的期限单位“{self.term_unit}”，可选：day、week、month")
        if self.rounding not in ("half_up", "half_even"):
            problems.append("舍入方式只能是 half_up 或 half_even")
        if self.holiday_shift not in ("none", "next"):
            problems.append("节假日规则只能是 none 或 next")
        if self.installment_multiple < 0:
            problems.append("每期金额取整单位不能为负")
        if self.principal_grace < 0:
            problems.append("宽限期数不能为负")
        if self.settlement_day is not None:
            if not 1 <= self.settlement_day <= 31:
                problems.append("结息日必须在 1 到 31 之间")
            if self.frequency not in ("monthly", "quarterly"):
                problems.append("固定结息日仅适用于按月或按季还款")
        if self.first_due_days is not None and self.first_due_days <= 0:
            problems.append("首期天数必须为正")
        if self.shape == "fixed_percent":
            if self.fixed_percent is None or not (0 < self.fixed_percent <= 1):
                problems.append("固定比例还本方式须给出 (0, 1] 之间的每期还本比例")
        if not (0 <= self.upfront_interest_share <= 1):
            problems.append("预收利息比例必须在 [0, 1] 之间")
        if (
            self.upfront_fee_rate < 0
            or self.deposit_rate < 0
            or self.upfront_fee_rate + self.deposit_rate >= 1
        ):
            problems.append("费用与保证金比例必须非负且合计小于 1")
        if self.shape == "bullet" and self.frequency != "maturity":
            problems.append("到期一次还本付息方式的还款频率应为 maturity")
        if self.frequency == "maturity" and self.shape not in ("bullet", "interest_only"):
            problems.append("到期一次还款频率只适用于 bullet 方式")
        if self.term > 0 and self.term_unit in TERM_UNITS and not _fits_the_calendar(self):
            problems.append(
                f"放款日 {self.start.isoformat()} 起的还款计划超出可用日期（公元 9999 年底），"
                "请检查放款日与期限"
            )
        if problems:
            raise ValidationFailed("；".join(problems), code="terms_invalid", details=problems)


def _fits_the_calendar(t: Terms) -> bool:
    """Whether the schedule's dates, with a year's room for shifting and settlement days, exist."""
    try:
        add_term(t.start, t.term, t.term_unit) + dt.timedelta(days=400)
    except (ValueError, OverflowError):
        return False
    return True


def terms_to_dict(t: Terms) -> dict[str, object]:
    """Terms as stored with a loan: fractions as exact strings ("1/2"), dates in ISO form."""
    out: dict[str, object] = {}
    for f in fields(t):
        v = getattr(t, f.name)
        out[f.name] = str(v) if isinstance(v, Fraction) else v.isoformat() if isinstance(v, dt.date) else v
    return out


def terms_from_dict(d: dict[str, object]) -> Terms:
    """The inverse of :func:`terms_to_dict` (exact: ``terms_from_dict(terms_to_dict(t)) == t``)."""
    kw: dict[str, object] = {}
    for f in fields(Terms):
        v = d.get(f.name, MISSING)
        if v is MISSING:
            continue
        if f.name == "start":
            v = dt.date.fromisoformat(str(v))
        elif f.name in FRACTIONS and v is not None:
            v = Fraction(str(v))
        kw[f.name] = v
    return Terms(**kw)  # type: ignore[arg-type]


FRACTIONS = frozenset(
    {"annual_rate", "upfront_interest_share", "fixed_percent", "upfront_fee_rate", "deposit_rate"}
)
