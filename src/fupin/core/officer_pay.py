"""Loan-officer performance pay (DOMAIN §11, 篇1), pure: the lines of one officer's month.

* R-PAY-1 — a share of the **normal** interest repaid (not rollovers, not extensions, not arrears
  recovered): group (cycle) loans 25 %, short-term loans 20 %; while the loan is outstanding 5 %
  of each month's settled interest, the rest of the share (20 % / 15 %) of the loan's normal
  interest when its principal is fully repaid;
* R-PAY-2 — month-end arrears on cycle loans are deducted: 30 000 – < 40 000 yuan: 10 % of
  overdue principal and 2.5 % of overdue interest; ≥ 40 000: 12.5 % and 2.5 %;
* R-PAY-3 — whoever collects an arrear gets the collection reward on it (谁收回谁提取);
* R-PAY-4 — every share and band is configuration (:class:`Rules`), every line says its formula;
  the branch director and the accountant draw configured shares of the branch officers' total
  (:func:`branch_lines`; none when that total is not positive).

Each line is rounded half-up once; the sheet's total is the sum of its lines. Worked examples
(checked by tests/core/test_officer_pay.py):

* a short-term loan settles 137.50 yuan of interest this month → 5 % = 6.875 → **6.88**; repaid in
  full with 412.50 of normal interest over its life → 15 % = 61.875 → **61.88**;
* a cycle loan of 35 000 with 1 400.00 overdue principal and 100.00 overdue interest at month-end
  → −(140.00 + 2.50) = **−142.50**; of 45 000 with 1 800.00 and 50.00 → −(225.00 + 1.25) = **−226.25**;
* 2 000.00 of arrears collected at a 5 % reward → **100.00**;
* officers' total 1 234.56 with the director at 10 % and the accountant at 5 % → **123.46** and **61.73**.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
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
    share: dict[str, Fraction] = field(
        default_factory=lambda: {"cycle": Fraction(25, 100), "short": Fraction(20, 100)}
    )
    current: Fraction = Fraction(5, 100)  # of each month's settled interest while outstanding
    bands: tuple[Band, ...] = (
        Band(3_000_000, 4_000_000, Fraction(10, 100), Fraction(25, 1000)),
        Band(4_000_000, None, Fraction(125, 1000), Fraction(25, 1000)),
    )
    reward: Fraction = Fraction(5, 100)  # of arrears collected (R-PAY-3)
    director: Fraction = Fraction(10, 100)  # of the branch officers' total
    accountant: Fraction = Fraction(5, 100)

    def values(self) -> dict[str, object]:
        """The rules as JSON-ready strings (the stored configuration)."""
        return {
            "share_cycle": str(_dec(self.share["cycle"])),
            "share_short": str(_dec(self.share["short"])),
            "current": str(_dec(self.current)),
            "reward": str(_dec(self.reward)),
            "director": str(_dec(self.director)),
            "accountant": str(_dec(self.accountant)),
            "bands": [[b.low, b.high, str(_dec(b.principal)), str(_dec(b.interest))] for b in self.bands],
        }


def _dec(rate: Fraction) -> Decimal:
    return (Decimal(rate.numerator) / Decimal(rate.denominator)).normalize()


def rules_from(values: dict[str, object]) -> Rules:
    """Rules from their stored strings (:meth:`Rules.values`); a rate must lie in [0, 1] and the
    bands must not overlap — :class:`ValueError` with the Chinese reason otherwise."""

    def rate(v: object, name: str) -> Fraction:
        try:
            f = Fraction(str(v))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{name}应为 0–1 之间的小数") from None
        if not 0 <= f <= 1:
            raise ValueError(f"{name}应为 0–1 之间的小数")
        return f

    share = {
        "cycle": rate(values["share_cycle"], "周期贷款提成比例"),
        "short": rate(values["share_short"], "短期贷款提成比例"),
    }
    current = rate(values["current"], "当月结息提成比例")
    if current > min(share.values()):
        raise ValueError("当月结息提成比例不能高于贷款的提成比例")
    bands: list[Band] = []
    for row in values.get("bands") or []:  # type: ignore[attr-defined]
        low, high, p, i = row
        if (
            not isinstance(low, int)
            or low < 0
            or (high is not None and (not isinstance(high, int) or high <= low))
        ):
            raise ValueError("扣减档次的金额界限应为整数（分），上限大于下限")
        bands.append(Band(low, high, rate(p, "逾期本金扣减比例"), rate(i, "逾期利息扣减比例")))
    bands.sort(key=lambda b: b.low)
    for a, b in zip(bands, bands[1:], strict=False):
        if a.high is None or a.high > b.low:
            raise ValueError("扣减档次不能重叠")
    return Rules(
        share=share,
        current=current,
        bands=tuple(bands),
        reward=rate(values["reward"], "收回欠款奖励比例"),
        director=rate(values["director"], "网点主任提成比例"),
        accountant=rate(values["accountant"], "会计提成比例"),
    )


@dataclass(frozen=True)
class LoanMonth:
    """What one loan did in the month, for the officer who manages it."""

    loan: int
    contract: str
    kind: Kind
    principal: int  # fen lent
    settled_interest: int = 0  # normal interest settled this month (fen)
    repaid_in_full: bool = False  # principal fully repaid this month
    life_interest: int = (
        0  # normal interest over the loan's life, paid (fen) — the base of the rest of the share
    )
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
            out.append(
                Line(
                    month.loan,
                    month.contract,
                    item,
                    basis,
                    rate,
                    amount,
                    f"{'−' if sign < 0 else ''}{_yuan(basis)} × {_pct(rate)} = {_yuan(amount)}",
                )
            )

    share = rules.share[month.kind]
    add("当月结息提成", month.settled_interest, rules.current)
    if month.repaid_in_full:
        add("还清本金后补发提成", month.life_interest, share - rules.current)
    if month.kind == "cycle":
        band = next(
            (
                b
                for b in rules.bands
                if month.principal >= b.low and (b.high is None or month.principal < b.high)
            ),
            None,
        )
        if band is not None:
            add("月末逾期本金扣减", month.overdue_principal, band.principal, -1)
            add("月末逾期利息扣减", month.overdue_interest, band.interest, -1)
    add("收回欠款奖励", month.collected_arrears, rules.reward)
    return out


def sheet(rules: Rules, months: list[LoanMonth]) -> tuple[list[Line], int]:
    """Every line of an officer's month and the total (the sum of the lines, R-PAY-4)."""
    all_lines = [ln for m in months for ln in lines(rules, m)]
    return all_lines, sum(ln.amount for ln in all_lines)


def branch_lines(rules: Rules, officers_total: int) -> list[Line]:
    """The branch director's and the accountant's shares of the officers' total (R-PAY-4)."""
    out: list[Line] = []
    for item, rate in (("网点主任绩效", rules.director), ("会计绩效", rules.accountant)):
        if officers_total > 0 and rate:
            amount = half_up(officers_total * rate)
            out.append(
                Line(
                    0,
                    "",
                    item,
                    officers_total,
                    rate,
                    amount,
                    f"信贷员绩效合计 {_yuan(officers_total)} × {_pct(rate)} = {_yuan(amount)}",
                )
            )
    return out
