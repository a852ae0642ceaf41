"""Interest subsidies (贴息, DOMAIN §7): the preset policies S-RATE, S-HALF and S-CAPPED, computed
from a loan's periods, and the household cap.

A loan is seen as its **periods**, one per instalment: the interest days ``(start, end]``, the
principal outstanding over them, the interest the household paid for them and whether they were
repaid on time. Rules common to every policy:

* R-SUB-1 — only productive purposes (not equity in a lead household: 篇2 §6); a period repaid
  late earns nothing; a household barred (late in an earlier year, per programme, or blacklisted
  for malicious default, R-RSK-4) earns nothing;
* R-SUB-0 — a subsidy is never more than the interest the household paid for the same period,
  and never computed on penalty interest (penalty is not part of a period's interest).

Amounts are fen, rates exact fractions, each line rounded half-up once (day count /360, R-PRD-2).

* **S-RATE** (篇2): ``principal × rate × d / 360`` per period, ``d`` = the period's days inside
  the subsidy window, at most ``max_days`` subsidised days per loan. Worked example: 10 000.00 yuan
  outstanding over 2006-06-01 … 2006-12-01, window to 2006-09-30: d = 121,
  1 000 000 × 5 % × 121 / 360 = 16 805.56 → **168.06 yuan** (the household paid 311.10).
* **S-HALF** (篇3): ``interest × ½`` of each period repaid on time, deducted at the repayment.
  Worked example: interest 300.01 yuan → 150.005 → **150.01 yuan**.
* **S-CAPPED** (篇8): ``amount × rate × d / 360`` for the loan, ``d`` = the days of its periods
  repaid on time, only if the loan's rate is at most the benchmark (LPR for its term), paid after
  full repayment; **at most 3 000 yuan per household** over all its loans and years
  (:func:`household_cap`). Worked example: 50 000.00 yuan for 365 days at 5 %:
  5 000 000 × 5 % × 365 / 360 = 253 472.2 → 2 534.72 yuan — but the household paid only 1 520.83
  yuan of interest at 3 %, so the subsidy is **1 520.83 yuan** (R-SUB-0); a second such loan then
  earns at most 3 000.00 − 1 520.83 = **1 479.17 yuan**.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from fupin.core.origination import PURPOSES
from fupin.core.products import LPR, Benchmark

Kind = Literal["rate", "half", "capped"]
KINDS: dict[str, str] = {
    "rate": "按贴息率贴息（S-RATE）",
    "half": "按时还款贴一半利息（S-HALF）",
    "capped": "按实际天数贴息，每户封顶（S-CAPPED）",
}
# R-SUB-1 (篇2 §6): not equity investment, school fees, medical costs or housing
PRODUCTIVE: frozenset[str] = frozenset(PURPOSES) - {"lead_equity"}

LATE = "逾期还款，该期不贴息"
NOT_PRODUCTIVE = "非生产性用途，不贴息"
ABOVE_BENCHMARK = "贷款利率高于基准利率，不贴息"
OUTSIDE = "不在贴息期内"
USED_UP = "已达每笔贷款贴息天数上限"
CAPPED = "已达每户贴息上限"


@dataclass(frozen=True)
class Policy:
    """One version of a programme's subsidy policy (versioned programme data)."""

    code: str
    version: str
    kind: Kind
    name: str
    effective: dt.date
    products: tuple[str, ...]  # the products whose loans it subsidises
    rate: Fraction = Fraction(5, 100)  # S-RATE, S-CAPPED: a year
    share: Fraction = Fraction(1, 2)  # S-HALF: of the interest
    window: tuple[dt.date, dt.date] | None = None  # S-RATE: days inside it only (both ends included)
    max_days: int | None = None  # S-RATE: subsidised days per loan
    cap: int | None = None  # fen per household over the programme (S-CAPPED)
    benchmark_only: bool = False  # S-CAPPED: only loans at or below the benchmark rate
    settle: tuple[tuple[int, int], ...] = ()  # (month, day) claim dates (S-RATE: twice a year)
    purposes: frozenset[str] = field(default=PRODUCTIVE)
    bars_next_year: bool = True  # R-SUB-1 (篇2 §6): late repayment ends eligibility from next year


PRESETS: dict[str, Policy] = {
    p.code: p
    for p in (
        Policy(
            "S-RATE",
            "2005.1",
            "rate",
            "2005—2006 年扶贫贴息贷款（按 5% 贴息率）",
            dt.date(2005, 1, 1),
            ("annual",),
            window=(dt.date(2005, 1, 1), dt.date(2006, 9, 30)),
            max_days=365,
            settle=((6, 30), (12, 31)),
        ),
        Policy(
            "S-HALF",
            "2016.1",
            "half",
            "按时还款贴息 50%（篇3）",
            dt.date(2016, 1, 1),
            ("annual",),
            settle=((3, 31), (6, 30), (9, 30), (12, 31)),
        ),
        Policy(
            "S-CAPPED",
            "2021.1",
            "capped",
            "脱贫人口小额信贷贴息（5%，每户最高 3 000 元）",
            dt.date(2021, 1, 1),
            ("subsidy",),
            cap=300_000,
            benchmark_only=True,
            settle=((3, 31), (6, 30), (9, 30), (12, 31)),
        ),
    )
}


@dataclass(frozen=True)
class Period:
    seq: int
    start: dt.date  # interest runs over (start, end]
    end: dt.date
    principal: int  # fen outstanding over the period
    interest: int  # fen of interest the household paid for it (penalty excluded)
    on_time: bool
    # principal prepaid inside the period (部分提前还款): (fen, outstanding until), and the
    # interest paid with it — S-RATE counts it for those days; S-HALF halves instalments only
    prepaid: tuple[tuple[int, dt.date], ...] = ()
    prepaid_interest: int = 0

    @property
    def paid(self) -> int:
        """All the interest paid for the period (R-SUB-0's ceiling)."""
        return self.interest + self.prepaid_interest


@dataclass(frozen=True)
class LoanFacts:
    amount: int  # fen lent
    rate: Fraction  # the contract's nominal annual rate
    term_months: int
    purpose: str
    periods: tuple[Period, ...]
    benchmark: Benchmark = LPR  # the LPR in force on the contract date


@dataclass(frozen=True)
class Line:
    seq: int  # the period; 0 for a whole-loan line (S-CAPPED)
    start: dt.date
    end: dt.date
    days: int
    basis: int  # fen the subsidy is computed on: principal (S-RATE, S-CAPPED) or interest (S-HALF)
    interest: int  # fen of interest paid for the same days (R-SUB-0's ceiling)
    amount: int  # fen of subsidy
    reason: str = ""  # why nothing (or less) is due; "" when earned in full


def half_up(numerator: Fraction | int) -> int:
    """A non-negative exact amount of fen rounded half-up (四舍五入)."""
    f = Fraction(numerator)
    return int(f + Fraction(1, 2)) if f >= 0 else -half_up(-f)


def overlap(start: dt.date, end: dt.date, window: tuple[dt.date, dt.date] | None) -> int:
    """Interest days of ``(start, end]`` that fall inside ``window`` (both ends included)."""
    if window is None:
        return max(0, (end - start).days)
    first = max(start + dt.timedelta(days=1), window[0])
    last = min(end, window[1])
    return max(0, (last - first).days + 1)


def loan_lines(policy: Policy, loan: LoanFacts, *, barred: str = "") -> list[Line]:
    """The subsidy lines of one loan under ``policy`` (see the module for each formula). Every
    period is listed — with amount 0 and the reason when it earns nothing — so that a household
    can be told why."""
    refused = barred or ("" if loan.purpose in policy.purposes else NOT_PRODUCTIVE)
    if not refused and policy.benchmark_only and loan.rate > loan.benchmark.for_term(loan.term_months):
        refused = ABOVE_BENCHMARK
    if policy.kind == "capped":
        return [_capped(policy, loan, refused)] if loan.periods else []
    lines: list[Line] = []
    used = 0
    for p in loan.periods:
        days = (p.end - p.start).days
        if policy.kind == "half":
            earned = 0 if refused or not p.on_time else min(half_up(p.interest * policy.share), p.interest)
            lines.append(
                Line(
                    p.seq,
                    p.start,
                    p.end,
                    days,
                    p.interest,
                    p.interest,
                    earned,
                    refused or ("" if p.on_time else LATE),
                )
            )
            continue
        inside = overlap(p.start, p.end, policy.window)
        if policy.max_days is not None:
            inside = min(inside, policy.max_days - used)
        reason = (
            refused
            or ("" if p.on_time else LATE)
            or ("" if inside > 0 else (USED_UP if used and policy.max_days else OUTSIDE))
        )
        earned = 0
        if not reason:
            used += inside
            days = p.principal * inside + sum(
                x * min(inside, overlap(p.start, until, policy.window)) for x, until in p.prepaid
            )  # principal-days
            earned = min(half_up(days * policy.rate / 360), p.paid)
        lines.append(Line(p.seq, p.start, p.end, inside, p.principal, p.paid, earned, reason))
    return lines


def _capped(policy: Policy, loan: LoanFacts, refused: str) -> Line:
    start, end = loan.periods[0].start, loan.periods[-1].end
    on_time = [p for p in loan.periods if p.on_time]
    days = sum((p.end - p.start).days for p in on_time)
    interest = sum(p.paid for p in on_time)
    reason = refused or ("" if len(on_time) == len(loan.periods) else LATE)
    earned = 0 if refused else min(half_up(loan.amount * policy.rate * days / 360), interest)
    return Line(0, start, end, days, loan.amount, interest, earned, reason)


def settlement_dates(policy: Policy, year: int) -> list[dt.date]:
    """The policy's settlement dates in ``year`` (``settle``: (month, day) pairs; a 31st in a shorter
    month is its last day)."""
    return sorted(dt.date(year, m, min(d, calendar.monthrange(year, m)[1])) for m, d in policy.settle)


def last_settlement(policy: Policy, on: dt.date) -> dt.date | None:
    """The latest settlement date on or before ``on`` (None: the policy has none)."""
    days = [d for y in (on.year - 1, on.year) for d in settlement_dates(policy, y) if d <= on]
    return max(days) if days else None


def settled_in_batches(policy: Policy) -> bool:
    """S-RATE is settled in batches on its configured dates (DOMAIN §7, 篇2: twice a year): a claim's
    cut-off is one of them. S-HALF is deducted at each repayment and S-CAPPED paid after full
    repayment: their dates are the usual reporting days, not binding."""
    return policy.kind == "rate" and bool(policy.settle)


def household_cap(cap: int | None, already: int, amounts: list[int]) -> list[int]:
    """The amounts a household may receive, in order, when it has already received ``already``
    fen under a programme capped at ``cap`` fen (S-CAPPED: 300 000). Worked example: cap
    3 000.00, already 2 534.72, claims 1 000.00 and 500.00 → 465.28 and 0.00."""
    if cap is None:
        return list(amounts)
    room = max(0, cap - already)
    out = []
    for a in amounts:
        take = min(a, room)
        out.append(take)
        room -= take
    return out
