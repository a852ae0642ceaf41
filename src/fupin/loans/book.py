"""Writing loans as they stand at the close of a day, in bulk, with the ledger to match: the
applications, the loans and their schedules, what the nightly batch holds for each (servicing),
and the journal — either one entry per village, lender and month of the loans' history, or one
opening entry per village and lender on the close of the day.

Two writers use it: the demo and benchmark books (:mod:`fupin.demo.portfolio`), whose loans are
paid instalment by instalment on their due dates up to a day, and the migration of a lender's
existing book (:mod:`fupin.loans.book_import`, issue 25 (2)), whose loans carry the principal
and interest paid to the cut-over, allocated to the instalments in order.

Schedules come from the products (:mod:`fupin.core.products`), cached per product, amount,
start, term and rate.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from fupin import bulk
from fupin.cob.models import CobRun
from fupin.core import cob
from fupin.core.apr import disclose
from fupin.core.calendar import month_end, month_ends
from fupin.core.errors import ValidationFailed
from fupin.core.ledger import Posting
from fupin.core.postings import off_balance_postings
from fupin.core.products import Benchmark, preset
from fupin.core.schedule import generate
from fupin.core.schedule.terms import terms_to_dict
from fupin.divisions.selectors import lenders_of
from fupin.ledger import models as ledger_models
from fupin.ledger.services import Draft, entries_post
from fupin.loans.models import Application, Guarantor, Installment, Loan, Servicing
from fupin.products import benchmarks, calendar
from fupin.ratings.rules import PRESET, non_accrual_days_of, servicing_of

# the purpose a loan of the book is recorded with when its writer names none
PURPOSE = {"subsidy": "crops", "annual": "livestock", "seasonal": "crops", "group": "small_business"}
OPENING_ACCOUNT = "4101"  # 存量贷款迁入过渡: the other side of a migrated book's opening balances


@dataclass(frozen=True)
class Template:
    product: str
    version: str
    principal: int
    term: int
    start: dt.date
    maturity: dt.date
    terms_json: dict
    rates: tuple
    upfront_interest: int
    upfront_fees: int
    deposit: int
    rows: tuple  # (seq, due, period_start, principal, interest, fees)
    dues: tuple  # the due dates, for bisecting
    principal_before: tuple  # principal of the first i instalments, i = 0 … n
    interest_before: tuple
    earning_from: tuple  # the first instalment at or after i that carries interest (n: none)


def template(
    product: str,
    principal: int,
    start: dt.date,
    term: int | None,
    rate: Fraction | None,
    rates: dict,
    benchmark: Benchmark,
) -> Template:
    """A loan's schedule and what the book needs of it; ``principal`` in fen, ``term`` and
    ``rate`` None: the product's, ``benchmark`` the LPR in force at the start. Raises the
    product's ValidationFailed when out of its bounds."""
    p = preset(product)
    terms = p.terms(principal=principal, start=start, term=term, annual_rate=rate, benchmark=benchmark)
    s = generate(terms)
    # the disclosed rates depend on the cash flows and their days (a quarterly loan's first period
    # runs to the 20th): shared only by schedules alike in both (issue 24 (10): not by product and amount)
    shape = (product, principal, tuple((d - start).days for d in s.due_dates), tuple(s.interest))
    if shape not in rates:
        d = disclose(s)
        rates[shape] = (d.nominal, d.apr, d.ear)
    starts = cob.period_starts(start, s.due_dates, s.interest)
    n = len(s)
    rows = tuple(
        (k + 1, s.due_dates[k], starts[k], s.principal[k], s.interest[k], s.fees[k]) for k in range(n)
    )
    earning_from = [n] * (n + 1)
    for k in range(n - 1, -1, -1):
        earning_from[k] = k if s.interest[k] else earning_from[k + 1]
    return Template(
        product,
        p.version,
        principal,
        terms.term,
        start,
        s.maturity,
        terms_to_dict(terms),
        rates[shape],
        s.upfront_interest,
        s.upfront_fees,
        s.deposit,
        rows,
        tuple(s.due_dates),
        tuple(accumulate(s.principal, initial=0)),
        tuple(accumulate(s.interest, initial=0)),
        tuple(earning_from),
    )


@dataclass(frozen=True)
class Planned:
    """One loan of a book: its schedule's key (product, amount in yuan, start), its borrower,
    how it has been repaid — ``unpaid_from``: the first instalment not paid (every one before it
    was paid on its due date; the instalments due after the close of ``on − 1`` are unpaid too),
    or ``paid``: the principal and interest paid by then (fen), allocated to the instalments in
    order — and, for the demo's history, whether it is settled, its purpose and the day it was
    applied for. A migrated loan brings its contract number, term and rate (None: the product's)."""

    key: tuple
    household: int
    village: str
    unpaid_from: dt.date  # instalments due on or after this day are unpaid
    closed: bool = False
    purpose: str = ""
    applied: dt.date | None = None
    institution: int | None = None  # the lender (issue 25); None: the village's nearest
    paid: tuple[int, int] | None = None  # principal, interest paid to the close of on − 1
    contract_no: str = ""
    term: int | None = None
    rate: Fraction | None = None

    @property
    def schedule(self) -> tuple:
        return (*self.key, self.term, self.rate)


# a loan's balances after the close of a day, by account: debit-natured (assets, the memorandum
# 7011), then credit-natured (income, what is held for the household or earned later) — see _standing
ACCOUNTS = ("1301", "1132", "7011", "6011", "6012", "2011", "2241", "2401")


def _share(total: int, before: int, amount: int) -> int:
    """What of ``total`` paid in order reaches an instalment of ``amount`` after ``before``."""
    return min(max(0, total - before), amount)


def _standing(
    t: Template, paid: tuple[int, int], rate: int, off_days: int, d: dt.date, closed: bool
) -> tuple:
    """What a loan of the book stands at on the ledger after the close of ``d`` when ``paid``
    (principal, interest) has been paid, each to the instalments in order, and what the batch
    would hold for it then: (balances by :data:`ACCOUNTS`, the first late due date, the current
    earning instalment's index, the interest of past instalments unpaid, non-accrual, the interest
    paid on the current instalment).

    An instalment past its due date and not wholly paid is late; its unpaid principal has borne
    the penalty rate since the due date (R-REP-2). Income is what was received plus what is
    receivable on the books (interest and penalty of a loan past ``off_days`` are off balance,
    7011); the upfront interest is earned evenly to the last instalment's day (P-GROUP, issue 24
    (7)); the deposit goes back with the last payment.

    Worked example (tests/loans/test_book.py): 12 monthly instalments of 1 000.00 principal and
    50.00 interest, 2 500.00 principal and 100.00 interest paid, three instalments due: the third
    is late since its due date with 500.00 of principal and 50.00 of interest unpaid."""
    principal_paid, interest_paid = paid
    due = bisect_right(t.dues, d)  # instalments due by the close of d
    late = bisect_left(t.dues, d)  # … and past their due date
    interest_due = t.interest_before[due] - min(interest_paid, t.interest_before[due])
    cur = t.earning_from[due]
    cur_paid = 0
    if cur < len(t.rows):
        _, cdue, cstart, _, cinterest, _ = t.rows[cur]
        cur_paid = _share(interest_paid, t.interest_before[cur], cinterest)
        receivable = cob.receivable(interest_due, cinterest, cur_paid, cstart, cdue, d)
    else:
        receivable = interest_due
    first = (
        min(  # the first instalment not wholly paid
            bisect_right(t.principal_before, principal_paid), bisect_right(t.interest_before, interest_paid)
        )
        - 1
    )
    held = sum(
        cob.penalty_of(
            (t.rows[j][3] - _share(principal_paid, t.principal_before[j], t.rows[j][3]))
            * (d - t.dues[j]).days,
            rate,
        )
        for j in range(first, late)
    )
    first_late = t.dues[first] if first < late else None
    off = first_late is not None and (d - first_late).days > off_days
    earned = cob.amortised(t.upfront_interest, t.start, t.dues[-1], d)
    settled = closed and d >= t.dues[-1]
    balances = (
        t.principal - principal_paid,
        0 if off else receivable + held,
        receivable + held if off else 0,
        interest_paid + (0 if off else receivable) + earned,
        0 if off else held,
        0 if settled else t.deposit,
        t.upfront_fees,
        t.upfront_interest - earned,
    )
    return balances, first_late, cur, interest_due, off, cur_paid


def _entry(
    day: dt.date, village: str, lender: int | None, change: dict, memo: str, opening: bool
) -> Draft | None:
    """One balanced entry for a village's change in balances at one lender, in its books: the
    cash account takes the rest — or, for a migrated book's ``opening`` balances, the migration
    account (the interest received and earned before the cut-over is the old books' income)."""
    debits = [(a, change.get(a, 0), LINE_MEMO[a]) for a in ("1301", "1132")]
    held = ("2011", "2241", "2401") if opening else ("6011", "6012", "2011", "2241", "2401")
    credits = [(a, change.get(a, 0), LINE_MEMO[a]) for a in held]
    rest = sum(x for _, x, _ in credits) - sum(x for _, x, _ in debits)
    other = (OPENING_ACCOUNT, "存量贷款迁入净额") if opening else ("1011", "农户账户收付净额")
    postings = [_signed(a, x, m) for a, x, m in [*debits, (other[0], rest, other[1])] if x]
    postings += [_signed(a, -x, m) for a, x, m in credits if x]
    postings += off_balance_postings(change=change.get("7011", 0), memo=LINE_MEMO["7011"])
    source = "migration" if opening else "portfolio"
    return Draft(day, memo, village, source, tuple(postings), lender) if postings else None


def _signed(account: str, debit: int, memo: str) -> Posting:
    return (
        Posting(account, debit=debit, memo=memo) if debit > 0 else Posting(account, credit=-debit, memo=memo)
    )


LINE_MEMO = {
    "1301": "贷款本金（放款减收回）",
    "1132": "应收利息及罚息",
    "7011": "非应计贷款表外利息",
    "6011": "利息收入",
    "6012": "罚息收入",
    "2011": "保证金",
    "2241": "保障金",
    "2401": "预收利息",
}


def _flush(lt, it, st, loan_rows, inst_rows, sv_rows) -> None:
    bulk.insert(Loan, lt.columns, loan_rows)
    bulk.insert(Installment, it.columns, inst_rows)
    bulk.insert(Servicing, st.columns, sv_rows)
    for rows in (loan_rows, inst_rows, sv_rows):
        rows.clear()


def templates_of(plan: list[Planned], failed: dict[tuple, str] | None = None) -> dict[tuple, Template]:
    """The schedules of ``plan``, one per :attr:`Planned.schedule`. A schedule outside its
    product's bounds raises — or, given ``failed``, is left out and its reason kept there."""
    calendar.sync()  # the holiday arrangement the schedules move their due dates by
    lpr = benchmarks.table()
    rates: dict = {}
    out: dict[tuple, Template] = {}
    for p in plan:
        key = p.schedule
        if key in out or (failed is not None and key in failed):
            continue
        product, amount, start = p.key
        try:
            out[key] = template(product, int(Decimal(amount) * 100), start, p.term, p.rate, rates, lpr(start))
        except ValidationFailed as e:
            if failed is None:
                raise
            failed[key] = e.message
    return out


def write_book(
    plan: list[Planned],
    *,
    on: dt.date,
    actor,
    progress=None,
    history: bool = False,
    opening: str = "",
    guarantor: Callable[[int, str, dt.date], Guarantor] | None = None,
    templates: dict[tuple, Template] | None = None,
) -> dict:
    """Write the loans of ``plan`` as they stand at the close of ``on − 1``: applications, loans,
    schedules, what the batch holds for them, guarantors (``guarantor(application, village,
    start)`` for a product that asks for them); and the ledger — one entry per village and lender
    on ``on − 1``, or with ``history`` one entry per village, lender and month from the first
    disbursement (放款, 收回, 计息 of that month), so that every month-end's balances agree with the
    loans. With ``opening`` (the entries' memo) the entries are a migrated book's opening balances
    (:func:`_entry`)."""

    say = progress or (lambda msg: None)
    templates = templates if templates is not None else templates_of(plan)
    say(f"{len(templates)} schedules")
    yesterday = on - dt.timedelta(days=1)
    uplift, _ = servicing_of(PRESET)
    off_days = non_accrual_days_of(PRESET)
    actor_id = actor.pk
    now = timezone.now()
    loans = len(plan)

    def moment(day: dt.date) -> dt.datetime:  # a working morning of the book's history
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30))) if history else now

    nearest: dict[str, int | None] = {}
    for p in plan:
        if p.village not in nearest:
            nearest[p.village] = next((i.pk for i in lenders_of(p.village)), None)
    lender = [p.institution or nearest[p.village] for p in plan]
    with transaction.atomic():
        app_ids = bulk.reserve_ids(Application, loans)
        loan_ids = bulk.reserve_ids(Loan, loans)
        apps = bulk.Table(Application)
        bulk.insert(
            Application,
            apps.columns,
            (
                apps.row(
                    {
                        "id": app_ids[k],
                        "household_id": p.household,
                        "village_code": p.village,
                        "institution_id": lender[k],
                        "product": templates[p.schedule].product,
                        "product_version": templates[p.schedule].version,
                        "purpose": p.purpose or PURPOSE[templates[p.schedule].product],
                        "project": "存量贷款迁入" if opening else "生产经营",
                        "amount": templates[p.schedule].principal,
                        "term": templates[p.schedule].term,
                        "state": "disbursed",
                        "created_by_id": actor_id,
                        "decided_at": moment(p.key[2]),
                        "_now": moment(p.applied or p.key[2]),
                    }
                )
                for k, p in enumerate(plan)
            ),
        )
        say("applications")
        changes: dict[tuple[dt.date, str, int | None], list[int]] = defaultdict(lambda: [0] * len(ACCOUNTS))
        loan_rows, inst_rows, sv_rows = [], [], []
        guarantors = []  # P-SEASONAL's "1+1": a shop owner or civil servant of the township (issue 24 (11))
        lt, it, st = bulk.Table(Loan), bulk.Table(Installment, with_pk=False), bulk.Table(Servicing)
        instalment = it.maker(
            (
                "loan_id",
                "seq",
                "due_date",
                "period_start",
                "pd_from",
                "principal",
                "interest",
                "fees",
                "principal_paid",
                "interest_paid",
            ),
            now,
        )
        for k, p in enumerate(plan):
            t = templates[p.schedule]
            pk = loan_ids[k]
            if guarantor and preset(t.product).guarantors:
                guarantors.append(guarantor(app_ids[k], p.village, t.start))
            rate = cob.penalty_rate(t.rates[0], uplift)
            unpaid = len(t.rows) if p.closed else bisect_left(t.dues, p.unpaid_from)
            final = p.paid or (t.principal_before[unpaid], t.interest_before[unpaid])
            # with history the month-ends of its life, the last the one it was settled in; then (or
            # without history only) the close of yesterday
            last = min(month_end(t.dues[-1]), yesterday) if p.closed else yesterday
            days = [*month_ends(t.start, last), last] if history else [yesterday]
            before = [0] * len(ACCOUNTS)
            for day in days:
                k_ = min(bisect_right(t.dues, day), unpaid)  # instalments paid by then, on their due dates
                paid = p.paid or (t.principal_before[k_], t.interest_before[k_])
                now_, first_late, cur, interest_due, off, cur_paid = _standing(
                    t, paid, rate, off_days, day, p.closed
                )
                row = changes[(day, p.village, lender[k])]
                for i, (a, b) in enumerate(zip(now_, before, strict=True)):
                    row[i] += a - b
                before = now_
            for j, (seq, due, pstart, principal, interest, fees) in enumerate(t.rows):
                inst_rows.append(
                    instalment(
                        pk,
                        seq,
                        due,
                        pstart,
                        due,
                        principal,
                        interest,
                        fees,
                        _share(final[0], t.principal_before[j], principal),
                        _share(final[1], t.interest_before[j], interest),
                    )
                )
            if cur < len(t.rows):
                seq, cdue, cstart, _, cinterest, _ = t.rows[cur]
            else:
                seq, cstart, cdue, cinterest = 0, None, None, 0
            last_due = t.dues[-1]  # P-GROUP's upfront half is earned by the last instalment's day
            loan_rows.append(
                lt.row(
                    {
                        "id": pk,
                        "application_id": app_ids[k],
                        "household_id": p.household,
                        "village_code": p.village,
                        "institution_id": lender[k],
                        "contract_no": p.contract_no or f"BK{pk:010d}",
                        "product": t.product,
                        "product_version": t.version,
                        "principal": t.principal,
                        "terms": t.terms_json,
                        "start": t.start,
                        "maturity": t.maturity,
                        "nominal_rate": t.rates[0],
                        "apr": t.rates[1],
                        "ear": t.rates[2],
                        "upfront_interest": t.upfront_interest,
                        "upfront_fees": t.upfront_fees,
                        "deposit": t.deposit,
                        "deposit_held": 0 if p.closed else t.deposit,
                        "state": "closed" if p.closed else "active",
                        "closed_on": last_due if p.closed else None,
                        "migrated_on": yesterday if opening else None,
                        "contracted_by_id": actor_id,
                        "disbursed_by_id": actor_id,
                        "disbursed_at": moment(t.start),
                        "contracted_at": moment(t.start),
                        "_now": moment(t.start),
                    }
                )
            )
            sv_rows.append(
                st.row(
                    {
                        "loan_id": pk,
                        "village_code": p.village,
                        "institution_id": lender[k],
                        "active": not p.closed,
                        "penalty_rate": rate,
                        "cur_seq": seq,
                        "cur_start": cstart,
                        "cur_due": cdue,
                        "cur_interest": cinterest,
                        "cur_paid": cur_paid,
                        "interest_due": interest_due,
                        "late_since": first_late,
                        "ever_late": first_late is not None,
                        "non_accrual": off,
                        "deferred": t.upfront_interest,
                        "deferred_from": t.start if t.upfront_interest else None,
                        "deferred_to": last_due if t.upfront_interest else None,
                    }
                )
            )
            if len(inst_rows) >= 200_000:
                _flush(lt, it, st, loan_rows, inst_rows, sv_rows)
                say(f"{k + 1} loans")
        _flush(lt, it, st, loan_rows, inst_rows, sv_rows)
        Guarantor.objects.bulk_create(guarantors, batch_size=2_000)  # ≤ 65 535 parameters a statement
        say("loans")
        drafts = []
        for (day, village, at), row in sorted(changes.items(), key=lambda c: (*c[0][:2], c[0][2] or 0)):
            memo = opening or (
                "期初余额（模拟贷款组合）"
                if not history
                else f"{day:%Y年%m月}贷款业务汇总：放款、收回本息、计息（演示县历史）"
            )
            draft = _entry(day, village, at, dict(zip(ACCOUNTS, row, strict=True)), memo, bool(opening))
            if draft:
                drafts.append(draft)
        entries_post(acting_user=actor, drafts=drafts, audit_division=plan[0].village[:6] if plan else "")
        say(f"{len(drafts)} journal entries")
        if connection.vendor == "postgresql":  # fresh statistics for the planner, as after any bulk load
            with connection.cursor() as cur:
                ledger = (ledger_models.JournalEntry, ledger_models.Posting)  # the book journalled
                for model in (Application, Loan, Installment, Servicing, *ledger):
                    cur.execute(f'ANALYZE "{model._meta.db_table}"')
            say("statistics")
        last = CobRun.objects.filter(state=CobRun.State.DONE).order_by("-date").first()
        if last is None:  # the book stands at the close of the day before
            CobRun.objects.create(date=yesterday, state=CobRun.State.DONE, summary={"portfolio": loans})
        elif last.date != yesterday:
            raise ValueError(f"the last closed business day is {last.date}, not {yesterday}")
    return {
        "loans": loans,
        "installments": sum(len(templates[p.schedule].rows) for p in plan),
        "overdue": sum(1 for p in plan if not p.closed and p.unpaid_from < yesterday),
        "templates": len(templates),
    }
