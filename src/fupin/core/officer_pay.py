"""Loan-officer performance pay (DOMAIN §11, 篇1), pure: the lines of one officer's month.

* R-PAY-1 — a share of the **normal** interest repaid (not rollovers, not extensions, not arrears
  recovered): group (cycle) loans 25 %, short-term loans 20 %; while the loan is outstanding 5 %
  of each month's settled interest, the rest of the share (20 % / 15 %) of the loan's normal
  interest when its principal is fully repaid;
* R-PAY-2 — month-end arrears on cycle loans are deducted: 30 000 – < 40 000 yuan: 10 % of
  overdue principal and 2.5 % of overdue interest; ≥ 40 000: 12.5 % and 2.5 %;
* R-PAY-3 — whoever collects an arrear gets the collection reward on it (谁收回谁提取);
* R-PAY-4 — every share and band is configuration (:class:`Rules`), every line says its formula.

Each line is rounded half-up once; the sheet's total is the sum of its lines. Worked examples
(checked by tests/core/test_officer_pay.py):

* a short-term loan settles 137.50 yuan of interest this month → 5 % = 6.875 → **6.88**; repaid in
  full with 412.50 of normal interest over its life → 15 % = 61.875 → **61.88**;
* a cycle loan of 35 000 with 1 400.00 overdue principal and 100.00 overdue interest at month-end
  → −(140.00 + 2.50) = **−142.50**; of 45 000 with 1 800.00 and 50.00 → −(225.00 + 1.25) = **−226.25**;
* 2 000.00 of arrears collected at a 5 % reward → **100.00**.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Kind = Literal["cycle", "short"]
KINDS: dict[str, str] = {"cycle": "周期贷款（联保）", "short": "短期贷款"}


@dataclass(frozen=True)
class Band:
    low: int  # fen, included
    high: int | None  # fen, excluded; None: no ceiling
    principal: Fraction
    interest: Fraction


@dataclass(frozen=True)
class Rules:
    share: dict[str, Fraction] = field(default_factory=lambda: {"cycle": Fraction(25, 100), "short": Fraction(20, 100)})
    current: Fraction = Fraction(5, 100)  # of each month's settled interest while outstanding
    bands: tuple[Band, ...] = (Band(3_000_000, 4_000_000, Fraction(10, 100), Fraction(25, 1000)),
                               Band(4_000_000, None, Fraction(125, 1000), Fraction(25, 1000)))
    reward: Fraction = Fraction(5, 100)  # of arrears collected (R-PAY-3)


@dataclass(frozen=True)
class LoanMonth:
    """What one loan did in the month, for the officer who manages it."""

    loan: int
    contract: str
    kind: Kind
    principal: int  # fen lent
    settled_interest: int = 0  # normal interest settled this month (fen)
    repaid_in_full: bool = False  # principal fully repaid this month
    life_interest: int = 0  # normal interest over the loan's life, paid (fen) — the base of the rest of the share
    overdue_principal: int = 0  # at month-end (fen)
    overdue_interest: int = 0
    collected_arrears: int = 0  # arrears this officer collected this month (fen)
    excluded: str = ""  # a rollover or an extension: no performance pay (R-PAY-1)


@dataclass(frozen=True)
class Line:
    loan: int
    contract: str
    item: str
    basis: int
    rate: Fraction
    amount: int  # fen; negative for deductions
    formula: str


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -half_up(-value)


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _pct(rate: Fraction) -> str:
    return f"{float(rate * 100):g}%"


def lines(rules: Rules, month: LoanMonth) -> list[Line]:
    """The pay lines of one loan's month (see the module)."""
    if month.excluded:
        return []
    out: list[Line] = []

    def add(item: str, basis: int, rate: Fraction, sign: int = 1) -> None:
        if basis and rate:
            amount = sign * half_up(basis * rate)
            out.append(Line(month.loan, month.contract, item, basis, rate, amount,
                            f"{'−' if sign < 0 else ''}{_yuan(basis)} × {_pct(rate)} = {_yuan(amount)}"))

    share = rules.share[month.kind]
    add("当月结息提成", month.settled_interest, rules.current)
    if month.repaid_in_full:
        add("还清本金后补发提成", month.life_interest, share - rules.current)
    if month.kind == "cycle":
        band = next((b for b in rules.bands if month.principal >= b.low and (b.high is None or month.principal < b.high)),
                    None)
        if band is not None:
            add("月末逾期本金扣减", month.overdue_principal, band.principal, -1)
            add("月末逾期利息扣减", month.overdue_interest, band.interest, -1)
    add("收回欠款奖励", month.collected_arrears, rules.reward)
    return out


def sheet(rules: Rules, months: list[LoanMonth]) -> tuple[list[Line], int]:
    """Every line of an officer's month and the total (the sum of the lines, R-PAY-4)."""
    all_lines = [ln for m in months for ln in lines(rules, m)]
    return all_lines, sum(ln.amount for ln in all_lines)
