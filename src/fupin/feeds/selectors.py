"""Reading the banks' monthly data (issue 25 (3)): the months a reader may see, and each month's
reconciliation worklist (:func:`fupin.core.feeds.worklist`) with the borrowers' villages named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Sum

from fupin.accounts import access
from fupin.core import feeds as core
from fupin.core.errors import NotFound
from fupin.core.money import to_fen
from fupin.divisions.models import Institution
from fupin.divisions.selectors import names
from fupin.feeds.models import Feed, FeedLoan, FeedRepayment
from fupin.ratings.models import CreditLine

VIEW = "feed.view"


def feeds_visible(reader):
    """The months of bank data in the reader's jurisdiction (a bank's staff: their own bank's)."""
    return access.visible(reader, Feed.objects.select_related("institution"), VIEW).order_by(
        "-month", "institution__code"
    )


def feed_get(reader, pk: int) -> Feed:
    feed = feeds_visible(reader).filter(pk=pk).first()
    if feed is None:
        raise NotFound("该月数据不存在或不在您的权限内", code="feed_not_found")
    return feed


def worklist(feed: Feed) -> list[dict]:
    """The month's items to look into, each with its loan's borrower and village (see the core)."""
    rows = list(feed.loans.all())
    previous_month = (feed.month - dt.timedelta(days=1)).replace(day=1)
    before = Feed.objects.filter(institution_id=feed.institution_id, month=previous_month).first()
    previous = (
        {
            no: (balance, status)
            for no, balance, status in before.loans.values_list("contract_no", "balance", "status")
        }
        if before
        else None
    )
    households = {x.household_id for x in rows if x.household_id}
    lines = {
        hh: to_fen(amount)
        for hh, amount in CreditLine.objects.filter(
            household_id__in=households, valid_until__gte=feed.month
        ).values_list("household_id", "amount")
    }
    known = {x.contract_no: core.Known(x.household_id is not None, lines.get(x.household_id)) for x in rows}
    repayments = [
        core.FeedRepayment(0, r.contract_no, r.paid_on, r.principal, r.interest, r.penalty)
        for r in feed.repayments.all()
    ]
    items = core.worklist([x.to_domain() for x in rows], repayments, previous, known, feed.month)
    by_no = {x.contract_no: x for x in rows}
    villages = names({x.village_code for x in rows if x.village_code})
    out = []
    for i in items:
        loan = by_no.get(i.contract_no)
        out.append(
            {
                "kind": i.kind,
                "kind_label": core.KINDS[i.kind],
                "contract_no": i.contract_no,
                "name": loan.name if loan else "",
                "id_masked": loan.id_masked if loan else "",
                "village": villages.get(loan.village_code, "") if loan else "",
                "household": loan.household_id if loan else None,
                "message": i.message,
                "amount": i.amount,
            }
        )
    return out


def month_loans(prefix: str, end: dt.date, institution: int | None = None):
    """The loans the banks' files state at the month of ``end`` (each bank's latest version), of
    borrowers in the registry in the division — what the official tables count with the loans
    booked in Fupin (a loan to someone not registered is on the worklist, not in the tables)."""
    rows = FeedLoan.objects.filter(
        feed__month=end.replace(day=1), household__isnull=False, village_code__startswith=prefix
    )
    return rows if institution is None else rows.filter(feed__institution=institution)


def repayments_between(prefix: str, start: dt.date, end: dt.date, institution: int | None = None):
    """The repayments the banks' files show between the dates, of loans to registered borrowers in
    the division."""
    rows = FeedRepayment.objects.filter(paid_on__range=(start, end), village_code__startswith=prefix).exclude(
        village_code=""
    )
    return rows if institution is None else rows.filter(feed__institution=institution)


def repaid(prefix: str, start: dt.date, end: dt.date, institution: int | None = None) -> dict[str, int]:
    """What the banks' files say was repaid (principal, interest and penalty, fen) between the
    dates, by village (repayments of loans not in the registry left out)."""
    return dict(
        repayments_between(prefix, start, end, institution)
        .values("village_code")
        .annotate(s=Sum(F("principal") + F("interest") + F("penalty")))
        .values_list("village_code", "s")
    )


def recovery(month_end: dt.date) -> dict[str, tuple[int, int]]:
    """R-RPT-4's figures of the banks' loans at a month-end, by village: (due this year, repaid
    this year), fen — what the banks' files say was repaid (principal and interest) since the
    first of January, and, as due, that plus the arrears (overdue principal and interest) their
    files for the month state. Worked example: 12 000.00 repaid this year, 300.00 in arrears at
    the month-end → due 12 300.00, repaid 12 000.00 (97.56 %). A bank that has not sent the month
    adds nothing."""
    month = month_end.replace(day=1)
    sent = set(Feed.objects.filter(month=month).values_list("institution_id", flat=True))
    out: dict[str, list[int]] = {}
    paid = (
        FeedRepayment.objects.filter(
            feed__institution__in=sent, paid_on__range=(dt.date(month_end.year, 1, 1), month_end)
        )
        .exclude(village_code="")
        .values("village_code")
        .annotate(s=Sum(F("principal") + F("interest")))
        .values_list("village_code", "s")
    )
    for village, s in paid:
        out.setdefault(village, [0, 0])[1] += s
    late = (
        FeedLoan.objects.filter(feed__month=month, household__isnull=False)
        .exclude(status="written_off")
        .values("village_code")
        .annotate(s=Sum(F("overdue_principal") + F("overdue_interest")))
        .values_list("village_code", "s")
    )
    for village, s in late:
        out.setdefault(village, [0, 0])[0] += s
    return {v: (late_ + repaid, repaid) for v, (late_, repaid) in out.items()}


def sent_since(month_end: dt.date, since) -> bool:
    """Whether a bank's file for the month of ``month_end`` came in after ``since`` (a time)."""
    return Feed.objects.filter(month=month_end.replace(day=1), imported_at__gt=since).exists()


def household_loans(household_id: int) -> list[FeedLoan]:
    """A household's loans in the banks' files (its credit report), each as the latest month that
    lists it states it, the newest first."""
    rows = (
        FeedLoan.objects.filter(household_id=household_id)
        .select_related("feed__institution")
        .order_by("contract_no", "-feed__month")
    )
    latest: dict[tuple[int, str], FeedLoan] = {}
    for x in rows:
        latest.setdefault((x.feed.institution_id, x.contract_no), x)
    return sorted(latest.values(), key=lambda x: (x.start, x.contract_no), reverse=True)


def owing(institution: int | None, county: str) -> tuple[int, int]:
    """(loans, principal outstanding in fen) of registered borrowers in the county that one bank's
    latest file (or each bank's, ``institution`` None) states — a risk-fund agreement covers them
    as it covers the loans booked here."""
    feeds = Feed.objects.filter(division_code__startswith=county[:6])
    if institution is not None:
        feeds = feeds.filter(institution_id=institution)
    latest = {
        i: m for i, m in feeds.order_by("institution_id", "month").values_list("institution_id", "month")
    }
    n = total = 0
    for i, month in latest.items():
        got = (
            FeedLoan.objects.filter(
                feed__institution_id=i, feed__month=month, household__isnull=False, balance__gt=0
            )
            .exclude(status__in=("settled", "written_off"))
            .aggregate(n=Count("pk"), b=Sum("balance"))
        )
        n, total = n + got["n"], total + (got["b"] or 0)
    return n, total


def keeps_own_books(institution: int | None) -> bool:
    """Whether an institution books its loans in its own core system (:attr:`Institution.own_core`):
    it sends the county monthly files, and Fupin's ledger holds nothing of its loans."""
    return institution is not None and Institution.objects.filter(pk=institution, own_core=True).exists()


def latest_loan(institution: int | None, contract_no: str) -> FeedLoan | None:
    """A bank's loan as the newest month of its files that lists it states it."""
    return (
        FeedLoan.objects.filter(feed__institution_id=institution, contract_no=contract_no)
        .select_related("feed")
        .order_by("-feed__month")
        .first()
    )


def repayments_after(institution: int | None, contract_no: str, after: dt.date):
    """A bank's loan's repayments its files show after a day, the earliest first."""
    return FeedRepayment.objects.filter(
        feed__institution_id=institution, contract_no=contract_no, paid_on__gt=after
    ).order_by("paid_on", "pk")


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@dataclass
class History:
    """A bank's loan over every month its files state it: the latest month's row, the month-ends at
    which it was overdue, its repayments, and the day it was settled (None: not yet) — the last
    repayment of the month whose file first reports it settled, or that month's end."""

    loan: FeedLoan
    late: list[dt.date] = field(default_factory=list)
    repayments: list[FeedRepayment] = field(default_factory=list)
    settled_on: dt.date | None = None


def histories(institution: int, prefix: str, until: dt.date) -> dict[str, History]:
    """The loans of registered borrowers in the division that one bank's files for the months ended
    by ``until`` state, by contract number (the interest subsidy on them,
    :mod:`fupin.subsidies.banks`)."""
    months = [
        m
        for m in Feed.objects.filter(institution_id=institution).values_list("month", flat=True)
        if month_end(m) <= until
    ]
    out: dict[str, History] = {}
    rows = FeedLoan.objects.filter(
        feed__institution_id=institution,
        feed__month__in=months,
        household__isnull=False,
        village_code__startswith=prefix,
    ).select_related("feed")
    for x in rows.order_by("feed__month"):
        h = out.setdefault(x.contract_no, History(x))
        h.loan = x
        if x.status == "overdue" or x.days_overdue:
            h.late.append(month_end(x.feed.month))
        if h.settled_on is None and (x.status == "settled" or x.balance == 0):
            h.settled_on = month_end(x.feed.month)
    for r in FeedRepayment.objects.filter(
        feed__institution_id=institution, feed__month__in=months, contract_no__in=list(out)
    ).order_by("paid_on", "pk"):
        h = out[r.contract_no]
        h.repayments.append(r)
        if h.settled_on is not None and r.paid_on.replace(day=1) == h.settled_on.replace(day=1):
            h.settled_on = r.paid_on  # the repayment that settled it, in the month first reporting it
    return out
