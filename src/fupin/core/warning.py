"""Early warning (issue 28 (1)): which villages will fall below the 98 % rule (R-RPT-4) at the next
month-ends, how much must be collected to stay above it, and when the risk fund will pass the
leverage it may carry (R-RSK-1). Pure arithmetic over month-end figures; the apps gather them.

**The village forecast.** A village's figures at a month-end are this year's amounts due and what
was repaid of them (:class:`fupin.core.cob.MonthRate`). Each month adds the instalments falling
due in it (known from the schedules) and brings in collections. The village's *flow rate* is what
its recent months brought in per yuan newly due:

    flow = Σ Δrepaid ÷ Σ Δdue over the last three month-ends (Δ from the month-end before; in
           January from nothing, the year's figures starting again)

and its complement is the roll rate into arrears. Amounts newly due are expected to come in at the
flow rate, except for the loans already in arrears (a payment goes to the arrears first, R-REP-1,
so their next instalment is expected to roll: 0) and the loans of households whose joint-liability
group has a member in arrears (P-GROUP: expected at the flow rate × the share of the group's
members not in arrears).

Worked example: 100 000.00 due this year and 97 000.00 repaid at 31 May (97 %); the last three
months brought in 29 400.00 for 30 000.00 newly due (flow 98 %); 20 000.00 falls due in June, of
which 2 000.00 on loans in arrears → expected in June 18 000.00 × 98 % = 17 640.00; at 30 June
120 000.00 due, 114 640.00 repaid, 95.53 %: below 98 %; to reach 98 % June must bring in
ceil(0.98 × 120 000.00) − 97 000.00 = 20 600.00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from fupin.core.cob import SUSPEND_BELOW, MonthRate, suspended

FLOW_MONTHS = 3


def month_end(day: dt.date, ahead: int = 0) -> dt.date:
    """The month-end ``ahead`` months after ``day``'s month: 2026-05-10, 1 → 2026-06-30."""
    y, m = divmod(day.year * 12 + day.month - 1 + ahead + 1, 12)
    return dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def flow_rate(history: Sequence[tuple[dt.date, MonthRate]], months: int = FLOW_MONTHS) -> Fraction | None:
    """What the last ``months`` month-ends of ``history`` (oldest first, consecutive month-ends)
    brought in per yuan newly due; None when nothing fell due in them."""
    due = repaid = 0
    for i in range(max(len(history) - months, 0), len(history)):
        day, now = history[i]
        if day.month == 1:  # the year's figures start again
            before = MonthRate(0, 0)
        elif i > 0 and history[i - 1][0] == month_end(day, -1):
            before = history[i - 1][1]
        else:  # no month-end just before it to take the month's flow from
            continue
        due += now.due - before.due
        repaid += now.repaid - before.repaid
    if due <= 0:
        return None
    return max(Fraction(0), Fraction(repaid, due))


@dataclass(frozen=True)
class Month:
    """The expected figures at one coming month-end."""

    month: dt.date
    due: int
    repaid: int
    needed: int  # what the month must bring in for the rate to be at 98 % (fen; 0 if none)

    @property
    def rate(self) -> Fraction | None:
        return MonthRate(self.due, self.repaid).rate

    @property
    def below(self) -> bool:
        return MonthRate(self.due, self.repaid).below


@dataclass(frozen=True)
class Coming:
    """What falls due in one coming month: on loans in good standing, on loans in arrears, and on
    loans of groups with a member in arrears (with the share of that group's members current)."""

    current: int = 0
    in_arrears: int = 0
    grouped: tuple[tuple[int, Fraction], ...] = ()

    @property
    def total(self) -> int:
        return self.current + self.in_arrears + sum(a for a, _ in self.grouped)

    def expected(self, flow: Fraction) -> Fraction:
        return flow * self.current + sum((flow * share * a for a, share in self.grouped), Fraction(0))


def forecast(now: dt.date, figures: MonthRate, coming: Sequence[Coming], flow: Fraction) -> list[Month]:
    """The village's expected figures at the month-ends after ``now`` (one per item of ``coming``):
    this year's due and repaid carried forward, starting again in January."""
    due, repaid = figures.due, figures.repaid
    out = []
    for j, c in enumerate(coming, start=1):
        day = month_end(now, j)
        if day.month == 1:
            due = repaid = 0
        start = repaid
        due += c.total
        repaid += int(c.expected(flow))
        target = -(-SUSPEND_BELOW.numerator * due // SUSPEND_BELOW.denominator)  # ceil(98 % × due)
        out.append(Month(day, due, repaid, max(0, target - start)))
    return out


def suspension_ahead(
    history_below: Sequence[bool], was_suspended: bool, coming: Sequence[bool]
) -> list[bool]:
    """Whether the village will be suspended at each coming month-end (R-RPT-4, by
    :func:`fupin.core.cob.suspended`), given the month-ends before (oldest first)."""
    below = list(history_below)
    out = []
    for b in coming:
        below.append(b)
        was_suspended = suspended(below, was_suspended)
        out.append(was_suspended)
    return out


@dataclass(frozen=True)
class Backtest:
    """How often the next month-end's below-98 % was foreseen at a month-end."""

    cases: int
    right: int
    below_seen: int  # month-ends that were below 98 %
    below_foreseen: int  # of those, foreseen
    alarms: int  # forecasts of below 98 %
    false_alarms: int  # of those, not below after all
    persistence_right: int = 0  # the naive forecast — next month-end as this one — right this often

    @property
    def accuracy(self) -> Fraction | None:
        return Fraction(self.right, self.cases) if self.cases else None

    @property
    def recall(self) -> Fraction | None:
        return Fraction(self.below_foreseen, self.below_seen) if self.below_seen else None

    @property
    def precision(self) -> Fraction | None:
        return Fraction(self.alarms - self.false_alarms, self.alarms) if self.alarms else None


def backtest(series: dict[str, list[tuple[dt.date, MonthRate]]], start: int = FLOW_MONTHS) -> Backtest:
    """Replay the forecast over each village's month-ends (oldest first): at each month-end with
    ``start`` before it, foresee the next from the flow rate and the amount that fell due in it,
    and compare with what the next month-end recorded. (A month's dues are known from the
    schedules at the month-end before; the replay reads them from the next month-end's figures,
    the same amount but for loans made within the month.)"""
    cases = right = below_seen = below_foreseen = alarms = false_alarms = persistence = 0
    for rows in series.values():
        for i in range(start, len(rows) - 1):
            day, figures = rows[i]
            nxt_day, nxt = rows[i + 1]
            if nxt_day != month_end(day, 1) or not nxt.due:
                continue
            flow = flow_rate(rows[: i + 1])
            if flow is None:
                continue
            base = figures if nxt_day.year == day.year else MonthRate(0, 0)
            [m] = forecast(day, figures, [Coming(current=nxt.due - base.due)], flow)
            cases += 1
            right += m.below == nxt.below
            below_seen += nxt.below
            below_foreseen += nxt.below and m.below
            alarms += m.below
            false_alarms += m.below and not nxt.below
            persistence += figures.below == nxt.below
    return Backtest(cases, right, below_seen, below_foreseen, alarms, false_alarms, persistence)


@dataclass(frozen=True)
class FundMonth:
    month: dt.date
    balance: int
    outstanding: int

    @property
    def leverage(self) -> Fraction | None:
        return Fraction(self.outstanding, self.balance) if self.balance > 0 else None


def fund_ahead(
    now: dt.date,
    balance: int,
    outstanding: int,
    amortised: Sequence[int],
    lending: int,
    payouts: Sequence[int],
) -> list[FundMonth]:
    """The fund's balance and the loans it covers at the coming month-ends: each month the
    scheduled principal (``amortised``) comes off the loans, ``lending`` is lent anew (the recent
    pace), and the fund pays out its share of the loans in arrears as they reach the claim age
    (``payouts``)."""
    out = []
    for j, (off, paid) in enumerate(zip(amortised, payouts, strict=True)):
        outstanding = max(0, outstanding - off + lending)
        balance -= paid
        out.append(FundMonth(month_end(now, j), balance, outstanding))  # this month's end first
    return out


def first_over(months: Sequence[FundMonth], limit: Fraction) -> FundMonth | None:
    """The first coming month-end at which the fund carries more than ``limit`` times its
    balance (or is spent)."""
    return next((m for m in months if m.leverage is None or m.leverage > limit), None)
