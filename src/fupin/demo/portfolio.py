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

from django.utils import timezone

from fupin.cob.services import system_user
from fupin.core.idcard import mask_id, mask_phone
from fupin.demo.people import make_id, make_name
from fupin.households.models import Household
from fupin.households.pii import vault
from fupin.loans import book
from fupin.loans.book import Planned
from fupin.loans.models import Guarantor

# product, share of loans, term (months), amounts (yuan)
MIX = (
    ("subsidy", 55, 36, (10_000, 20_000, 30_000, 50_000)),
    ("annual", 20, 12, (5_000, 8_000, 10_000)),
    ("seasonal", 17, 6, (5_000, 10_000, 20_000)),
    ("group", 8, 12, (5_000, 10_000, 20_000)),
)
SLIPPED = 0.03  # share of loans on time whose instalment due yesterday is still unpaid


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


def generate_book(
    *, loans: int, on: dt.date, seed: int = 1, overdue_share: float = 0.08, actor=None, progress=None
) -> dict:
    """``loans`` active loans standing at the close of ``on − 1`` (see the module), spread at
    random over the households, with one opening entry per village."""

    rng = random.Random(seed)
    households = list(Household.objects.values_list("pk", "village_id").order_by("pk"))
    if not households:
        raise ValueError("no households: build the demo county first")
    weights = [m[1] for m in MIX]
    yesterday = on - dt.timedelta(days=1)
    plan = []
    for _ in range(loans):
        product, _, term, amounts = rng.choices(MIX, weights)[0]
        amount = rng.choice(amounts)
        start = on - dt.timedelta(days=rng.randint(1, term * 30 - 2))
        late = rng.random() < overdue_share
        slipped = not late and rng.random() < SLIPPED  # yesterday's instalment not paid: late tomorrow
        unpaid_from = (
            yesterday - dt.timedelta(days=rng.randint(1, 400)) if late else yesterday if slipped else on
        )
        hh, village = rng.choice(households)
        plan.append(Planned((product, amount, start), hh, village, unpaid_from))
    return write_book(plan, on=on, rng=rng, actor=actor, progress=progress)


def write_book(
    plan: list[Planned], *, on: dt.date, rng: random.Random, actor=None, progress=None, history: bool = False
) -> dict:
    """The demo's book written (:func:`fupin.loans.book.write_book`), with a guarantor for each
    loan of a product that asks for one."""
    actor = actor or system_user()
    now = timezone.now()
    return book.write_book(
        plan,
        on=on,
        actor=actor,
        progress=progress,
        history=history,
        guarantor=lambda application, village, signed: _guarantor(
            rng, application, village, signed, actor.pk, now
        ),
    )
