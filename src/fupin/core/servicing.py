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
from fractions import Fraction

from fupin.core.errors import ValidationFailed

BUCKETS: dict[str, str] = {
    "penalty": "罚息",
    "overdue_interest": "逾期利息",
    "overdue_principal": "逾期本金",
    "current_interest": "当期利息",
    "current_principal": "当期本金",
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
        return (
            (self.principal - self.principal_paid)
            + (self.interest - self.interest_paid)
            + (self.penalty - self.penalty_paid)
        )


@dataclass
class Allocation:
    lines: list[tuple[int, str, int]] = field(default_factory=list)  # (seq, bucket, fen)
    overpayment: int = 0

    def total(self, bucket: str) -> int:
        return sum(a for _, b, a in self.lines if b == bucket)


def allocate(
    amount: int, owed: Sequence[Owed], on: dt.date, order: Sequence[str] = DEFAULT_ORDER
) -> Allocation:
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


# --- arrears: days past due, PAR buckets, five categories (R-REP-3), penalty (R-REP-2) ---------

PAR_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 30, "1–30"),
    (31, 60, "31–60"),
    (61, 90, "61–90"),
    (91, 180, "91–180"),
    (181, 360, "181–360"),
    (361, None, ">360"),
)
CATEGORIES: dict[str, str] = {
    "normal": "正常",
    "special": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}


def settled_by_payoff(owed: Sequence[Owed], on: dt.date, interest: int) -> dict[int, int]:
    """An early payoff (P-SEASONAL) settles the instalments due after ``on``: their principal is
    paid, and of their interest only what was recomputed to the day (``interest``, in fen) is
    charged. Returns each such instalment's interest as settled — in due order, each up to its
    scheduled interest, anything beyond on the first — so that an instalment records the
    interest really paid on it, never the schedule's.

    Worked example: three instalments ahead with 50.00 of interest each and 62.50 recomputed to
    the day → 50.00, 12.50 and 0.00.
    """
    ahead = sorted((o for o in owed if o.due_date > on), key=lambda o: (o.due_date, o.seq))
    settled, left = {}, interest
    for o in ahead:
        settled[o.seq] = min(o.interest, max(left, 0))
        left -= settled[o.seq]
    if ahead and left > 0:
        settled[ahead[0].seq] += left
    return settled


def days_past_due(owed: Sequence[Owed], on: dt.date) -> int:
    """Days since the oldest instalment that is due before ``on`` and not fully paid (0: none)."""
    late = [
        o.due_date
        for o in owed
        if o.due_date < on and (o.principal_paid < o.principal or o.interest_paid < o.interest)
    ]
    return (on - min(late)).days if late else 0


def par_bucket(dpd: int) -> str:
    """The PAR bucket of a loan ``dpd`` days past due ("" when current)."""
    for lo, hi, label in PAR_BUCKETS:
        if dpd >= lo and (hi is None or dpd <= hi):
            return label
    return ""


CATEGORY_FLOORS: tuple[tuple[int, str], ...] = (
    (360, "loss"),
    (270, "doubtful"),
    (90, "substandard"),
    (0, "special"),
)


def category(dpd: int) -> str:
    """五级分类 by days past due (R-REP-3): 正常 when current, 关注 when late up to 90 days,
    次级 beyond 90, 可疑 beyond 270, 损失 beyond 360. Worked example: 95 days → 次级."""
    return next((name for floor, name in CATEGORY_FLOORS if dpd > floor), "normal")


def penalty_accrued(
    owed: Sequence[Owed],
    *,
    annual_rate: Fraction,
    on: dt.date,
    uplift: Fraction = Fraction(1, 2),
    paid_on: dict[int, list[tuple[dt.date, int]]] | None = None,
) -> int:
    """Penalty interest (R-REP-2) on overdue principal: for every day after an instalment's due
    date up to ``on``, the principal still unpaid at the close of that day, at the contract
    rate × (1 + uplift), day count actual/360, rounded once, half up — the figure the nightly
    batch reaches day by day (:mod:`fupin.core.cob`).

    ``paid_on`` (seq → [(date, principal paid)]) lets a principal payment stop the penalty on
    what it paid from that day on; without it the unpaid principal is taken as unpaid
    throughout. Worked example: 10 000.00 overdue 30 days at 3.5 % + 50 % →
    10 000 × 0.0525 × 30 / 360 = 43.75 yuan.
    """
    principal_days = 0
    for o in owed:
        if o.due_date >= on:
            continue
        payments = sorted((paid_on or {}).get(o.seq, []))
        outstanding = o.principal if payments else o.principal - o.principal_paid
        day = o.due_date  # days (day, …] are still to count
        for paid, amount in payments:
            if paid > on:
                break
            if paid > day:
                principal_days += max(outstanding, 0) * ((paid - day).days - 1)
                day = paid - dt.timedelta(days=1)
            outstanding -= amount
        principal_days += max(outstanding, 0) * (on - day).days
    rate = annual_rate * (1 + uplift) / 360
    total = principal_days * rate
    return int(total + Fraction(1, 2)) if total >= 0 else 0
