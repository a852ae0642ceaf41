"""The demo county's officer pay, cooperatives and credit information (DOMAIN §11 – §13):

* loan officers per branch (the book's loans shared among them, so each branch's monthly pay
  sheet lists several officers), and the institution's 2026 pay rules;
* a mutual-aid cooperative in each of the first township's first four villages — matching
  capital of 150 000 yuan, members' contributions, loans over the past year, most repaid, one
  overdue — one meeting both 60 % targets and one short of them;
* credit information in the first village from four departments (one adverse record old enough
  to be hidden), consents for the institution, queries (two refused for want of consent), the
  cooperatives and a lead household rated on their own cards.

Everything goes through the services (past steps with the clock set back), so the books agree.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path
from unittest import mock

import xlsxwriter
from django.contrib.auth.hashers import make_password
from django.db.models.functions import Mod

from fupin.accounts.models import User
from fupin.accounts.services import role_assign, user_create
from fupin.coops import services as coops
from fupin.coops.models import Cooperative
from fupin.core.errors import DomainError
from fupin.creditinfo import services as credit
from fupin.divisions.models import Branch
from fupin.households.models import Household
from fupin.households.pii import vault
from fupin.loans.groups import lead_agreement_sign
from fupin.loans.models import Loan
from fupin.pay import services as pay
from fupin.selfservice.models import HouseholdLogin

OFFICERS = ["林", "郑", "何", "罗", "梁", "宋", "唐", "许"]
LOW = ["poor", "low_income", "monitored"]


def at(day: dt.date):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def build(
    *, villages: list[str], townships: list[str], county: str, today: dt.date, password: str, progress=None
) -> None:
    say = progress or (lambda msg: None)
    rng = random.Random(11)
    u = {x.username: x for x in User.objects.filter(username__in=["cungan", "fupinban", "xindai", "zongshe"])}
    n = _officers(u, townships, password)
    pay.rules_save(
        acting_user=u["zongshe"],
        valid_from=dt.date(today.year, 1, 1),
        values={},
        note=f"{today.year} 年信贷员绩效考核办法（周期贷款 25%、短期贷款 20%）",
    )
    say(f"信贷员：{n} 名，按网点分管贷款；{today.year} 年绩效办法")
    made = _coops(u, [v for v in villages if v.startswith(townships[0][:9])][:4], today, rng, password)
    say(f"扶贫互助社：{made['coops']} 个，社员 {made['members']} 户，互助金借款 {made['loans']} 笔")
    c = _credit(u, villages[0], today, rng)
    say(f"信用信息：{c['items']} 条（4 个来源部门），授权 {c['consents']} 户，查询 {c['queries']} 次")
    household = _self_service(villages[0])
    if household is not None:
        say(
            f"农户自助：演示账号 nonghu 即农户 {household.registry_no}（也可用其家庭成员身份证号和短信验证"
            "码登录）"
        )
    say(_two_people(county, townships[0], password))


def _two_people(county: str, township: str, password: str) -> str:
    """A new loan officer whose role admin asked for and admin2 has still to approve (a role that
    moves money takes two administrators); the county's data platform as a service account."""
    admin = User.objects.get(username="admin")
    newcomer = User.objects.create(
        username="xd-new", display_name="韩新信贷", password=make_password(password)
    )
    role_assign(
        acting_user=admin, user=newcomer, role="loan_officer", division_code=township, branch_code="FM001"
    )
    user_create(
        acting_user=admin,
        username="county-platform",
        password="",
        display_name="县数据共享平台",
        service_account=True,
    )
    role_assign(
        acting_user=admin,
        user=User.objects.get(username="county-platform"),
        role="auditor",
        division_code=county,
    )
    return "两人授权：xd-new 的信贷员角色待 admin2 审批；系统账号 county-platform（县数据共享平台，只读）"


def _self_service(village: str) -> Household | None:
    """The demo household login ``nonghu`` is a borrowing household of the first village."""

    user = User.objects.filter(username="nonghu").first()
    loans = Loan.objects.filter(village_code=village).exclude(state=Loan.State.CONTRACTED).order_by("pk")
    loan = loans.filter(repayments__isnull=False).first() or loans.first()
    if user is None or loan is None:
        return None
    HouseholdLogin.objects.create(user=user, household=loan.household)
    head = loan.household.members.filter(is_head=True).first()
    if head is not None:
        User.objects.filter(pk=user.pk).update(display_name=head.name)
    return loan.household


def _user(
    username: str, name: str, role: str, division: str, password: str, branch: str | None = None
) -> User:
    user = User.objects.create(username=username, display_name=name, password=password)
    role_assign(acting_user=None, user=user, role=role, division_code=division, branch_code=branch)
    return user


def _officers(u, townships: list[str], password: str) -> int:
    """Two more officers per branch; the book's loans of each township shared among its officers."""
    hashed = make_password(password)
    made = 0
    for i, township in enumerate(townships):
        branch = Branch.objects.get(code=f"FM{i + 1:03d}")
        team = [u["xindai"]] if i == 0 else []
        for k in range(2):
            surname = OFFICERS[(2 * i + k) % len(OFFICERS)]
            team.append(
                _user(
                    f"xd{i + 1:02d}{k + 1}", f"{surname}信贷", "loan_officer", township, hashed, branch.code
                )
            )
            made += 1
        for k, officer in enumerate(team):
            (
                Loan.objects.filter(village_code__startswith=township[:9], contract_no__startswith="BK")
                .alias(m=Mod("id", len(team)))
                .filter(m=k)
                .update(disbursed_by=officer, contracted_by=officer)
            )
    return made


def _coops(u, villages: list[str], today: dt.date, rng: random.Random, password: str) -> dict:
    hashed = make_password(password)
    made = {"coops": 0, "members": 0, "loans": 0}
    founded = today - dt.timedelta(days=400)
    for i, village in enumerate(villages):
        cadre = (
            u["cungan"]
            if i == 0
            else _user(f"hzs{i + 1}", f"互助社理事长{i + 1}", "village_cadre", village, hashed)
        )
        with at(founded):
            coop = coops.coop_create(
                acting_user=cadre,
                village_code=village,
                name="",
                max_amount=500_000,
                max_term=12,
                fee_rate="0.06",
            )
            coops.capital_post(acting_user=u["fupinban"], coop=coop, kind="government", amount=15_000_000)
        low = list(Household.objects.filter(village_id=village, status__in=LOW).order_by("pk"))
        share = (0.72, 0.64, 0.45, 0.61)[i % 4]  # the third falls short of 60 %
        members = []
        for h in low[: round(len(low) * share)]:
            with at(founded + dt.timedelta(days=rng.randint(0, 30))):
                m = coops.member_join(acting_user=cadre, coop=coop, household=h)
                coops.capital_post(
                    acting_user=cadre, coop=coop, kind="member", amount=rng.choice((20_000, 50_000)), member=m
                )
            members.append(m)
        made["coops"] += 1
        made["members"] += len(members)
        borrowers = members[: round(len(members) * (0.7 if i != 1 else 0.5))]
        for k, m in enumerate(borrowers):
            start = today - dt.timedelta(days=rng.randint(30, 330))
            term = rng.choice((6, 12))
            with at(start):
                try:
                    loan = coops.coop_loan_make(
                        acting_user=cadre,
                        coop=coop,
                        household=m.household,
                        amount=rng.choice((200_000, 300_000, 500_000)),
                        term=term,
                        purpose=rng.choice(("养猪", "种植烤烟", "养鸡", "小卖部进货")),
                        decision=f"理事会纪要 {start:%Y}-{k + 1} 号",
                    )
                except DomainError:  # the fund is lent out: the rest wait
                    break
            made["loans"] += 1
            if loan.due <= today and k % 17 != 5:  # matured: repaid on the due date (a few are late)
                with at(loan.due):
                    coops.coop_repayment_post(
                        acting_user=cadre,
                        loan=loan,
                        amount=loan.amount + loan.fee,
                        key=f"demo-coop-{loan.pk:08d}",
                    )
            elif loan.due > today and k % 3 == 0:  # the fee paid at the half
                with at(min(today, start + dt.timedelta(days=term * 15))):
                    coops.coop_repayment_post(
                        acting_user=cadre, loan=loan, amount=loan.fee, key=f"demo-coopfee-{loan.pk:08d}"
                    )
    return made


SOURCES = {
    "县农业农村局": [
        ("economic", "耕地面积", lambda r: f"{r.randint(2, 12)} 亩"),
        ("economic", "生猪存栏", lambda r: f"{r.randint(0, 30)} 头"),
    ],
    "县人力资源和社会保障局": [("economic", "外出务工收入", lambda r: f"{r.randint(8, 40) * 1000} 元/年")],
    "村民委员会": [
        ("nonbank", "参加公益事务", lambda r: r.choice(("积极", "一般"))),
        ("nonbank", "获得表彰", lambda r: r.choice(("无", "县级致富带头人", "村“五好家庭”"))),
    ],
    "富民烟草合作社": [
        ("nonbank", "烤烟收购合同履约", lambda r: r.choice(("按合同交售", "按合同交售", "部分交售")))
    ],
}


def _credit(u, village: str, today: dt.date, rng: random.Random) -> dict:
    households = list(
        Household.objects.filter(village_id=village).prefetch_related("members").order_by("pk")[:60]
    )
    heads = [(h, next((p for p in h.members.all() if p.is_head), None)) for h in households]
    heads = [(h, vault().decrypt(p.id_cipher)) for h, p in heads if p is not None]
    items = 0
    for source, kinds in SOURCES.items():
        rows = []
        for _, number in heads:
            for category, name, value in kinds:
                rows.append(
                    [
                        number,
                        category,
                        name,
                        value(rng),
                        (today - dt.timedelta(days=rng.randint(10, 300))).isoformat(),
                        "否",
                        "",
                    ]
                )
        if (
            source == "富民烟草合作社"
        ):  # two adverse records: one ended seven years ago (hidden), one two years ago
            rows.append(
                [
                    heads[1][1],
                    "nonbank",
                    "烤烟收购合同履约",
                    "私自外销，违约",
                    dt.date(today.year - 8, 10, 1).isoformat(),
                    "是",
                    dt.date(today.year - 7, 3, 1).isoformat(),
                ]
            )
            rows.append(
                [
                    heads[2][1],
                    "nonbank",
                    "烤烟收购合同履约",
                    "未按合同交售",
                    dt.date(today.year - 3, 10, 1).isoformat(),
                    "是",
                    dt.date(today.year - 2, 3, 1).isoformat(),
                ]
            )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "items.xlsx"
            wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
            ws = wb.add_worksheet()
            for c, header in enumerate(credit.HEADERS):
                ws.write_string(0, c, header)
            for r, row in enumerate(rows, start=1):
                for c, v in enumerate(row):
                    if v:
                        ws.write_string(r, c, v)
            wb.close()
            items += credit.items_import(
                acting_user=u["cungan"], path=path, source=source, file_name=f"{source}.xlsx"
            )
    consents = 0
    for h, _ in heads[:20]:
        with at(today - dt.timedelta(days=rng.randint(5, 90))):
            credit.consent_record(
                acting_user=u["xindai"],
                household=h,
                institution="FM000",
                document_no=f"授权-{h.pk}",
                granted_on=today - dt.timedelta(days=100),
                expires_on=today + dt.timedelta(days=265),
            )
        consents += 1
    queries = 0
    for h, _ in heads[:12] + heads[25:27]:
        try:
            credit.credit_query(
                acting_user=u["xindai"], household=h, purpose=rng.choice(("贷款审批", "贷后管理", "授信调查"))
            )
        except DomainError:  # no consent: refused, and logged
            pass
        queries += 1
    # a lead household with its driven households, rated on its own card; the cooperatives likewise
    lifted = [h for h, _ in heads if h.status == "lifted"] or [heads[0][0]]
    poor = [h for h, _ in heads if h.status in LOW and h.pk != lifted[0].pk]
    for h in poor[:6]:
        lead_agreement_sign(
            acting_user=u["cungan"],
            lead=lifted[0],
            driven=h,
            terms="保底收购肉牛，每头分红 300 元",
            signed_on=today - dt.timedelta(days=900),
        )
    credit.entity_rate(acting_user=u["fupinban"], kind="lead", household=lifted[0], output=650_000)
    for coop in Cooperative.objects.all():
        credit.entity_rate(acting_user=u["fupinban"], kind="coop", coop=coop)
    return {"items": items, "consents": consents, "queries": queries}
