"""The demo county (DOMAIN §15): deterministic for a given seed.

This part builds the geography, the lending institutions (the county's credit union with a branch
in every township, and three banks: issue 25) and a user for every role.
Later capabilities (registry, ratings, loans …) add their own builders, called from
:func:`build` in order, so that ``fupin demo`` always shows every capability.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import RoleAssignment, User
from fupin.accounts.services import role_assign
from fupin.cob.provisions import provisions_post
from fupin.cob.services import cob_run, system_user, village_months
from fupin.core.calendar import month_ends
from fupin.core.money import fmt
from fupin.demo import bankfeeds, migrated, portfolio
from fupin.divisions.models import Branch, Division, Institution
from fupin.divisions.selectors import lenders_of
from fupin.divisions.services import branch_create, divisions_bulk_create
from fupin.ledger.services import chart_install
from fupin.sms.services import compose
from fupin.subsidies.services import presets_install
from fupin.webhooks.delivery import deliver_due
from fupin.webhooks.services import subscription_create

from . import borrowers, extras, loans, ratings, registry, subsidies
from .names import township_names, village_names

PROVINCE = ("520000000000", "贵州省")
CITY = ("529900000000", "示范市")
COUNTY = ("529901000000", "富民县")
HOUSEHOLDS_PER_VILLAGE = 250
VILLAGES_PER_TOWNSHIP = 15
DEMO_PASSWORD = "Fupin@2026demo"


@dataclass
class DemoUser:
    username: str
    display_name: str
    role: str
    division: str
    branch: str | None = None


@dataclass
class DemoResult:
    townships: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)
    users: list[DemoUser] = field(default_factory=list)
    password: str = DEMO_PASSWORD


def is_empty() -> bool:
    return not Division.objects.exists()


# (username, name, role, jurisdiction, bank unit) of the demo's user for every role
ACCOUNTS = [
    ("cungan", "王村干", "village_cadre", "village", None),
    ("xiangzhen", "李乡镇", "township_cadre", "township", None),
    ("fupinban", "张扶贫", "poverty_office", "county", None),
    ("caizheng", "刘财政", "finance_bureau", "county", None),
    ("caizheng2", "孙财政", "finance_bureau", "county", None),  # confirming and paying are two people's steps
    ("xindai", "陈信贷", "loan_officer", "township", "branch"),
    ("zhuren", "杨主任", "branch_director", "township", "branch"),
    ("zongshe", "赵总社", "head_office", "county", "head"),
    ("shenji", "黄审计", "auditor", "county", None),
    ("nonghu", "周农户", "household", "village", None),
    ("admin", "吴管理", "sysadmin", "county", None),
    ("admin2", "郑管理", "sysadmin", "county", None),  # a role carrying money steps takes two administrators
    # the other lenders' staff (issue 25): each sees and acts on its own institution's loans only
    ("nh_xindai", "钱农行", "loan_officer", "township", "abc_branch"),
    ("nh_hangzhang", "冯行长", "head_office", "county", "abc_head"),
    ("yc_xindai", "褚邮储", "loan_officer", "township", "psbc_head"),
]
# the banks lending beside the credit union (issue 25; 篇4, 篇7): code, name, short name, kind,
# where the head office's branch serves — the county, or the last township only — and the
# products it offers (none: every one)
BANKS = [
    ("ABC000", "中国农业银行富民县支行", "农业银行", "agricultural", "county", ()),
    ("PSBC00", "中国邮政储蓄银行富民县支行", "邮储银行", "postal", "county", ("subsidy", "annual")),
    (
        "VB0000",
        "富民惠民村镇银行",
        "村镇银行",
        "village_bank",
        "last township",
        ("subsidy", "annual", "seasonal"),
    ),
]
# and the staff of the bank that keeps its own core system (registered with its files)
DEMO_USERNAMES = [a[0] for a in ACCOUNTS] + [a[0] for a in bankfeeds.STAFF]


def existing_demo_users() -> list[DemoUser]:
    """The demo users still present (to print the logins again on ``make run``)."""

    out = []
    for ra in (
        RoleAssignment.objects.filter(user__username__in=DEMO_USERNAMES, user__is_active=True)
        .select_related("user", "branch")
        .order_by("user_id")
    ):
        out.append(
            DemoUser(
                ra.user.username,
                ra.user.display_name,
                ra.role,
                ra.division_id,
                ra.branch.code if ra.branch else None,
            )
        )
    return sorted(out, key=lambda u: DEMO_USERNAMES.index(u.username))


def build(
    *,
    households: int,
    seed: int,
    progress=None,
    today: dt.date | None = None,
    with_registry: bool = True,
    loan_book: bool = True,
) -> DemoResult:
    """The demo county; ``with_registry=False`` stops after geography, institution and users
    (tests that import their own registry start from there)."""
    today = today or dt.date(2026, 11, 27)
    rng = random.Random(seed)
    result = DemoResult()
    n_villages = max(2, math.ceil(households / HOUSEHOLDS_PER_VILLAGE))
    n_townships = max(2, math.ceil(n_villages / VILLAGES_PER_TOWNSHIP))
    say = progress or (lambda msg: None)
    with transaction.atomic():
        rows: list[tuple[str, str, str | None]] = [
            (PROVINCE[0], PROVINCE[1], None),
            (CITY[0], CITY[1], PROVINCE[0]),
            (COUNTY[0], COUNTY[1], CITY[0]),
        ]
        t_names = township_names(rng, n_townships)
        v_names = village_names(rng, n_villages)
        per_town = [
            n_villages // n_townships + (1 if i < n_villages % n_townships else 0) for i in range(n_townships)
        ]
        vi = 0
        for ti, tname in enumerate(t_names):
            tcode = COUNTY[0][:6] + f"{ti + 1:03d}" + "000"
            rows.append((tcode, tname, COUNTY[0]))
            result.townships.append(tcode)
            for vj in range(per_town[ti]):
                vcode = tcode[:9] + f"{vj + 1:03d}"
                rows.append((vcode, v_names[vi], tcode))
                result.villages.append(vcode)
                vi += 1
        divisions_bulk_create(acting_user=None, rows=rows)
        say(f"行政区划：{n_townships} 个乡镇，{n_villages} 个村")

        head = branch_create(
            acting_user=None,
            code="FM000",
            name="富民县农村信用联社",
            county_code=COUNTY[0],
            coverage_codes=[COUNTY[0]],
            short_name="农信社",
        )
        branches: list[Branch] = []
        for ti, tcode in enumerate(result.townships):
            branches.append(
                branch_create(
                    acting_user=None,
                    code=f"FM{ti + 1:03d}",
                    name=f"{t_names[ti]}信用社",
                    county_code=COUNTY[0],
                    coverage_codes=[tcode],
                    parent=head,
                )
            )
        banks = {
            code: branch_create(
                acting_user=None,
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                county_code=COUNTY[0],
                coverage_codes=[COUNTY[0] if serves == "county" else result.townships[-1]],
            )
            for code, name, short, kind, serves, _ in BANKS
        }
        for code, *_, products in BANKS:
            Institution.objects.filter(code=code).update(products=list(products))
        abc_branch = branch_create(  # the agricultural bank's office in the first township
            acting_user=None,
            code="ABC001",
            name=f"中国农业银行{t_names[0]}营业所",
            county_code=COUNTY[0],
            coverage_codes=[result.townships[0]],
            parent=banks["ABC000"],
        )
        chart_install()  # the institution's books (already there after migrate; again after a flush)
        presets_install()  # the subsidy policies, likewise
        say(f"贷款机构：{1 + len(BANKS)} 家（农村信用联社网点 {len(branches)} 个）")

        first_town, first_village = result.townships[0], result.villages[0]
        where = {"village": first_village, "township": first_town, "county": COUNTY[0]}
        bank = {
            "branch": branches[0].code,
            "head": head.code,
            "abc_branch": abc_branch.code,
            "abc_head": "ABC000",
            "psbc_head": "PSBC00",
            None: None,
        }
        result.users = [
            DemoUser(u, name, role, where[scope], bank[b]) for u, name, role, scope, b in ACCOUNTS
        ]
        password_hash = make_password(DEMO_PASSWORD)
        for n, du in enumerate(result.users, start=1):
            user = User.objects.create(  # staff have work phones: their to-do comes by SMS (issue 26)
                username=du.username,
                display_name=du.display_name,
                password=password_hash,
                phone=f"1390872{n:04d}" if du.role != "household" else "",
            )
            role_assign(
                acting_user=None, user=user, role=du.role, division_code=du.division, branch_code=du.branch
            )
        say(f"演示用户：{len(result.users)} 个")
        if with_registry:
            n = registry.build(
                villages=result.villages, households=households, seed=seed, today=today, progress=say
            )
            say(f"农户档案：{n} 户")
            ratings.build(
                villages=result.villages,
                county=COUNTY[0],
                seed=seed,
                today=today,
                progress=say,
                first_panel_password=password_hash,
            )
            if loan_book:
                book(seed, result.villages, say, password_hash)
            loans.build(  # applications are made and checked on the business day, as the services do
                villages=result.villages,
                townships=result.townships,
                seed=seed,
                today=timezone.localdate(),
                progress=say,
            )
            if loan_book:
                subsidies.build(
                    villages=result.villages,
                    townships=result.townships,
                    county=COUNTY[0],
                    today=timezone.localdate(),
                    progress=say,
                )  # money moves on the business day
                extras.build(
                    villages=result.villages,
                    townships=result.townships,
                    county=COUNTY[0],
                    today=timezone.localdate(),
                    password=DEMO_PASSWORD,
                    progress=say,
                )
                # the morning's reminders, arrears notices and staff to-dos, not yet sent (issue 26 (7))
                texts = compose(timezone.localdate() - dt.timedelta(days=1))
                say(f"短信：{texts.pop('new')} 条待发送（{texts}）")
    return result


# of the loans outside the demo users' own village, the share each bank lent (issue 25); the
# credit union lent the rest, and all of the first village's (its claims are on the union's fund)
BANK_SHARES = {"ABC000": 0.18, "PSBC00": 0.08, "VB0000": 0.30}


def lenders_chosen(rng: random.Random, planned: list[portfolio.Planned]) -> list[portfolio.Planned]:
    """Each loan of the book given to a bank that serves its village, at :data:`BANK_SHARES`
    (a bank serving a few townships lends a larger share there), or left to the credit union."""
    first = min(p.village for p in planned) if planned else ""
    serving: dict[str, list] = {}
    out = []
    for p in planned:
        if p.village not in serving:
            serving[p.village] = [i for i in lenders_of(p.village) if i.code in BANK_SHARES]
        draw, lender = rng.random(), None
        for bank in serving[p.village] if p.village != first else ():
            if draw < BANK_SHARES[bank.code]:
                lender = bank.pk if bank.offers(p.key[0]) else None  # else the union lent it
                break
            draw -= BANK_SHARES[bank.code]
        out.append(replace(p, institution=lender) if lender else p)
    return out


def book(seed: int, villages: list[str], say, password_hash: str) -> None:
    """The borrowers' loans of every age (:mod:`.borrowers`) standing at the close of the day
    before yesterday, journalled month by month; the month-ends they went through (R-RPT-4); then
    a real close of yesterday: arrears, penalty, classes, grades and today's collection lists."""

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rng = random.Random(seed * 104_729 + 5)
    planned = lenders_chosen(
        random.Random(seed * 7 + 25), borrowers.plan(rng, on=yesterday, villages=villages)
    )
    made = portfolio.write_book(planned, on=yesterday, rng=rng, history=True)
    refused = borrowers.refusals_write(rng, planned, actor=system_user())
    below = suspended = 0
    for month in month_ends(dt.date(yesterday.year - 1, 1, 1), yesterday - dt.timedelta(days=1)):
        closed = village_months(month)
        below, suspended = closed["below"], closed["suspended"]
    # the postal bank's loans kept in its own core system until now, brought in at the last close
    moved = migrated.migrate(seed, yesterday - dt.timedelta(days=1), skip=min(villages))
    # the construction bank books in its own core system and sends its months' files
    fed = bankfeeds.build(seed, yesterday, COUNTY[0], skip=min(villages), password_hash=password_hash)
    hook = demo_subscription()  # the county's data platform hears of the close and what it finds
    run = cob_run(yesterday).run
    deliver_due()  # nobody listens at the demo's address: the log shows the tries and the retries
    # the opening provision (贷款损失准备) the book brought in carries; month ends set it from then on
    provided = provisions_post(yesterday, system_user())
    say(
        f"贷款组合：{made['loans']} 笔（其中已结清 {sum(p.closed for p in planned)} 笔），"
        f"逾期 {made['overdue']} 笔；未获批申请 {refused} 笔；"
        f"上个月末低于 98% 的村 {below} 个、暂停新增 {suspended} 个；"
        f"邮储银行迁入存量贷款 {moved['loans']} 笔（余额 {fmt(moved['principal'])} 元）；"
        f"建设银行报送月度借据 {'、'.join(f'{m} {n} 笔' for m, n in fed.items()) or '无'}；"
        f"{yesterday} 日终：新增逾期 {run.summary['newly_late']} 笔；"
        f"贷款损失准备 {fmt(provided['required'])} 元；"
        f"向“{hook.name}”推送事件 {hook.outbox.count()} 个"
    )


def demo_subscription():
    """The county's data platform subscribed to the nightly batch's events (issue 26 (6)), at an
    address where nothing listens in the demo (its delivery log shows the retries)."""
    admin = User.objects.get(username="admin")
    sub, _ = subscription_create(
        acting_user=admin,
        name="县大数据平台",
        url="http://127.0.0.1:9/fupin/events",
        events=["cob.finished", "loan.overdue", "loan.reclassified", "subsidy_batch.paid", "fund_claim.paid"],
        division_code=COUNTY[0],
        institution=None,
    )
    return sub
