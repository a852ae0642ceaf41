"""Village mutual-aid cooperatives — 扶贫互助社 (DOMAIN §12, 篇6), pure.

* R-COOP-1 — a cooperative lends its capital (government matching capital, 篇6: 15 万 per village,
  and members' contributions) to its members under its own rules: an amount limit, a longest
  term, and a fund-use fee (资金占用费) instead of interest:
  ``fee = half_up(amount × annual fee rate × months / 12)``, paid with the principal; a payment
  settles the fee first, then the principal. Only what the fund holds can be lent.
* R-COOP-2 — the two rates 篇6 targets, each ≥ 60 %:
  membership rate = member low-income households ÷ low-income households of the village;
  borrowing rate = members who have borrowed ÷ members.

Worked examples (tests/core/test_coop.py): 5 000.00 yuan for 6 months at 6 % a year → fee
**150.00**; 3 333.33 for 5 months at 5 % → 69.444… → **69.44**; 92 members of 150 low-income
households → 61.33 % (met); 50 borrowers of 92 members → 54.35 % (not met).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from fupin.core.errors import Problem

TARGET = Fraction(60, 100)
GOVERNMENT_MATCHING = 15_000_000  # fen: 15 万 per village (篇6)
CAPITAL_KINDS: dict[str, str] = {"government": "政府配套资金", "member": "社员入社互助金"}


@dataclass(frozen=True)
class LendingRules:
    max_amount: int  # fen
    max_term: int  # months
    fee_rate: Decimal  # a year


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -half_up(-value)


def fee(amount: int, rate: Decimal, months: int) -> int:
    """The fund-use fee of a loan (see the module): amount × rate × months / 12, half-up to the fen."""
    return half_up(Fraction(amount) * Fraction(rate) * months / 12)


def loan_problems(
    rules: LendingRules, *, member: bool, amount: int, term: int, available: int, owing: bool
) -> list[Problem]:
    """Every reason a cooperative may not lend (all at once)."""
    out: list[Problem] = []
    if not member:
        out.append(Problem("只向本社社员发放互助金借款", rule="R-COOP-1"))
    if owing:
        out.append(Problem("该社员尚有未还清的互助金借款", rule="R-COOP-1"))
    if amount <= 0 or amount > rules.max_amount:
        out.append(
            Problem(
                f"借款金额应在 0 – {rules.max_amount / 100:,.2f} 元之间（本社章程）",
                rule="R-COOP-1",
                field="amount",
            )
        )
    if term <= 0 or term > rules.max_term:
        out.append(
            Problem(f"借款期限应在 1 – {rules.max_term} 个月之间（本社章程）", rule="R-COOP-1", field="term")
        )
    if amount > available:
        out.append(
            Problem(
                f"互助资金可用余额 {available / 100:,.2f} 元，不足以发放", rule="R-COOP-1", field="amount"
            )
        )
    return out


def split(amount: int, fee_due: int, principal_due: int) -> tuple[int, int]:
    """(fee, principal) of a payment: the fee first. A payment above what is owed is refused by the caller."""
    f = min(amount, fee_due)
    return f, min(amount - f, principal_due)


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def value(self) -> Fraction | None:
        return None if self.whole == 0 else Fraction(self.part, self.whole)

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= TARGET

    def percent(self) -> str:
        v = self.value
        if v is None:
            return "—"
        return f"{half_up(v * 10_000) / 100:.2f}%"


def rates(*, low_income: int, low_income_members: int, members: int, borrowers: int) -> tuple[Rate, Rate]:
    """(membership rate, borrowing rate) of R-COOP-2."""
    return Rate(low_income_members, low_income), Rate(borrowers, members)
