"""Close of business (R-REP-5) in numbers: what one business day adds to each loan.

Everything is integer arithmetic in fen so that the set-based SQL of the batch and these
functions give the same result to the fen (the tests compare them):

* **Interest accrual**: an instalment earns its scheduled interest evenly over its period
  (from the previous due date, or the disbursement, to its own due date). After the close of
  day D it has earned ``round_half_up(interest × (D − start) / (due − start))`` and all of it
  once D reaches the due date. Interest paid before it is earned is income when paid. The
  receivable is therefore a function of the closed date, and the batch posts its change
  from one close to the next (Dr 1132 应收利息 / Cr 6011 利息收入): daily rounding never
  accumulates, and nothing is written per loan unless a period ends.
* **Interest taken upfront** (P-GROUP, issue 24 item 7) is not income when it is received: it is
  deferred (2401 递延收益) and earned evenly from the disbursement to maturity — after the close of
  day D ``round_half_up(upfront × (D − start) / (maturity − start))`` — the batch posting the change
  (Dr 2401 / Cr 6011). Whatever is left when a loan ends early (a payoff, a write-off, a rollover)
  is released then. An instalment earns from the due date of the last earlier instalment that
  carries interest (:func:`period_starts`): P-GROUP's other half, all on the last instalment, is
  earned over the whole year too, not in its last week.
* **Penalty interest** (R-REP-2): every day after an instalment's due date, the principal
  still unpaid at the close of that day adds to the instalment's *principal-days* (fen ×
  days, an exact integer). The penalty is ``round_half_up(principal-days × rate / 360)``
  with ``rate`` the contract rate × (1 + uplift), kept as an integer in units of 10⁻⁸
  (Dr 1132 / Cr 6012 罚息收入).
* **Village suspension** (R-RPT-4): a village whose recovery rate on amounts due this year is
  below 98 % for 3 consecutive month-ends is suspended until a month-end at 98 % or above.

Worked examples: 300.00 yuan of interest over a 30-day period, 10 days in → 100.00 accrued;
10 000.00 yuan overdue 30 days at 3.5 % + 50 % (rate 5 250 000 × 10⁻⁸) → 3 000 000 000
fen-days × 0.0525 / 360 = 4 375 fen = 43.75 yuan.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

RATE_SCALE = 10**8  # penalty rates are integers in units of 10⁻⁸ a year
PENALTY_DIVISOR = 360 * RATE_SCALE
SUSPEND_BELOW = Fraction(98, 100)
SUSPEND_MONTHS = 3


def half_up(numerator: int, denominator: int) -> int:
    """round_half_up(numerator / denominator) for numerator ≥ 0 < denominator — the same
    expression ``(2n + d) / (2d)`` the SQL uses with integer division."""
    return (2 * numerator + denominator) // (2 * denominator)


def accrual_target(interest: int, start: dt.date, due: dt.date, on: dt.date) -> int:
    """Interest an instalment has earned after the close of ``on`` (see the module)."""
    if on >= due:
        return interest
    if on <= start:
        return 0
    return half_up(interest * (on - start).days, (due - start).days)


def period_starts(start: dt.date, due_dates: Sequence[dt.date], interest: Sequence[int]) -> list[dt.date]:
    """When each instalment starts earning its interest: the due date of the last earlier
    instalment that carries interest, or ``start`` (see the module). Worked example: P-GROUP's 50
    weekly instalments carry no interest but the last (the other half) — it earns from the start.
    """
    out, earning = [], start
    for due, fen in zip(due_dates, interest, strict=True):
        out.append(earning)
        if fen:
            earning = due
    return out


def amortised(upfront: int, start: dt.date, maturity: dt.date, on: dt.date | None) -> int:
    """The part of ``upfront`` interest earned after the close of ``on`` (None: nothing closed):
    evenly from ``start`` to ``maturity``. Worked example: 800.00 over 357 days, 100 days in →
    224.09 (80 000 × 100 ÷ 357 = 22 408.96)."""
    return 0 if on is None or not upfront else accrual_target(upfront, start, maturity, on)


def penalty_rate(annual_rate: Decimal, uplift: Decimal) -> int:
    """The penalty rate (R-REP-2) in 10⁻⁸ a year: contract rate × (1 + uplift), rounded half up
    at the eighth decimal. Example: 4.35 % + 50 % → 6 525 000 (6.525 %)."""
    return int(
        (Decimal(annual_rate) * (1 + Decimal(uplift)) * RATE_SCALE).quantize(Decimal(1), ROUND_HALF_UP)
    )


def principal_days_at(principal_days: int, unpaid: int, pd_from: dt.date, on: dt.date) -> int:
    """Overdue principal-days after the close of ``on``: those counted up to ``pd_from`` plus
    the principal still unpaid for each day after it."""
    return principal_days + unpaid * max(0, (on - pd_from).days)


def receivable(
    interest_due: int,
    cur_interest: int,
    cur_paid: int,
    start: dt.date | None,
    due: dt.date | None,
    on: dt.date | None,
) -> int:
    """Interest receivable of a loan after the close of ``on`` (None: no day closed yet, nothing
    accrued): past instalments' unpaid interest plus what the current one has earned beyond
    what was paid on it."""
    if on is None:
        return 0
    e = accrual_target(cur_interest, start, due, on) if start and due else 0
    return interest_due + max(0, e - cur_paid)


def penalty_of(principal_days: int, rate_e8: int) -> int:
    """Penalty owed on ``principal_days`` (fen × days) at ``rate_e8`` (see the module)."""
    return half_up(principal_days * rate_e8, PENALTY_DIVISOR)


def is_month_end(d: dt.date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


@dataclass(frozen=True)
class MonthRate:
    due: int
    repaid: int

    @property
    def rate(self) -> Fraction | None:
        """Recovery rate (repaid ÷ due); ``None`` when nothing was due this year yet."""
        return Fraction(self.repaid, self.due) if self.due else None

    @property
    def below(self) -> bool:
        return self.rate is not None and self.rate < SUSPEND_BELOW


def month_ends_before(on: dt.date, n: int) -> list[dt.date]:
    """The ``n`` month-ends before ``on``, oldest first: 2026-04-30, 2 → 2026-02-28, 2026-03-31."""
    ends, d = [], on.replace(day=1) - dt.timedelta(days=1)
    for _ in range(n):
        ends.append(d)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return ends[::-1]


def suspended_at(on: dt.date, below_now: bool, history: dict[dt.date, tuple[bool, bool]]) -> bool:
    """R-RPT-4 at the month-end ``on``: suspended when this month-end and the two before it —
    consecutive calendar months — were below 98 %, and until a month-end at 98 % or above.
    ``history``: the village's earlier month-ends, ``{month-end: (below, suspended)}``; a month-end
    with no figures (nothing due this year yet) was not below, and breaks a run.

    Worked example (issue 24): below at 2025-12, 2026-03 and 2026-04 is not three months running
    — no suspension at 2026-04-30; below at 2026-03, 04 and 05 suspends at 2026-05-31.
    """
    before = [history.get(d) for d in month_ends_before(on, SUSPEND_MONTHS - 1)]
    was = before[-1] is not None and before[-1][1]
    return suspended([b is not None and b[0] for b in before] + [below_now], was)


def suspended(below_history: list[bool], was_suspended: bool) -> bool:
    """R-RPT-4 at a month-end: ``below_history`` is this village's month-ends, oldest first,
    ending with this one. Suspended when the last three were all below 98 %; once suspended it
    stays so until a month-end at 98 % or above."""
    if not below_history:
        return was_suspended
    if was_suspended:
        return below_history[-1]
    return len(below_history) >= SUSPEND_MONTHS and all(below_history[-SUSPEND_MONTHS:])
