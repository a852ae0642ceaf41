"""The demo county's borrowers and their years of loans (DOMAIN §15, issue 24 (10)).

Who borrows: about 35 % of all households hold a loan (农贷面, 篇5: 35.17 %), chosen among the
rated households with a credit line of at least 4 000 yuan so that half the borrowers are women
(篇1: 49.5 %; half among the 30–39-year-olds, women slightly ahead only at 40–49). Each borrower's
loan now is its k-th (篇1's shares of the 1st … 6th), the earlier ones settled back to back, each
paid on its due dates; purposes move from crops and livestock to transport and small business
over the years (篇1). About 7 % of decided applications were turned down (申贷获得率, 篇5: 93.04 %).

How they repay: in two villages a third of the borrowers are behind and two loans matured unpaid
in the last months — those fall below 98 % and are suspended at month-ends (R-RPT-4, "one or two
villages below 98 %"); elsewhere a borrower in seventy is behind, by days or weeks, and one in 180
let a loan mature unpaid two or three years ago (a few dozen defaults, repayment ≈ 99 %). The first
village, the demo users' own, keeps lending: its borrowers are behind by days only, but for five
loans long overdue (the risk fund's claims).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from fupin import bulk
from fupin.core.calendar import add_months
from fupin.core.products import preset
from fupin.core.reports import AGE_BANDS
from fupin.households.models import Household
from fupin.loans.models import Application

from .portfolio import MIX, SLIPPED, Planned

BORROWING = 0.35  # households holding a loan (农贷面)
MIN_LINE = 4_000  # yuan: a line below is a household the village would not lend to
WOMEN = {"30岁以下": 0.47, "30—39岁": 0.47, "40—49岁": 0.57, "50—59岁": 0.48, "60岁及以上": 0.47}
TIMES = (26.6, 10.8, 17.2, 9.4, 20.3, 12.5)  # the loan now is the household's 1st … 6th (篇1)
APPROVED = 0.93  # approved ÷ decided applications
HISTORY_FROM = dt.date(2014, 6, 1)  # the registry (建档立卡) and its credit programme
# earlier loans: mostly one-year and seasonal loans, as the programme lent before 2015's subsidised credit
EARLIER = {"annual": 45, "seasonal": 25, "group": 15, "subsidy": 15}
WEAK = 2  # villages behind
LATE = {"weak": 0.33, "other": 0.014}
# borrowers whose last loan matured unpaid (篇5: 37 defaults, repayment 99.15 %)
DEFAULTED = 0.0055
WEAK_DEFAULTS = 2  # loans of each weak village that matured unpaid in the last months
PURPOSES_EARLY = {"crops": 36, "livestock": 28, "small_business": 20, "processing": 14, "transport": 2}
PURPOSES_RECENT = {
    "crops": 14,
    "livestock": 16,
    "small_business": 26,
    "processing": 7,
    "transport": 26,
    "tourism": 5,
    "ecommerce": 6,
}
REFUSALS = (
    "家庭无劳动能力，无可行的生产项目",
    "申请金额超出授信额度",
    "有未结清贷款",
    "户主年龄超过贷款年龄上限",
    "公示期间群众反映项目不实，经核实属实",
    "借款用途不属于生产经营",
)


def _band(age: int) -> str:
    return next(label for label, upper in AGE_BANDS if upper is None or age < upper)


def _purpose(rng: random.Random, year: int) -> str:
    """篇1: 2004 mostly crops and livestock, recent years transport and small business."""
    w = min(1.0, max(0.0, (year - 2015) / 10))
    keys = sorted(set(PURPOSES_EARLY) | set(PURPOSES_RECENT))
    weights = [(1 - w) * PURPOSES_EARLY.get(k, 0) + w * PURPOSES_RECENT.get(k, 0) for k in keys]
    return rng.choices(keys, weights)[0]


def _mix(name: str):
    return next(m for m in MIX if m[0] == name)


def _snap(day: dt.date) -> dt.date:
    """Disbursements of the past on the 5th, 15th or 25th of a month (a branch's lending days)."""
    return day.replace(day=max(d for d in (5, 15, 25) if d <= max(day.day, 5)))


def choose(rng: random.Random, on: dt.date) -> list[tuple[int, str]]:
    """The borrowing households (pk, village), women and men per age band as :data:`WOMEN` says."""
    everyone = Household.objects.count()
    rows = (
        Household.objects.filter(credit__amount__gte=MIN_LINE)
        .filter(Q(members__is_head=True, members__left_on__isnull=True))
        .values_list("pk", "village_id", "members__sex", "members__birth_date")
        .order_by("pk")
    )
    pools: dict[tuple[str, bool], list[tuple[int, str]]] = defaultdict(list)
    seen = set()
    for pk, village, sex, born in rows:
        if pk in seen or born is None:
            continue
        seen.add(pk)
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        pools[(_band(age), sex == "女")].append((pk, village))
    wanted = round(BORROWING * everyone)
    candidates = sum(len(p) for p in pools.values()) or 1
    out = []
    for band, _ in AGE_BANDS:
        women, men = pools[(band, True)], pools[(band, False)]
        n = round(wanted * (len(women) + len(men)) / candidates)
        w = min(len(women), round(n * WOMEN[band]))
        m = min(len(men), n - w)
        out += rng.sample(women, w) + rng.sample(men, m)
    return sorted(out)


def plan(rng: random.Random, *, on: dt.date, villages: list[str]) -> list[Planned]:
    """Every borrower's loan now and the settled loans before it (see the module)."""
    yesterday = on - dt.timedelta(days=1)
    weak = set(rng.sample(villages[1:], WEAK)) if len(villages) > 2 * WEAK else set()
    chosen = choose(rng, on)
    # the first village is the demo users' own and keeps lending: its borrowers are behind by days
    # only, but for five loans long overdue (the risk fund's claims) where it is large enough
    first = villages[0]
    long_overdue = 5 if sum(v == first for _, v in chosen) >= 60 else 0
    weak_defaults = dict.fromkeys(weak, WEAK_DEFAULTS)
    out: list[Planned] = []
    for pk, village in chosen:
        product, _, term, amounts = rng.choices(MIX, [m[1] for m in MIX])[0]
        start = on - dt.timedelta(days=rng.randint(1, term * 30 - 2))
        unpaid_from = on
        if village == first and long_overdue and product == "subsidy" and start < on - dt.timedelta(400):
            unpaid_from, long_overdue = yesterday - dt.timedelta(days=rng.randint(200, 300)), long_overdue - 1
        elif village in weak and weak_defaults[village] and rng.random() < 0.1:
            # a loan of this village matured unpaid months ago: the village falls below 98 %
            product, _, term, amounts = _mix("subsidy")
            amounts, weak_defaults[village] = amounts[:2], weak_defaults[village] - 1
            start = add_months(yesterday - dt.timedelta(days=rng.randint(100, 200)), -term)
            unpaid_from = yesterday - dt.timedelta(days=rng.randint(200, 300))
        elif village not in weak and village != first and rng.random() < DEFAULTED:
            # matured unpaid two or three years ago, never repaid
            product, _, term, amounts = _mix(rng.choice(("subsidy", "subsidy", "annual")))
            amounts = amounts[-2:]
            start = add_months(dt.date(on.year - rng.randint(2, 3), rng.randint(1, 11), 15), -term)
            unpaid_from = add_months(start, term) - dt.timedelta(days=rng.randint(30, 200))
        elif rng.random() < LATE["weak" if village in weak else "other"]:
            dpd = (
                rng.randint(40, 200)
                if village in weak
                else rng.randint(1, 20)
                if village == first
                else rng.randint(1, 60)
                if rng.random() < 0.85
                else rng.randint(61, 89)
            )
            unpaid_from = yesterday - dt.timedelta(days=dpd)
        elif rng.random() < SLIPPED:
            unpaid_from = yesterday  # yesterday's instalment not paid: late tomorrow
        applied = start - dt.timedelta(days=rng.randint(7, 30))
        out.append(
            Planned(
                (product, rng.choice(amounts), start),
                pk,
                village,
                unpaid_from,
                False,
                _purpose(rng, start.year),
                applied,
            )
        )
        k = rng.choices(range(1, 7), TIMES)[0]
        following = start
        for _ in range(k - 1):  # the settled loans before it, latest first
            product = rng.choices(list(EARLIER), list(EARLIER.values()))[0]
            _, _, term, amounts = _mix(product)
            began = _snap(add_months(following - dt.timedelta(days=rng.randint(15, 120)), -term))
            if began < HISTORY_FROM:
                break
            applied = began - dt.timedelta(days=rng.randint(7, 30))
            amount = rng.choice(amounts[: max(1, len(amounts) - 1)])  # smaller loans first
            out.append(
                Planned((product, amount, began), pk, village, on, True, _purpose(rng, began.year), applied)
            )
            following = began
    return out


def refusals_write(rng: random.Random, planned: list[Planned], *, actor) -> int:
    """The applications turned down over the years: one for every thirteen approved (93 %)."""
    n = round(len(planned) * (1 - APPROVED) / APPROVED)
    if not n:
        return 0
    households = list(Household.objects.values_list("pk", "village_id").order_by("pk"))
    table = bulk.Table(Application, with_pk=False)
    rows = []
    for _ in range(n):
        like = rng.choice(planned)  # a day the branch was lending, a product it lent
        hh, village = rng.choice(households)
        product, _, term, amounts = _mix(like.key[0])
        applied = like.applied or like.key[2]
        at = timezone.make_aware(dt.datetime.combine(applied, dt.time(10)))
        rows.append(
            table.row(
                {
                    "household_id": hh,
                    "village_code": village,
                    "product": product,
                    "product_version": preset(product).version,
                    "purpose": _purpose(rng, applied.year),
                    "project": "生产经营",
                    "amount": rng.choice(amounts) * 100,
                    "term": term,
                    "state": "rejected",
                    "rejected_reason": rng.choice(REFUSALS),
                    "created_by_id": actor.pk,
                    "decided_at": at + dt.timedelta(days=rng.randint(3, 20)),
                    "_now": at,
                }
            )
        )
    bulk.insert(Application, table.columns, rows)
    return n
