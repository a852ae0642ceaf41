"""Early warning for a county or township (issue 28 (1)): each village's recovery at the next three
month-ends (R-RPT-4) and what must be collected to stay at 98 %, the risk funds' leverage over the
next twelve months (R-RSK-1), and how often the village forecast was right over the records kept.
The arithmetic is :mod:`fupin.core.warning`'s; this module gathers its figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

from django.conf import settings
from django.db.models import F, Sum

from fupin.accounts import access
from fupin.cob.models import CollectionItem, VillageMonth
from fupin.core import warning as core
from fupin.core.cob import MonthRate
from fupin.divisions.models import Division
from fupin.divisions.selectors import names
from fupin.loans.models import GroupMember, Installment, Loan
from fupin.riskfund.models import Fund
from fupin.riskfund.services import fund_position

AHEAD = 3  # month-ends the villages are foreseen for
FUND_AHEAD = 12
PAST_DUE = 30  # a loan this many days late is expected to reach the claim age (PAR30); fewer may cure


Series = dict[str, list[tuple[dt.date, MonthRate]]]


def series(reader, division: Division) -> tuple[Series, dict[str, list[tuple[bool, bool]]]]:
    """Each village's month-end figures in ``division`` (oldest first), as the reader may see them
    (``None``: the operator's command, every row), and its (below 98 %, suspended) at each."""
    rows = VillageMonth.objects.filter(village_code__startswith=division.prefix)
    if reader is not None:
        rows = access.visible(reader, rows, "report.view")
    out: dict[str, list[tuple[dt.date, MonthRate]]] = defaultdict(list)
    flags: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for v, month, due, repaid, below, suspended in rows.order_by("village_code", "month").values_list(
        "village_code", "month", "due", "repaid", "below", "suspended"
    ):
        out[v].append((month, MonthRate(due, repaid)))
        flags[v].append((below, suspended))
    return dict(out), dict(flags)


def villages(reader, division: Division, today: dt.date) -> dict:
    """The villages of ``division`` foreseen at the next :data:`AHEAD` month-ends after the last
    one recorded: expected rate, below 98 %, suspended, and what the coming month must bring in."""
    history, flags = series(reader, division)
    latest = max((rows[-1][0] for rows in history.values()), default=None)
    if latest is None:
        return {"latest": None, "rows": [], "backtest": core.backtest({})}
    coming = _coming(list(history), latest, today)
    county_flow = core.flow_rate(_summed(history)) or Fraction(1)
    named = names(history)
    rows = []
    for v, months in sorted(history.items()):
        if months[-1][0] != latest:
            continue
        flow = core.flow_rate(months)
        ahead = core.forecast(latest, months[-1][1], coming[v], flow if flow is not None else county_flow)
        below = [b for b, _ in flags[v]]
        suspended = core.suspension_ahead(below, flags[v][-1][1], [m.below for m in ahead])
        rows.append(
            {
                "code": v,
                "name": named.get(v, v),
                "now": months[-1][1],
                "suspended_now": flags[v][-1][1],
                "flow": flow,
                "ahead": list(zip(ahead, suspended, strict=True)),
                "at_risk": sum(c.in_arrears + sum(a for a, _ in c.grouped) for c in coming[v]),
                "alarm": any(m.below for m in ahead) or any(suspended),
            }
        )
    rows.sort(key=lambda r: (not r["alarm"], r["ahead"][0][0].rate or 1, r["code"]))
    return {"latest": latest, "rows": rows, "backtest": core.backtest(history), "county_flow": county_flow}


def _summed(history: Series) -> list:
    """The villages' figures added up at each of the last month-ends (the flow of a village with
    no months of its own is the division's)."""
    total: dict[dt.date, MonthRate] = {}
    for months in history.values():
        for day, f in months[-core.FLOW_MONTHS - 1 :]:
            t = total.get(day, MonthRate(0, 0))
            total[day] = MonthRate(t.due + f.due, t.repaid + f.repaid)
    return sorted(total.items())


def _coming(villages: list[str], latest: dt.date, today: dt.date) -> dict[str, list[core.Coming]]:
    """What falls due in each coming month, per village: on loans in good standing, on loans in
    arrears now, on loans of households whose group has a member in arrears (P-GROUP)."""
    late_loans, late_households = _in_arrears(villages, today)
    group_of, share = _groups(villages, late_households)
    ends = [core.month_end(latest, j) for j in range(1, AHEAD + 1)]
    parts: dict[tuple[str, int], dict] = defaultdict(
        lambda: {"current": 0, "late": 0, "grouped": defaultdict(int)}
    )
    for v, loan, household, due_date, amount in (
        Installment.objects.filter(
            loan__village_code__in=villages,
            loan__state=Loan.State.ACTIVE,
            loan__servicing__isnull=False,
            due_date__gt=latest,
            due_date__lte=ends[-1],
        )
        .values_list("loan__village_code", "loan_id", "loan__household_id", "due_date")
        .annotate(a=Sum(F("principal") + F("interest")))
    ):
        j = next(i for i, end in enumerate(ends) if due_date <= end)
        p = parts[(v, j)]
        if loan in late_loans:
            p["late"] += amount
        elif household in group_of and share[group_of[household]] < 1:
            p["grouped"][group_of[household]] += amount
        else:
            p["current"] += amount
    return {
        v: [
            core.Coming(
                current=parts[(v, j)]["current"],
                in_arrears=parts[(v, j)]["late"],
                grouped=tuple((a, share[g]) for g, a in sorted(parts[(v, j)]["grouped"].items())),
            )
            for j in range(AHEAD)
        ]
        for v in villages
    }


def last_list(today: dt.date) -> dt.date | None:
    """The day of the last collection list the close made (the loans in arrears as it left them)."""
    lists = CollectionItem.objects.filter(date__lte=today).order_by("-date")
    return lists.values_list("date", flat=True).first()


def _in_arrears(villages: list[str], today: dt.date) -> tuple[set[int], set[int]]:
    """The loans in arrears on the last collection list (the close's), and their households."""
    last = last_list(today)
    if last is None:
        return set(), set()
    rows = CollectionItem.objects.filter(date=last, village_code__in=villages, arrears__gt=0).values_list(
        "loan_id", "loan__household_id"
    )
    return {loan for loan, _ in rows}, {h for _, h in rows}


def _groups(villages: list[str], late: set[int]) -> tuple[dict[int, int], dict[int, Fraction]]:
    """household → its group; group → the share of its members not in arrears."""
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for g, h in GroupMember.objects.filter(group__village_id__in=villages, left_on__isnull=True).values_list(
        "group_id", "household_id"
    ):
        group_of[h] = g
        members[g].append(h)
    return group_of, {g: Fraction(sum(h not in late for h in hs), len(hs)) for g, hs in members.items()}


def limit() -> Fraction:
    """The leverage a risk fund may carry (放大倍数, R-RSK-1): ``FUPIN_FUND_LEVERAGE``, 10 by default."""
    return Fraction(str(settings.FUPIN_FUND_LEVERAGE))


def funds(reader, division: Division, today: dt.date) -> list[dict]:
    """Each risk fund of ``division``'s county over the next twelve month-ends: the loans it covers
    amortised by their schedules, new lending at the last three months' pace, and its share of the
    loans more than :data:`PAST_DUE` days late paid out as they reach the claim age."""
    out = []
    county = division.code[:6] + "000000"
    for fund in Fund.objects.filter(county_code=county).order_by("pk"):
        if reader is not None and not access.may(
            reader, "riskfund.view", code=county, institution=fund.institution_id
        ):
            continue
        pos = fund_position(fund)
        lender = {"institution": fund.institution_id} if fund.institution_id is not None else {}
        mine = Loan.objects.filter(product__in=fund.products, village_code__startswith=county[:6], **lender)
        covered = mine.filter(state=Loan.State.ACTIVE)
        ends = [core.month_end(today, j) for j in range(FUND_AHEAD)]
        amortised = [0] * FUND_AHEAD
        for due_date, p in (
            Installment.objects.filter(loan__in=covered, due_date__gt=today, due_date__lte=ends[-1])
            .values_list("due_date")
            .annotate(p=Sum(F("principal") - F("principal_paid")))
        ):
            amortised[next(i for i, e in enumerate(ends) if due_date <= e)] += p
        since = today - dt.timedelta(days=91)
        lent = mine.filter(start__gt=since, start__lte=today).aggregate(s=Sum("principal"))["s"] or 0
        share = fund_share(fund)
        late = dict(
            CollectionItem.objects.filter(
                date=today, loan__in=covered, dpd__gte=PAST_DUE, dpd__lt=fund.overdue_days
            ).values_list("loan_id", "dpd")
        )
        payouts = [0] * FUND_AHEAD
        for loan, owed in (
            Installment.objects.filter(loan_id__in=list(late))
            .values_list("loan_id")
            .annotate(p=Sum(F("principal") - F("principal_paid")))
        ):  # claimed when it reaches the claim age, the fund paying its share of the principal
            payouts[min(FUND_AHEAD - 1, (fund.overdue_days - late[loan]) // 30)] += int(owed * share)
        months = core.fund_ahead(today, pos["balance"], pos["outstanding"], amortised, lent // 3, payouts)
        out.append(
            {
                "fund": fund,
                "position": pos,
                "months": months,
                "over": core.first_over(months, limit()),
                "over_now": pos["leverage"] is None or pos["leverage"] > limit(),
                "lending": lent // 3,
                "payouts": sum(payouts),
            }
        )
    return out


def fund_share(fund: Fund) -> Fraction:
    """The fund's part of a loss (R-RSK-2): its parties' weight over all the parties' weight."""
    parties = fund.parties or []
    total = sum(int(w) for _, _, w in parties)
    mine = sum(int(w) for _, kind, w in parties if kind == "fund")
    return Fraction(mine, total) if total else Fraction(1)
