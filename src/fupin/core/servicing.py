"""Repayment allocation (R-REP-1): a payment is split over what is owed in a fixed order —
by default penalty → overdue interest → overdue principal → current interest → current
principal — oldest instalment first within each step; what remains is an overpayment held
for the household (never lost).

"Overdue" is an instalment whose due date is before the payment date; "current" is the
earliest instalment not yet overdue that still has something unpaid (only that one: paying
more than it is an overpayment, and paying a loan off early is a payoff, R-REP-1/P-SEASONAL).

Worked example: instalment 1 (due 03-01) owes 100.00 principal and 10.00 interest and has a
2.00 penalty; instalment 2 (due 04-01) owes 100.00 and 10.00. A payment of 150.00 on 03-10:
penalty 2.00, overdue interest 10.00, overdue principal 100.00, current interest 10.00,
current principal 28.00; nothing over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from fupin.core.errors import ValidationFailed

BUCKETS: dict[str, str] = {
    "penalty": "罚息", "overdue_interest": "逾期利息", "overdue_principal": "逾期本金",
    "current_interest": "当期利息", "current_principal": "当期本金",
}
DEFAULT_ORDER: tuple[str, ...] = tuple(BUCKETS)


@dataclass(frozen=True)
class Owed:
    """One instalment as it stands: what was scheduled and what has been paid, in fen."""

    seq: int
    due_date: dt.date
    principal: int
    interest: int
    principal_paid: int = 0
    interest_paid: int = 0
    penalty: int = 0  # accrued by the nightly batch (R-REP-2)
    penalty_paid: int = 0

    @property
    def unpaid(self) -> int:
        return (self.principal - self.principal_paid) + (self.interest - self.interest_paid) + (
            self.penalty - self.penalty_paid)


@dataclass
class Allocation:
    lines: list[tuple[int, str, int]] = field(default_factory=list)  # (seq, bucket, fen)
    overpayment: int = 0

    def total(self, bucket: str) -> int:
        return sum(a for _, b, a in self.lines if b == bucket)


def allocate(amount: int, owed: Sequence[Owed], on: dt.date, order: Sequence[str] = DEFAULT_ORDER) -> Allocation:
    """Split ``amount`` (fen) over ``owed`` in ``order`` (see the module's worked example)."""
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed("还款金额必须大于零（以分计的整数）", code="repayment_amount")
    if sorted(order) != sorted(DEFAULT_ORDER):
        raise ValidationFailed(f"分配顺序须恰好包含：{'、'.join(DEFAULT_ORDER)}", code="allocation_order")
    rows = sorted(owed, key=lambda o: o.seq)
    overdue = [o for o in rows if o.due_date < on]
    current = next(([o] for o in rows if o.due_date >= on and o.unpaid > 0), [])
    left = amount
    out = Allocation()
    for bucket in order:
        group = current if bucket.startswith("current") else overdue if bucket.startswith("overdue") else rows
        for o in group:
            if left == 0:
                break
            if bucket == "penalty":
                due = o.penalty - o.penalty_paid
            elif bucket.endswith("interest"):
                due = o.interest - o.interest_paid
            else:
                due = o.principal - o.principal_paid
            take = min(due, left)
            if take > 0:
                out.lines.append((o.seq, bucket, take))
                left -= take
    out.overpayment = left
    return out
