"""The demo county's applications in every state of the review chain (R-APP-2) in the first
village, a running public notice with an objection, and this year's township quotas (R-APP-4),
so that every origination page has something to show; three loans contracted and disbursed
today. Years of loan history join with servicing (issue 7)."""

from __future__ import annotations

import datetime as dt
import random

from fupin.accounts.models import User
from fupin.households.models import Household
from fupin.loans import disbursement, groups, services
from fupin.loans.collections import collection_sheet
from fupin.loans.models import Application, Loan, Notice
from fupin.loans.repayments import repayment_post
from fupin.ratings.selectors import eligibility, unborrowed

PLAN = [
    "submitted",
    "submitted",
    "village_reviewed",
    "township_reviewed",
    "township_reviewed",
    "in_notice",
    "in_notice",
    "in_notice",
    "county_approved",
    "approved",
    "disbursed",
    "disbursed",
    "disbursed",
]
PROJECTS = [
    ("livestock", "养殖肉牛 3 头"),
    ("crops", "种植烤烟 8 亩"),
    ("crops", "种植辣椒 5 亩"),
    ("livestock", "养猪 10 头"),
    ("small_business", "村口开小卖部"),
    ("transport", "购买农用运输车"),
    ("tourism", "农家乐改造"),
    ("ecommerce", "电商销售土特产"),
    ("processing", "茶叶加工"),
    ("livestock", "养羊 20 只"),
    ("crops", "种植中药材"),
    ("livestock", "养鸡 300 只"),
    ("crops", "种植茶叶 6 亩"),
]


def published(notice: Notice, on: dt.date) -> Notice:
    """The demo's history: a notice as if published on ``on`` (a page or API always starts one
    on the day it is published, R-APP-2)."""
    Notice.objects.filter(pk=notice.pk).update(start=on, end=on + (notice.end - notice.start))
    return notice


def build(*, villages: list[str], townships: list[str], seed: int, today: dt.date, progress=None) -> int:
    rng = random.Random(seed * 31337 + 9)
    u = {
        x.username: x
        for x in User.objects.filter(username__in=["cungan", "xindai", "xiangzhen", "fupinban", "zhuren"])
    }
    for year, share in ((today.year - 1, (100, 105, 110)), (today.year, (120, 130, 140))):
        # last year's quota a little above what was lent; this year's a fifth to two fifths above so far
        used_by = services.quotas_used(townships, year)
        for t in townships:
            used = used_by.get(t, {}).get("amount", 0)
            services.quota_set(
                acting_user=u["fupinban"],
                township_code=t,
                year=year,
                amount=max(rng.choice([300, 400, 500]), used * rng.choice(share) // 100 // 1_000_000 + 1)
                * 1_000_000,
                households=None,
                deadline=dt.date(year, 12, 31),
            )
    candidates = [
        hh for hh, line in unborrowed(u["fupinban"], village=villages[0], on=today) if line.amount >= 4000
    ]
    made = 0
    notice_apps = []
    for (purpose, project), target, hh in zip(PROJECTS, PLAN, candidates, strict=False):
        line = hh.credit.amount
        amount = int(min(line, rng.choice([4000, 5000, 6000, 8000, 10000]))) * 100
        app = services.application_create(
            acting_user=u["xindai"],
            household=hh,
            product="subsidy",
            purpose=purpose,
            project=project,
            amount=amount,
            term=rng.choice([12, 24, 36]),
        )
        made += 1
        if target == "submitted":
            continue
        services.application_review(acting_user=u["cungan"], application=app, approve=True)
        services.application_review(
            acting_user=u["xindai"], application=app, approve=True, reason="已入户核实"
        )
        if target == "village_reviewed":
            continue
        services.application_review(acting_user=u["xiangzhen"], application=app, approve=True)
        if target == "township_reviewed":
            continue
        notice_apps.append((app, target))
    # a notice that ended yesterday for those already further on, one running for the rest
    done = [a for a, t in notice_apps if t != "in_notice"]
    running = [a for a, t in notice_apps if t == "in_notice"]
    if done:
        published(
            services.notice_publish(acting_user=u["cungan"], village_code=villages[0], applications=done),
            today - dt.timedelta(days=8),
        )
        for a, t in notice_apps:
            if t in ("county_approved", "approved", "disbursed"):
                services.application_review(acting_user=u["fupinban"], application=a, approve=True)
            if t in ("approved", "disbursed"):
                services.application_review(acting_user=u["zhuren"], application=a, approve=True)
            if t == "disbursed":  # contracted and paid out today, posted on the ledger (R-APP-5, R-REP-6)
                loan = disbursement.loan_contract(acting_user=u["xindai"], application=a)
                disbursement.loan_disburse(acting_user=u["xindai"], loan=loan)
                first = loan.installments.get(seq=1)  # the household pays its first interest early (R-REP-1)
                repayment_post(
                    acting_user=u["xindai"], loan=loan, amount=first.interest, key=f"demo-{loan.pk:08d}-1"
                )
    if running:
        published(
            services.notice_publish(acting_user=u["cungan"], village_code=villages[0], applications=running),
            today - dt.timedelta(days=3),
        )
        services.objection_file(
            acting_user=u["xiangzhen"], application=running[0], text="群众反映该户常年在外务工，项目存疑"
        )
    # two five-household joint-liability groups of the first village (R-GRP-1)
    used = set(Application.objects.values_list("household_id", flat=True))
    spare = [hh for hh in candidates if hh.pk not in used]
    for n, name in enumerate(("养牛互助组", "烤烟联保组")):
        five = spare[5 * n : 5 * n + 5]
        if len(five) == 5:
            groups.group_create(
                acting_user=u["cungan"], village_code=villages[0], name=name, leader=five[0], households=five
            )
    met = _meeting_group(u["cungan"], villages[0], today)
    if progress:
        progress(
            f"贷款申请：{made} 笔（审查链各环节），{len(townships)} 个乡镇的年度额度，"
            f"联保小组（其中“蔬菜联保组”每周收款 {met} 笔）"
        )
    return made


def _meeting_group(cadre, village: str, today: dt.date) -> int:
    """A group whose members repay group loans of the book (P-GROUP): the loan officer takes its
    collection at the weekly meeting, on the page or in the village kit (issue 27 (8)). Its
    members are the first five holders of active group loans who meet the entry rules today (with
    neighbours who meet them where fewer hold one).
    Returns the number of loans on its sheet."""
    holders = []
    for loan in (
        Loan.objects.filter(village_code=village, product="group", state=Loan.State.ACTIVE)
        .select_related("household")
        .order_by("pk")
    ):
        h = loan.household
        if h not in holders and groups.active_group(h) is None and not eligibility(h, today).failures:
            holders.append(h)
    if len(holders) < 2:
        return 0
    if len(holders) < 5:  # a member whose loan is settled, or not yet borrowed: any eligible neighbour
        for h in Household.objects.filter(village_id=village).order_by("pk"):
            if len(holders) == 5:
                break
            if h not in holders and groups.active_group(h) is None and not eligibility(h, today).failures:
                holders.append(h)
    g = groups.group_create(
        acting_user=cadre, village_code=village, name="蔬菜联保组", leader=holders[0], households=holders[:5]
    )
    return len(collection_sheet(g, today - dt.timedelta(days=today.weekday())))
