"""``fupin demo``'s county: every role, the registry, ratings (DOMAIN §15); and (issue 24 (10)) the
seed's figures met, its history journalled, its month-ends run (a village below 98 % three
month-ends running is suspended, R-RPT-4). That the same seed builds the same county on
PostgreSQL and SQLite is test_deterministic.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from fupin.accounts.models import RoleAssignment
from fupin.accounts.roles import ROLES
from fupin.cob.day import closed_through
from fupin.cob.models import VillageMonth
from fupin.core.calendar import month_ends
from fupin.core.reports import period
from fupin.demo import bankfeeds, county
from fupin.divisions.models import Branch, Division, Institution
from fupin.feeds import selectors as feed_selectors
from fupin.feeds.models import Feed
from fupin.households.models import Household, Person
from fupin.ledger.models import JournalEntry
from fupin.loans.models import Application, Loan
from fupin.ratings.models import CreditLine, GradeChange, ScoreSheet
from fupin.reports.indicators import indicators
from fupin.reports.tables import ledger_balance
from fupin.riskfund.models import Claim
from fupin.subsidies.models import Batch


def test_the_demo_county_meets_the_seeds_figures(db):
    n = 2000
    demo = county.build(households=n, seed=11)
    # its shape: a user for every role, a branch per township, the registry mostly poor, ≈ 2/3 rated
    assert {u.role for u in demo.users} == set(ROLES)
    assert RoleAssignment.objects.filter(user__username__in=county.DEMO_USERNAMES).count() == len(
        county.ACCOUNTS
    ) + len(bankfeeds.STAFF)
    # the credit union's head office and an office per township; the banks' head offices and the
    # agricultural bank's office in the first township (issue 25)
    assert Branch.objects.filter(institution__code="FM000").count() == len(demo.townships) + 1
    # and the construction bank, which books in its own core system and sends its months (issue 25 (3))
    assert Branch.objects.count() == len(demo.townships) + 1 + len(county.BANKS) + 1 + 1
    assert Institution.objects.count() == 1 + len(county.BANKS) + 1
    lent_by = set(Loan.objects.values_list("institution__code", flat=True))
    assert lent_by == {"FM000", *(code for code, *_ in county.BANKS)}  # every lender has a book
    for code, *_, products in county.BANKS:  # each bank lent only the products it offers
        offered = set(products) or set(Loan.objects.values_list("product", flat=True))
        assert set(Loan.objects.filter(institution__code=code).values_list("product", flat=True)) <= offered
    assert len(demo.villages) == n // county.HOUSEHOLDS_PER_VILLAGE
    assert Household.objects.count() == n == Person.objects.filter(is_head=True).count()
    assert Household.objects.filter(status__in=["poor", "low_income"]).count() > n // 2
    assert 0.55 < CreditLine.objects.count() / n < 0.75  # 篇5
    assert ScoreSheet.objects.count() >= 5 * CreditLine.objects.count()
    assert GradeChange.objects.exclude(event="rating").exists()

    closed = closed_through()
    report = indicators(Division.objects.get(code=county.COUNTY[0]), period(f"{closed:%Y-%m}"))
    rates = {r["label"]: Decimal(r["percent"]) for r in report["rates"]}
    assert 91 <= rates["申贷获得率"] <= 95  # 篇5: 93.04 %
    assert 32 <= rates["农贷面"] <= 38  # 篇5: 35.17 %
    assert 98 <= rates["还款率"] <= 99.8  # 篇5: 99.15 %
    assert 5 <= report["counts"]["defaults"] <= 60  # "a few dozen" (篇5: 37 of a far larger county)
    sex = report["distributions"]["sex"]
    assert 0.45 <= sex["女"] / (sex["女"] + sex["男"]) <= 0.54  # 篇1: 49.5 %
    by_age = report["distributions"]["sex_by_age"]["40—49岁"]
    assert by_age["女"] > by_age["男"]  # 篇1: women ahead at 40–49
    times = report["distributions"]["times_borrowed"]
    assert times["第1次"] < sum(times.values()) / 2 and times["第6次及以上"] > 0  # years of repeat borrowing
    years = report["distributions"]["purpose_by_year"]
    assert min(years) <= closed.year - 8  # several years of history
    recent = years[max(y for y in years if y < closed.year)]
    assert recent.get("运输", 0) + recent.get("小商店、摊点等个体经营", 0) > sum(recent.values()) / 3

    # the month-ends ran: every village has its rows; one or two villages suspended now
    months = sorted(set(VillageMonth.objects.values_list("month", flat=True)))
    assert len(months) >= 12 and months == month_ends(months[0], closed + dt.timedelta(days=1))
    now = VillageMonth.objects.filter(month=months[-1])
    assert 1 <= now.filter(suspended=True).count() <= 2
    assert now.filter(below=True).count() <= 3
    assert now.count() == len(demo.villages)

    # the history is journalled: at every month-end the loans on the books are the loans' balances
    first = Loan.objects.order_by("start").values_list("start", flat=True)[0]
    assert JournalEntry.objects.filter(source="portfolio", date__lt=closed.replace(day=1)).exists()
    ends = month_ends(first, closed)

    def booked(m):  # the loans on Fupin's books at m: a loan brought in from a bank's own, from its cut-over
        return Loan.objects.filter(start__lte=m).exclude(migrated_on__gt=m)

    for m in ends[::7]:
        paid = (
            booked(m)
            .filter(installments__due_date__lte=m)
            .aggregate(p=Sum("installments__principal_paid"))["p"]
            or 0
        )
        lent = booked(m).aggregate(p=Sum("principal"))["p"]
        assert sum(ledger_balance("", "1301", m).values()) == lent - paid, m
    # — and in each lender's own books (issue 25), half-way through the history and at its end
    for m in (ends[len(ends) // 2], ends[-1]):
        for lender in Institution.objects.values_list("pk", flat=True):
            loans = booked(m).filter(institution=lender)
            paid = (
                loans.filter(installments__due_date__lte=m).aggregate(p=Sum("installments__principal_paid"))[
                    "p"
                ]
                or 0
            )
            lent = loans.aggregate(p=Sum("principal"))["p"] or 0
            assert sum(ledger_balance("", "1301", m, institution=lender).values()) == lent - paid, (m, lender)
    # the postal bank's loans kept in its own core system, brought in at the close before yesterday's
    moved = Loan.objects.filter(migrated_on__isnull=False)
    assert moved.count() >= 5 and set(moved.values_list("institution__code", flat=True)) == {"PSBC00"}
    assert JournalEntry.objects.filter(source="migration", date=moved.first().migrated_on).exists()
    # the construction bank's last two months, and what the county finds in them
    last_month = (closed.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    october = Feed.objects.get(institution__code="CCB000", month=last_month)
    kinds = {i["kind"] for i in feed_selectors.worklist(october)}
    assert kinds >= {"unregistered", "over_line", "dropped", "unbalanced"}
    # its subsidy claims computed from its files, and its fund claim; nothing of them in the ledger
    claims = {b.policy.code: b for b in Batch.objects.filter(institution__code="CCB000")}
    assert set(claims) == {"S-CAPPED", "S-HALF"} and all(b.claimed > 0 for b in claims.values())
    assert (claims["S-CAPPED"].state, claims["S-HALF"].state) == ("prepared", "confirmed")
    assert Claim.objects.filter(institution__code="CCB000", loan__isnull=True).count() == 1
    assert not JournalEntry.objects.filter(institution__code="CCB000").exists()
    refused = Application.objects.filter(state="rejected", rejected_reason__gt="").count()
    assert refused > 0
    # the county's data platform hears of the close (issue 26 (6)); the morning's messages (26 (7))
    from fupin.sms.models import Message
    from fupin.webhooks.models import Attempt, Outbox

    assert Outbox.objects.filter(event__in=["loan.overdue", "subsidy_batch.paid", "fund_claim.paid"]).exists()
    assert Attempt.objects.filter(status__isnull=True, error__startswith="无法送达").exists()
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert {"due_reminder", "todo"} <= kinds
    todo = Message.objects.filter(kind="todo").first()
    assert todo.user.username in county.DEMO_USERNAMES and "项待办" in todo.text
