"""The policy simulator (issue 28 (2)): before the county publishes a change — the income line
or the age limit of its eligibility rules, a subsidy policy's share or rate, the fund's share of
a loss — the real portfolio is replayed under it, side by side with today's:

* **households**: the households of the programme whose eligibility the change turns (R-ELG-1, 2b),
  per township, with those holding a credit line or a loan;
* **next year's subsidy budget** per finance bureau (county): every active loan of the policy's
  products, its instalments falling due next year taken as repaid on time, run through the
  subsidy rules themselves (:func:`fupin.core.subsidy.loan_lines`) under today's policy and the
  proposed one — a new benchmark (LPR) as the one the rules compare every loan with (a policy
  that subsidises loans at or below the benchmark drops those above it);
* **the fund's exposure**: its share of the principal of loans now in arrears, today's and proposed.

Nothing is written: the simulation reads the books and the registry, no more."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db.models import F, Sum

from fupin.cob.models import CollectionItem
from fupin.core import subsidy as core_subsidy
from fupin.core.eligibility import Rules
from fupin.core.products import Benchmark
from fupin.divisions.models import Division
from fupin.divisions.selectors import names
from fupin.households.models import Household, Person
from fupin.loans.models import Installment, Loan
from fupin.products import benchmarks
from fupin.ratings.models import CreditLine
from fupin.ratings.selectors import programme_rules
from fupin.reports.warning import fund_share, last_list
from fupin.riskfund.models import Fund
from fupin.subsidies.models import Line, Policy
from fupin.subsidies.services import loan_facts


@dataclasses.dataclass(frozen=True)
class Proposal:
    """What the county considers changing; None keeps today's."""

    income_line: Decimal | None = None
    max_age: int | None = None
    policy: int | None = None  # the subsidy policy changed
    share: Decimal | None = None
    rate: Decimal | None = None
    fund_share: int | None = None  # the fund's weight in a loss, in per cent
    lpr_1y: Decimal | None = None  # a new benchmark (LPR) the subsidy rules compare loans with
    lpr_5y: Decimal | None = None

    def benchmark(self, today: dt.date) -> Benchmark | None:
        """The proposed benchmark, the part not given kept at today's; None if none is proposed."""
        if self.lpr_1y is None and self.lpr_5y is None:
            return None
        now = benchmarks.in_force(today)
        return Benchmark(
            today,
            Fraction(str(self.lpr_1y)) if self.lpr_1y is not None else now.one_year,
            Fraction(str(self.lpr_5y)) if self.lpr_5y is not None else now.five_year,
        )


def simulate(county: Division, proposal: Proposal, today: dt.date) -> dict:
    rules, _ = programme_rules(county.code, today)
    return {
        "rules": rules,
        "households": households(county, rules, proposal, today),
        "subsidy": subsidy_budget(county, proposal, today),
        "funds": fund_exposure(county, proposal, today),
    }


def _turns(rules: Rules, proposal: Proposal, income, birth, today: dt.date) -> tuple[bool, bool] | None:
    """(eligible under today's income line and age, under the proposal's), for the two levers."""

    def fits(line, oldest) -> bool:
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        by_income = line is None or (income is not None and income < line)
        return by_income and rules.min_age <= age <= oldest

    now = fits(rules.income_line, rules.max_age)
    then = fits(
        proposal.income_line if proposal.income_line is not None else rules.income_line,
        proposal.max_age if proposal.max_age is not None else rules.max_age,
    )
    return (now, then) if now != then else None


def households(county: Division, rules: Rules, proposal: Proposal, today: dt.date) -> list[dict]:
    """Per township: the households of the programme's statuses the proposal makes eligible or
    ineligible by income line and age, and of those made ineligible, how many hold a credit line
    or an active loan."""
    heads = dict(
        Person.objects.filter(
            household__village__code__startswith=county.prefix,
            household__status__in=rules.statuses,
            is_head=True,
            left_on__isnull=True,
        ).values_list("household_id", "birth_date")
    )
    lines = set(
        CreditLine.objects.filter(household_id__in=heads, amount__gt=0).values_list("household_id", flat=True)
    )
    borrowing = set(
        Loan.objects.filter(household_id__in=heads, state=Loan.State.ACTIVE).values_list(
            "household_id", flat=True
        )
    )
    out: dict[str, dict] = defaultdict(lambda: {"gain": 0, "lose": 0, "lose_line": 0, "lose_loan": 0})
    for hid, village, income in Household.objects.filter(pk__in=list(heads)).values_list(
        "pk", "village_id", "income_per_capita"
    ):
        turned = _turns(rules, proposal, income, heads[hid], today)
        if turned is None:
            continue
        row = out[village[:9] + "000"]
        if turned[1]:
            row["gain"] += 1
        else:
            row["lose"] += 1
            row["lose_line"] += hid in lines
            row["lose_loan"] += hid in borrowing
    named = names(out)
    return [{"code": t, "name": named.get(t, t), **row} for t, row in sorted(out.items())]


def subsidy_budget(county: Division, proposal: Proposal, today: dt.date) -> list[dict]:
    """Next year's subsidy per policy: today's and under the proposal, every loan replayed."""
    year = today.year + 1
    out = []
    for policy in Policy.objects.filter(effective__lte=today).order_by("code", "-effective"):
        if any(r["code"] == policy.code for r in out):
            continue  # the version in force only
        now = policy.to_domain()
        lpr = proposal.benchmark(today)
        changed = lpr is not None or (
            proposal.policy == policy.pk and (proposal.share is not None or proposal.rate is not None)
        )
        then = (
            dataclasses.replace(
                now,
                share=Fraction(str(proposal.share)) if proposal.share is not None else now.share,
                rate=Fraction(str(proposal.rate)) if proposal.rate is not None else now.rate,
            )
            if proposal.policy == policy.pk
            else now
        )
        per: dict[int, list[tuple[int, int]]] = defaultdict(list)  # household -> (today, proposed)
        loans = 0
        for loan, periods in _next_year(county, policy.products, year):
            facts = loan_facts(loan, periods)
            a = sum(x.amount for x in core_subsidy.loan_lines(now, facts))
            moved = dataclasses.replace(facts, benchmark=lpr) if lpr is not None else facts
            b = sum(x.amount for x in core_subsidy.loan_lines(then, moved)) if changed else a
            per[loan.household_id].append((a, b))
            loans += 1
        # the programme's cap per household (S-CAPPED), over what each has received already
        had = dict(
            Line.objects.filter(policy__code=policy.code, household_id__in=list(per))
            .values_list("household_id")
            .annotate(s=Sum("amount"))
        )
        before, after = _capped(now.cap, had, per, 0), _capped(then.cap, had, per, 1)
        out.append(
            {
                "code": policy.code,
                "pk": policy.pk,
                "name": policy.name,
                "loans": loans,
                "before": before,
                "after": after if changed else before,
                "changed": changed,
            }
        )
    return out


def _capped(cap: int | None, had: dict[int, int], per: dict[int, list[tuple[int, int]]], which: int) -> int:
    """The households' subsidies (today's: ``which`` 0; proposed: 1) within the cap per household."""
    return sum(
        sum(core_subsidy.household_cap(cap, had.get(h, 0), [x[which] for x in xs])) for h, xs in per.items()
    )


def _next_year(county: Division, products: list[str], year: int):
    """Each active loan of ``products`` in the county with its instalments due in ``year`` as
    subsidy periods, taken as repaid on time (the principal outstanding over each: all of it but
    what fell due before), in one read of the schedules."""
    rows = (
        Installment.objects.filter(
            loan__village_code__startswith=county.prefix,
            loan__product__in=products,
            loan__state=Loan.State.ACTIVE,
            due_date__lt=dt.date(year + 1, 1, 1),
        )
        .select_related("loan", "loan__application")
        .order_by("loan_id", "seq")
    )
    loan, periods, owed = None, [], 0
    for i in rows:
        if loan is None or i.loan_id != loan.pk:
            if periods:
                yield loan, periods
            loan, periods, owed = i.loan, [], i.loan.principal
        if i.due_date.year == year:
            periods.append(core_subsidy.Period(i.seq, i.period_start, i.due_date, owed, i.interest, True))
        owed -= i.principal
    if periods:
        yield loan, periods


def fund_exposure(county: Division, proposal: Proposal, today: dt.date) -> list[dict]:
    """Each fund's share of the principal of its loans now in arrears: today's and proposed."""
    last = last_list(today)
    out = []
    for fund in Fund.objects.filter(county_code=county.code).order_by("pk"):
        lender = {"institution": fund.institution_id} if fund.institution_id is not None else {}
        loans = Loan.objects.filter(
            state=Loan.State.ACTIVE,
            product__in=fund.products,
            village_code__startswith=county.prefix,
            **lender,
        )
        late = CollectionItem.objects.filter(date=last, loan__in=loans, arrears__gt=0)
        behind = list(late.values_list("loan_id", flat=True)) if last else []
        left = Installment.objects.filter(loan_id__in=behind).aggregate(
            p=Sum(F("principal") - F("principal_paid"))
        )
        owed = left["p"] or 0
        now = fund_share(fund)
        then = Fraction(proposal.fund_share, 100) if proposal.fund_share is not None else now
        out.append(
            {
                "fund": fund,
                "loans": len(behind),
                "owed": owed,
                "before": int(owed * now),
                "after": int(owed * then),
                "share_now": now,
                "share_then": then,
            }
        )
    return out


def policies() -> list[Policy]:
    """The subsidy policies in force, one per code, for the simulator's choice."""
    seen, out = set(), []
    for p in Policy.objects.order_by("code", "-effective"):
        if p.code not in seen:
            seen.add(p.code)
            out.append(p)
    return out
