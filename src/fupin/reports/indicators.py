"""Portfolio indicators (R-RPT-2) and the seed's distributions (R-RPT-3) for a division at the end
of a period; every figure with its numerator and denominator, so that a chart's numbers can sit
beside it as a table.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import CharField, Count, F, FilteredRelation, IntegerField, Q, Sum, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import ExtractYear, TruncMonth

from fupin.cob.day import closed_through
from fupin.core import reports as core
from fupin.core import servicing
from fupin.core.calendar import add_months
from fupin.core.origination import PURPOSES
from fupin.divisions.models import Division
from fupin.households.models import Household
from fupin.loans.models import Application, Installment, Loan
from fupin.ratings.models import CreditLine
from fupin.reports.tables import REGISTERED, _by, arrears, ledger_balance

# the rates whose numerator and denominator are amounts (fen); the others count households,
# applications or loans
MONEY_RATES = frozenset({"还款率", "PAR30", "授信使用率"})


def indicators(
    division: Division, period: core.Period, *, closed: dt.date | None = None, institution: int | None = None
) -> dict:
    """The programme's indicators for a division and period — of one lending institution's loans,
    books and applications if given (issue 25)."""
    p, end = division.prefix, period.end
    closed = closed or closed_through() or end
    lent = Loan.objects.filter(
        _by(institution, "institution"), village_code__startswith=p, start__lte=end
    ).exclude(state=Loan.State.CONTRACTED)
    served = lent.aggregate(hh=Count("household", distinct=True), n=Count("pk"), amount=Sum("principal"))
    balance = sum(ledger_balance(p, "1301", end, institution=institution).values())
    due = Installment.objects.filter(loan__in=lent, due_date__lte=min(end, closed)).aggregate(
        due=Sum(F("principal") + F("interest")), paid=Sum(F("principal_paid") + F("interest_paid"))
    )
    late = [x for rows in arrears(p, closed, institution).values() for x in rows]
    par30 = sum(x["outstanding"] for x in late if x["dpd"] > 30)
    default = [x for x in late if x["dpd"] > 90]
    written = lent.filter(state=Loan.State.WRITTEN_OFF, closed_on__lte=end).aggregate(
        n=Count("pk"), a=Sum("principal")
    )
    apps = Application.objects.filter(
        _by(institution, "institution"), village_code__startswith=p, created_at__date__lte=end
    )
    applied = apps.exclude(
        state__in=["submitted", "village_reviewed", "township_reviewed", "in_notice"]
    ).count()
    approved = apps.filter(state__in=["approved", "contracted", "disbursed"]).count()
    households = Household.objects.filter(village__code__startswith=p)
    registered = households.filter(status__in=REGISTERED).count()
    total_households = households.count()
    alive = lent.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    borrowing = alive.values("household").distinct().count()
    rated = CreditLine.objects.filter(village_code__startswith=p)
    credit = rated.aggregate(n=Count("pk"), total=Sum("amount"))
    used = (
        Installment.objects.filter(
            loan__in=alive.filter(household__credit__isnull=False).exclude(state=Loan.State.WRITTEN_OFF)
        ).aggregate(u=Sum(F("principal") - F("principal_paid")))["u"]
        or 0
    )
    rated_registered = rated.filter(household__status__in=REGISTERED).count()
    credit_total = int((credit["total"] or 0) * 100)

    par = {label: 0 for _, _, label in servicing.PAR_BUCKETS}
    classes = {name: 0 for name in servicing.CATEGORIES.values()}
    for x in late:
        par[servicing.par_bucket(x["dpd"])] += x["outstanding"]
        classes[servicing.CATEGORIES[servicing.category(x["dpd"])]] += x["outstanding"]
    classes["正常"] = balance - sum(classes.values())

    def item(label: str, part: int, whole: int, note: str = "") -> dict:
        return {
            "label": label,
            "part": part,
            "whole": whole,
            "percent": core.percent(part, whole),
            "note": note,
        }

    return {
        "division": division.code,
        "division_name": division.name,
        "period": period.label,
        "closed": closed.isoformat(),
        "counts": {
            "households_served": served["hh"] or 0,
            "loans": served["n"] or 0,
            "disbursed": served["amount"] or 0,
            "outstanding": balance,
            "defaults": len(default) + (written["n"] or 0),
            "default_amount": sum(x["outstanding"] for x in default) + (written["a"] or 0),
        },
        "rates": [
            item("还款率", due["paid"] or 0, due["due"] or 0, "已还本息 ÷ 到期应还本息（篇5：99.15%）"),
            item("PAR30", par30, balance, "逾期 30 天以上贷款余额 ÷ 贷款余额"),
            item("申贷获得率", approved, applied, "获批申请 ÷ 已作出决定的申请（篇5：93.04%）"),
            item("农贷面", borrowing, total_households, "有贷款余额的户 ÷ 全部农户（篇5：35.17%）"),
            item("评级覆盖率", rated_registered, registered, "已评级的建档立卡户 ÷ 建档立卡户"),
            item("授信使用率", used, credit_total, "已评级户的贷款余额（现值）÷ 授信总额"),
        ],
        "par": par,
        "classes": classes,
        "distributions": distributions(lent, end),
    }


def _banded(expression, bands: tuple[tuple[str, int | None], ...]) -> Case:
    """A SQL CASE giving each row the label of its band (upper bounds exclusive)."""
    whens = [
        When(**{f"{expression}__lt": upper}, then=Value(label)) for label, upper in bands if upper is not None
    ]
    return Case(*whens, default=Value(bands[-1][0]), output_field=CharField())


def distributions(lent, end: dt.date) -> dict:
    """R-RPT-3, each a grouped query: purpose mix by year, size bands, times borrowed (a household
    with k loans has one loan borrowed the 1st, … the k-th time), sex, age band on the loan's
    start, sex within age band (the borrower is the head of the household), monthly due against
    collected."""
    purpose: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (
        lent.values(year=ExtractYear("start"), p=F("application__purpose")).annotate(n=Count("pk")).order_by()
    ):
        purpose[r["year"]][PURPOSES.get(r["p"], r["p"])] = r["n"]
    sizes = Counter(
        dict(
            lent.annotate(b=_banded("principal", core.SIZE_BANDS))
            .values("b")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("b", "n")
        )
    )
    times: Counter = Counter()
    per_household = Counter(
        lent.values("household").annotate(k=Count("pk")).order_by().values_list("k", flat=True)
    )
    for k, households in per_household.items():  # one row per borrowing household, counted here
        for n in range(1, k + 1):
            times[core.times_label(n)] += households
    head = FilteredRelation(
        "household__members",
        condition=Q(household__members__is_head=True, household__members__left_on__isnull=True),
    )
    born = (
        lent.annotate(head=head)
        .filter(head__isnull=False)
        .annotate(
            age=ExtractYear("start")
            - ExtractYear("head__birth_date")
            - Case(
                When(
                    Q(start__month__lt=F("head__birth_date__month"))
                    | Q(start__month=F("head__birth_date__month"), start__day__lt=F("head__birth_date__day")),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    sex: Counter = Counter()
    ages: Counter = Counter()
    sex_age: dict[str, Counter] = defaultdict(Counter)
    for s, a, n in (
        born.annotate(band=_banded("age", core.AGE_BANDS))
        .values("head__sex", "band")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("head__sex", "band", "n")
    ):
        s = s or "未知"
        sex[s] += n
        ages[a] += n
        sex_age[a][s] += n
    return {
        "purpose_by_year": {y: purpose[y] for y in sorted(purpose)},
        "size_bands": {label: sizes[label] for label, _ in core.SIZE_BANDS},
        "times_borrowed": {label: times[label] for label in core.TIMES},
        "sex": dict(sex),
        "age_bands": {label: ages[label] for label, _ in core.AGE_BANDS},
        "sex_by_age": {label: dict(sex_age[label]) for label, _ in core.AGE_BANDS},
        "monthly": monthly(lent, end),
    }


def monthly(lent, end: dt.date, months: int = 12) -> list[dict]:
    """Due and collected per month for the twelve months up to ``end`` (instalments by due month;
    what has been paid on them)."""

    first = add_months(dt.date(end.year, end.month, 1), -(months - 1))
    qs = Installment.objects.filter(loan__in=lent, due_date__range=(first, end))
    by = {
        f"{r['m']:%Y-%m}": r
        for r in qs.annotate(m=TruncMonth("due_date"))
        .values("m")
        .annotate(
            due=Sum(F("principal") + F("interest")), collected=Sum(F("principal_paid") + F("interest_paid"))
        )
        .order_by()
    }
    out = []
    for k in range(months):
        key = f"{add_months(first, k):%Y-%m}"
        b = by.get(key) or {"due": 0, "collected": 0}
        due, got = b["due"] or 0, b["collected"] or 0
        out.append({"month": key, "due": due, "collected": got, "rate": core.percent(got, due)})
    return out
