"""A synthetic loan book for benchmarks and the batch's crash tests: many active loans of the
preset products at every stage of their life, a share of them overdue, standing as the
nightly batch would have left them after the close of the day before ``on``, with opening
balances on the ledger so that the books agree with the loans from the start.

Loans are spread over the existing households (a household may hold several). Schedules come
from the real products (:mod:`fupin.core.products`), cached per product, amount and start.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from fupin import bulk
from fupin.cob.models import CobRun
from fupin.cob.services import system_user
from fupin.core import cob
from fupin.core.apr import disclose
from fupin.core.idcard import mask_id, mask_phone
from fupin.core.ledger import Posting
from fupin.core.postings import off_balance_postings
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.core.schedule.terms import terms_to_dict
from fupin.demo.people import make_id, make_name
from fupin.households.models import Household
from fupin.households.pii import vault
from fupin.ledger.services import Draft, entries_post
from fupin.loans.models import Application, Guarantor, Installment, Loan, Servicing
from fupin.products import benchmarks, calendar
from fupin.ratings.rules import PRESET, non_accrual_days_of, servicing_of

# product, share of loans, term (months), amounts (yuan)
MIX = (
    ("subsidy", 55, 36, (10_000, 20_000, 30_000, 50_000)),
    ("annual", 20, 12, (5_000, 8_000, 10_000)),
    ("seasonal", 17, 6, (5_000, 10_000, 20_000)),
    ("group", 8, 12, (5_000, 10_000, 20_000)),
)
SLIPPED = 0.03  # share of loans on time whose instalment due yesterday is still unpaid
PURPOSE = {"subsidy": "crops", "annual": "livestock", "seasonal": "crops", "group": "small_business"}


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


def _template(product: str, amount: int, term: int, start: dt.date, rates: dict) -> Template:
    p = preset(product)
    terms = p.terms(principal=amount * 100, start=start, term=term, benchmark=benchmarks.in_force(start))
    s = generate(terms)
    # the disclosed rates depend on the cash flows and their days (a quarterly loan's first period
    # runs to the 20th): shared only by schedules alike in both (issue 24 (10): not by product and amount)
    shape = (product, amount, tuple((d - start).days for d in s.due_dates), tuple(s.interest))
    if shape not in rates:
        d = disclose(s)
        rates[shape] = (d.nominal, d.apr, d.ear)
    starts = cob.period_starts(start, s.due_dates, s.interest)
    rows = tuple(
        (k + 1, s.due_dates[k], starts[k], s.principal[k], s.interest[k], s.fees[k]) for k in range(len(s))
    )
    return Template(
        product,
        p.version,
        amount * 100,
        term,
        start,
        s.maturity,
        terms_to_dict(terms),
        rates[shape],
        s.upfront_interest,
        s.upfront_fees,
        s.deposit,
        rows,
    )


def _guarantor(
    rng: random.Random, application: int, village: str, signed: dt.date, actor: int, now
) -> Guarantor:
    """A guarantor for a demo loan: a shop owner or civil servant of the county, of working age."""
    male = rng.random() < 0.6
    number = make_id(
        rng, village[:6], dt.date(rng.randrange(1966, 1998), rng.randrange(1, 13), rng.randrange(1, 29)), male
    )
    phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
    return Guarantor(
        application_id=application,
        village_code=village,
        kind=rng.choice(("shop_owner", "shop_owner", "civil_servant")),
        name=make_name(rng, male),
        id_cipher=vault().encrypt(number),
        id_index=vault().index(number),
        id_masked=mask_id(number),
        phone_cipher=vault().encrypt(phone),
        phone_masked=mask_phone(phone),
        relationship=rng.choice(("同村", "亲戚", "朋友", "同组")),
        consent_on=signed - dt.timedelta(days=rng.randrange(3, 20)),
        created_by_id=actor,
        created_at=now,
    )


def _flush(lt, it, st, loan_rows, inst_rows, sv_rows) -> None:
    bulk.insert(Loan, lt.columns, loan_rows)
    bulk.insert(Installment, it.columns, inst_rows)
    bulk.insert(Servicing, st.columns, sv_rows)
    for rows in (loan_rows, inst_rows, sv_rows):
        rows.clear()


def generate_book(
    *, loans: int, on: dt.date, seed: int = 1, overdue_share: float = 0.08, actor=None, progress=None
) -> dict:
    """``loans`` active loans standing at the close of ``on − 1`` (see the module)."""

    rng = random.Random(seed)
    say = progress or (lambda msg: None)
    calendar.sync()  # the holiday arrangement the schedules move their due dates by
    households = list(Household.objects.values_list("pk", "village_id").order_by("pk"))
    if not households:
        raise ValueError("no households: build the demo county first")
    weights = [m[1] for m in MIX]
    templates: dict[tuple, Template] = {}
    rates: dict = {}
    yesterday = on - dt.timedelta(days=1)
    plan = []
    for _ in range(loans):
        product, _, term, amounts = rng.choices(MIX, weights)[0]
        amount = rng.choice(amounts)
        start = on - dt.timedelta(days=rng.randint(1, term * 30 - 2))
        key = (product, amount, start)
        if key not in templates:
            templates[key] = _template(product, amount, term, start, rates)
        late = rng.random() < overdue_share
        slipped = not late and rng.random() < SLIPPED  # yesterday's instalment not paid: late tomorrow
        plan.append(
            (key, rng.choice(households), late, rng.randint(1, 400) if late else -1 if slipped else 0)
        )
    say(f"{len(templates)} schedules")
    uplift, _ = servicing_of(PRESET)
    non_accrual_days = non_accrual_days_of(PRESET)
    actor = actor or system_user()
    actor_id = actor.pk
    now = timezone.now()
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
                        "household_id": hh,
                        "village_code": village,
                        "product": templates[key].product,
                        "product_version": templates[key].version,
                        "purpose": PURPOSE[templates[key].product],
                        "project": "生产经营",
                        "amount": templates[key].principal,
                        "term": templates[key].term,
                        "state": "disbursed",
                        "created_by_id": actor_id,
                        "_now": now,
                    }
                )
                for k, (key, (hh, village), _, _) in enumerate(plan)
            ),
        )
        say("applications")
        books: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        loan_rows, inst_rows, sv_rows = [], [], []
        guarantors = []  # P-SEASONAL's "1+1": a shop owner or civil servant of the township (issue 24 (11))
        lt, it, st = bulk.Table(Loan), bulk.Table(Installment, with_pk=False), bulk.Table(Servicing)
        for k, (key, (hh, village), late, dpd_goal) in enumerate(plan):
            t = templates[key]
            pk = loan_ids[k]
            if preset(t.product).guarantors:
                guarantors.append(_guarantor(rng, app_ids[k], village, t.start, actor_id, now))
            rate = cob.penalty_rate(t.rates[0], uplift)
            paid_before = yesterday - dt.timedelta(days=dpd_goal) if late else yesterday
            slipped = dpd_goal < 0
            first_late = current = None
            interest_due = held = 0  # held: penalty posted and unpaid
            b = books[village]
            for seq, due, pstart, principal, interest, fees in t.rows:
                if due < paid_before or (
                    not late and due <= yesterday and not (slipped and due == yesterday)
                ):
                    pp, ip = principal, interest
                elif due <= yesterday:  # unpaid: late once its due date has passed
                    if due < yesterday:
                        first_late = first_late or due
                    pp = ip = 0
                    held += cob.penalty_of(principal * (yesterday - due).days, rate)
                else:
                    pp = ip = 0
                if due <= yesterday:
                    interest_due += interest - ip
                elif current is None and interest:  # the next instalment that earns (the batch's roll)
                    current = (seq, pstart, due, interest)
                inst_rows.append(
                    it.row(
                        {
                            "loan_id": pk,
                            "seq": seq,
                            "due_date": due,
                            "period_start": pstart,
                            "pd_from": due,
                            "principal": principal,
                            "interest": interest,
                            "fees": fees,
                            "principal_paid": pp,
                            "interest_paid": ip,
                        }
                    )
                )
                b["1301"] += principal - pp
            seq, cstart, cdue, cinterest = current or (0, None, None, 0)
            receivable = cob.receivable(interest_due, cinterest, 0, cstart, cdue, yesterday)
            off = first_late is not None and (yesterday - first_late).days > non_accrual_days
            if off:  # 非应计: the interest and penalty are off balance (issue 24 (13))
                b["7011"] += receivable + held
            else:
                b["1132"] += receivable + held
                b["6011"] += receivable
                b["6012"] += held
            b["2011"] += t.deposit
            last_due = t.rows[-1][1]  # P-GROUP's upfront half is earned by the last instalment's day
            earned = cob.amortised(t.upfront_interest, t.start, last_due, yesterday)
            b["6011"] += earned
            b["2401"] += t.upfront_interest - earned
            loan_rows.append(
                lt.row(
                    {
                        "id": pk,
                        "application_id": app_ids[k],
                        "household_id": hh,
                        "village_code": village,
                        "contract_no": f"BK{pk:010d}",
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
                        "deposit_held": t.deposit,
                        "state": "active",
                        "contracted_by_id": actor_id,
                        "disbursed_by_id": actor_id,
                        "disbursed_at": now,
                        "contracted_at": now,
                        "_now": now,
                    }
                )
            )
            sv_rows.append(
                st.row(
                    {
                        "loan_id": pk,
                        "village_code": village,
                        "active": True,
                        "penalty_rate": rate,
                        "cur_seq": seq,
                        "cur_start": cstart,
                        "cur_due": cdue,
                        "cur_interest": cinterest,
                        "cur_paid": 0,
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
        Guarantor.objects.bulk_create(guarantors, batch_size=5_000)
        say("loans")
        drafts = []
        for village, b in sorted(books.items()):
            cash = b["1301"] + b["1132"] - b["6011"] - b["6012"] - b["2011"] - b["2401"]
            postings = [
                Posting("1301", debit=b["1301"], memo="期初贷款本金"),
                Posting("1132", debit=b["1132"], memo="期初应收利息"),
            ]
            postings += [
                Posting(code, credit=b[code], memo="期初") for code in ("6011", "6012", "2011", "2401")
            ]
            postings += off_balance_postings(change=b["7011"], memo="期初非应计贷款表外利息")
            postings.append(
                Posting("1011", credit=cash, memo="期初")
                if cash > 0
                else Posting("1011", debit=-cash, memo="期初")
            )
            drafts.append(
                Draft(
                    yesterday,
                    "期初余额（模拟贷款组合）",
                    village,
                    "portfolio",
                    tuple(p for p in postings if p.debit or p.credit),
                )
            )
        entries_post(acting_user=actor, drafts=drafts, audit_division=households[0][1][:6])
        if connection.vendor == "postgresql":  # fresh statistics for the planner, as after any bulk load
            with connection.cursor() as cur:
                for model in (Application, Loan, Installment, Servicing):
                    cur.execute(f'ANALYZE "{model._meta.db_table}"')
        last = CobRun.objects.filter(state=CobRun.State.DONE).order_by("-date").first()
        if last is None:  # the book stands at the close of the day before
            CobRun.objects.create(date=yesterday, state=CobRun.State.DONE, summary={"portfolio": loans})
        elif last.date != yesterday:
            raise ValueError(f"the last closed business day is {last.date}, not {yesterday}")
    return {
        "loans": loans,
        "installments": sum(len(templates[key].rows) for key, *_ in plan),
        "overdue": sum(1 for _, _, late, _ in plan if late),
        "templates": len(templates),
    }
