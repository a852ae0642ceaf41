"""The interest subsidy on the loans of a bank that keeps its own core system (issue 25 (3)), from
its monthly files (:func:`fupin.feeds.selectors.histories`), computed by
:func:`fupin.core.subsidy.loan_lines` and written by :func:`fupin.subsidies.services.write_lines`
as for the loans booked here (the bars of R-SUB-1 and the household cap look across lenders):

* **S-CAPPED** (篇8): a loan the files report settled by the cut-off is one period, from
  disbursement to the repayment that settled it, on time when no month's file found it overdue.
  R-SUB-0's ceiling is the interest paid since disbursement that the last file states (累计已还利息),
  or else the interest of the repayments in the files received.
* **S-HALF** (篇3): each month's repayments with a subsidy deducted (the repayment file's 贴息扣减)
  are one period, on time when that month's file shows the loan not overdue; its interest is what
  the household paid and what was deducted together. The line is what the bank deducted, at
  most what the policy gives.
* **S-RATE** (篇2's window of 2005–2006) is not computed from the files: month-end balances are too
  coarse for its day count.

A file's product is the preset it names (code or name), else 脱贫人口小额信贷 (``subsidy``): the loans a
bank reports to the county are the programme's. A file that names no purpose is taken as lending
for production (R-SUB-1 is then the bank's to check). Loans to people not in the registry are on
the worklist, not in the register. The bank keeps its own books: nothing of its claims is posted
to Fupin's ledger (:func:`fupin.feeds.selectors.keeps_own_books`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from fupin.core import subsidy as core
from fupin.core.feeds import product_code
from fupin.divisions.models import Institution
from fupin.feeds.selectors import History, histories
from fupin.products import benchmarks
from fupin.subsidies.models import Line, Policy


@dataclass(frozen=True)
class Subject:
    """A loan the register is written for: booked here, or in a bank's monthly files
    (:mod:`fupin.subsidies.banks`); ``line`` makes a register line of it from the line's fields;
    ``deducted``: what the bank says it deducted at each period (S-HALF), which the line takes
    when it is less than the policy gives."""

    key: object  # what ``seen`` knows it by: the loan's id or the bank's contract number
    household_id: int
    start: dt.date
    maturity: dt.date
    facts: core.LoanFacts
    line: Callable[..., Line]
    deducted: Mapping[int, int] | None = None
    refused: str = ""  # why none of it is subsidised, known before the policy is applied


NO_RATE = "借据未报执行利率，无法核对是否不高于基准利率"


def bank_subjects(
    policy: Policy, prefix: str, cutoff: dt.date, lender: Institution
) -> tuple[list[Subject], set[tuple[object, int]], dict[int, set[int]]]:
    """``lender``'s loans in the division (``prefix``) under ``policy`` as the register computes
    them (:func:`fupin.subsidies.services.write_lines`): the loans, the lines already written (by
    contract number and period) and the years each household repaid late."""
    if policy.kind == "rate":
        return [], set(), {}
    found = {
        no: h
        for no, h in histories(lender.pk, prefix, cutoff).items()
        if product_code(h.loan.product) in policy.products and h.loan.start >= policy.effective
    }
    seen = set(
        Line.objects.filter(
            policy=policy, institution=lender, loan__isnull=True, contract_no__in=list(found)
        ).values_list("contract_no", "seq")
    )
    lpr = benchmarks.table()
    late: dict[int, set[int]] = defaultdict(set)
    subjects = []
    for no, h in found.items():
        x = h.loan
        late[x.household_id] |= {d.year for d in h.late if d <= cutoff}
        periods, deducted = _periods(policy, h, cutoff)
        if not periods:
            continue
        facts = core.LoanFacts(
            amount=x.amount,
            rate=Fraction(x.rate or 0) / 100,
            term_months=max(1, (x.maturity.year - x.start.year) * 12 + x.maturity.month - x.start.month),
            purpose=x.purpose or min(policy.purposes, default=""),
            periods=tuple(periods),
            benchmark=lpr(x.start),
        )
        subjects.append(
            Subject(
                no,
                x.household_id,
                x.start,
                x.maturity,
                facts,
                _line(lender, x),
                deducted,
                refused=NO_RATE if x.rate is None and policy.benchmark_only else "",
            )
        )
    return subjects, seen, late


def _periods(policy: Policy, h: History, cutoff: dt.date) -> tuple[list[core.Period], dict[int, int] | None]:
    x = h.loan
    if policy.kind == "capped":  # paid after full repayment (篇8)
        if h.settled_on is None or h.settled_on > cutoff:
            return [], None
        paid = x.interest_paid
        if paid is None:
            paid = sum(r.interest for r in h.repayments)
        return [core.Period(1, x.start, h.settled_on, x.amount, paid, not h.late)], None
    late = {d.replace(day=1) for d in h.late}
    by_month: dict[dt.date, list] = defaultdict(list)
    for r in h.repayments:
        if r.subsidy and r.paid_on <= cutoff:
            by_month[r.paid_on.replace(day=1)].append(r)
    periods, deducted, start = [], {}, x.start
    for month in sorted(by_month):
        rows = by_month[month]
        seq = (month.year - x.start.year) * 12 + month.month - x.start.month + 1
        end = rows[-1].paid_on
        interest = sum(r.interest + r.subsidy for r in rows)
        periods.append(core.Period(seq, start, end, x.balance, interest, month not in late))
        deducted[seq] = sum(r.subsidy for r in rows)
        start = end
    return periods, deducted


def _line(lender: Institution, x):
    def make(**fields) -> Line:
        if fields["policy"].kind == "half":
            fields["on"] = fields["end"]  # deducted at the repayment, as the loans booked here
        return Line(
            loan=None,
            institution=lender,
            contract_no=x.contract_no,
            lent=x.amount,
            household_id=x.household_id,
            village_code=x.village_code,
            **fields,
        )

    return make
