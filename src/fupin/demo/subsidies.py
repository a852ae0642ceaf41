"""The demo county's subsidies and risk fund (DOMAIN §7, §8), after its loan book and the close of
yesterday:

* S-HALF history: every instalment of the book's one-year loans repaid on time earned half its
  interest from the county (附表8 lines, the receivable booked); three claim batches of the past —
  one paid (120 days ago), one confirmed but still unpaid after two months (篇5's problem, on the
  dashboard's aging), one waiting for the poverty office's review — and deductions since;
* today: on-time repayments with the half deducted, loans paid off and an S-CAPPED batch taken
  through every step to the households' cards, with its public announcement;
* the county's fund (80:20, 篇6) with provincial and county contributions, one claim paid by
  shares with a recovery returned in the same shares, one waiting for the township, a household
  blacklisted for malicious default with its legal actions.

Past steps run with the clock set back (as the book itself is history); everything goes through
the services, so the ledger agrees.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from unittest import mock

from django.db import transaction
from django.db.models import F

from fupin import bulk
from fupin.accounts.models import User
from fupin.cob.services import system_user
from fupin.core import subsidy as core
from fupin.core.errors import Conflict
from fupin.core.ledger import Posting
from fupin.core.money import fmt, round_to_multiple
from fupin.demo import bankfeeds
from fupin.divisions.models import Institution
from fupin.divisions.selectors import lenders_of
from fupin.feeds.models import Feed
from fupin.feeds.selectors import month_end
from fupin.ledger.services import Draft, entries_post
from fupin.loans.models import Installment, Loan, Servicing
from fupin.loans.repayments import loan_payoff, repayment_post
from fupin.riskfund import services as fund
from fupin.subsidies import services
from fupin.subsidies.models import Line, Policy

PROOF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def at(day: dt.date):
    """Run the next steps as on ``day`` (the services read the date from the clock)."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def build(*, villages: list[str], townships: list[str], county: str, today: dt.date, progress=None) -> dict:
    say = progress or (lambda msg: None)
    u = {
        x.username: x
        for x in User.objects.filter(
            username__in=[
                "cungan",
                "xiangzhen",
                "fupinban",
                "caizheng",
                "caizheng2",
                "xindai",
                "zhuren",
                "zongshe",
            ]
        )
    }
    half = Policy.objects.get(code="S-HALF")
    with transaction.atomic():
        n = _half_history(half, today)
    say(f"按时还款贴息历史：{n} 期")
    _past_batches(u, half, townships, county, today)
    made = _today(u, half, villages, townships, today)
    say(f"今日：按时还款扣减贴息 {made['half']} 笔，提前结清 {made['paid_off']} 笔并申报到户")
    f = _fund(u, villages, county, today)
    say(
        f"风险补偿金：注资 {f['contributed'] // 1_000_000} 万元，代偿 {f['claims']} 笔，"
        f"失信黑名单 {f['blacklisted']} 户"
    )
    bank = _bank(u, county, today)
    if bank:
        say(
            f"建设银行（自有核心系统）：贴息申报 {bank['batches']} 批 {fmt(bank['claimed'])} 元，"
            f"风险补偿金代偿申请 {bank['claims']} 笔"
        )
    return {**made, **f, "history": n, "bank": bank}


def _half_history(policy: Policy, today: dt.date) -> int:
    """The register lines of the book's one-year loans' instalments repaid on time, and the
    receivable they booked (Dr 1221 / Cr 6011, one entry per village and lender, in its books)."""
    ids = Servicing.objects.filter(loan__product__in=policy.products, ever_late=False).values_list(
        "loan_id", flat=True
    )
    rows = Installment.objects.filter(
        loan_id__in=ids,
        loan__start__gte=policy.effective,
        due_date__lt=today - dt.timedelta(days=1),
        interest__gt=0,
        interest_paid=F("interest"),
    ).values_list(
        "loan_id",
        "loan__household_id",
        "loan__village_code",
        "loan__institution",
        "loan__contract_no",
        "loan__principal",
        "seq",
        "period_start",
        "due_date",
        "interest",
    )
    table = bulk.Table(Line, with_pk=False)
    lines, per = [], defaultdict(int)
    first = today
    for loan, household, village, lender, contract, lent, seq, start, due, interest in rows.iterator(
        chunk_size=5000
    ):
        fen = core.half_up(interest * Fraction(policy.share))
        lines.append(
            table.row(
                {
                    "policy_id": policy.pk,
                    "loan_id": loan,
                    "institution_id": lender,
                    "contract_no": contract,
                    "lent": lent,
                    "household_id": household,
                    "village_code": village,
                    "seq": seq,
                    "start": start,
                    "end": due,
                    "days": (due - start).days,
                    "basis": interest,
                    "interest": interest,
                    "amount": fen,
                    "on": due,
                }
            )
        )
        per[village, lender] += fen
        first = min(first, due)
    bulk.insert(Line, table.columns, lines)

    entries_post(
        acting_user=system_user(),
        audit_division=next(iter(per), ("", None))[0][:6],
        drafts=[
            Draft(
                first,
                "按时还款贴息（期初，应收财政）",
                village,
                "subsidy.history",
                (
                    Posting("1221", debit=fen, memo="应收财政贴息"),
                    Posting("6011", credit=fen, memo="财政负担的一半利息"),
                ),
                lender,
            )
            for (village, lender), fen in sorted(per.items(), key=lambda x: (x[0][0], x[0][1] or 0))
            if fen
        ],
    )
    return len(lines)


def _past_batches(u, half: Policy, townships: list[str], county: str, today: dt.date) -> None:
    """Three S-HALF claims of the past: paid; confirmed and unpaid for two months; waiting."""
    d = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    plan = [
        (townships[0], 200, u["xindai"], [(180, "review"), (170, "confirm"), (120, "pay")]),
        (townships[-1], 100, u["zongshe"], [(80, "review"), (60, "confirm")]),
        (county, 40, u["zongshe"], []),
    ]
    for division, cutoff, maker, steps in plan:
        if not Line.objects.filter(
            policy=half,
            batch__isnull=True,
            on__lte=d(cutoff),
            institution__code="FM000",  # the makers are the credit union's: a claim of its loans
            village_code__startswith=division[:9] if division != county else division[:6],
        ).exists():
            continue
        with at(d(cutoff - 5)):
            batch = services.batch_prepare(
                acting_user=maker, policy=half, division_code=division, cutoff=d(cutoff)
            )
        for days, step in steps:
            with at(d(days)):
                if step == "review":
                    batch = services.batch_review(acting_user=u["fupinban"], batch=batch, approve=True)
                elif step == "confirm":
                    batch = services.batch_confirm(acting_user=u["caizheng"], batch=batch)
                else:
                    batch = services.batch_pay(
                        acting_user=u["caizheng2"],
                        batch=batch,
                        payment_ref=f"富财农〔{d(days).year}〕{batch.pk:03d}号",
                    )


def _today(u, half: Policy, villages: list[str], townships: list[str], today: dt.date) -> dict:
    """On-time repayments with the half deducted; loans paid off and their S-CAPPED subsidy
    claimed and credited through every step."""
    n_half = 0
    annual = Loan.objects.filter(
        state="active",
        product__in=half.products,
        village_code=villages[0],
        servicing__late_since__isnull=True,
    ).order_by("pk")[:40]
    for loan in annual:
        current = (
            loan.installments.filter(due_date__gte=today, interest_paid__lt=F("interest"))
            .order_by("seq")
            .first()
        )
        if (
            current is None or current.principal
        ):  # interest-only periods: pay the interest, half of it is the county's
            continue
        fen = current.interest - core.half_up(current.interest * Fraction(half.share))
        r, _ = repayment_post(acting_user=u["xindai"], loan=loan, amount=fen, key=f"demo-half-{loan.pk}")
        n_half += Line.objects.filter(repayment=r).count()
        if n_half >= 15:
            break
    capped = Policy.objects.get(code="S-CAPPED")
    fresh = Loan.objects.filter(  # the credit union's, whose officer pays them off and claims
        state="active",
        institution=lenders_of(villages[0])[0],
        product__in=capped.products,
        village_code__startswith=townships[0][:9],
        servicing__late_since__isnull=True,
        start__gt=today - dt.timedelta(days=60),
    ).order_by("pk")
    paid_off = 0
    for loan in fresh:
        if Installment.objects.filter(loan=loan, interest_paid__gt=0).exists():
            continue
        loan_payoff(acting_user=u["xindai"], loan=loan, key=f"demo-payoff-{loan.pk}")
        paid_off += 1
        if paid_off >= 8:
            break
    if paid_off:
        batch = services.batch_prepare(
            acting_user=u["xindai"], policy=capped, division_code=townships[0], cutoff=today
        )
        batch = services.batch_review(acting_user=u["fupinban"], batch=batch, approve=True)
        batch = services.batch_confirm(acting_user=u["caizheng"], batch=batch)
        batch = services.batch_pay(
            acting_user=u["caizheng2"], batch=batch, payment_ref=f"富财农〔{today.year}〕{batch.pk:03d}号"
        )
        services.batch_credit(acting_user=u["zhuren"], batch=batch)
    return {"half": n_half, "paid_off": paid_off}


def _fund(u, villages: list[str], county: str, today: dt.date) -> dict:
    f = fund.fund_create(
        acting_user=u["fupinban"],
        county_code=county,
        name="",
        preset="80:20",
        account="县农信联社风险补偿金专户",
    )
    outstanding = fund.fund_position(f)["outstanding"]
    part = max(
        round_to_multiple(outstanding // 16, 1_000_000), 1_000_000
    )  # leverage about eight (篇6: 1:10 at most)
    opened = dt.date(today.year, 1, 6)
    for source in ("省财政", "县财政"):
        fund.contribution_post(acting_user=u["caizheng"], fund=f, source=source, amount=part, on=opened)
    # the agreement with the agricultural bank (issue 25): a fund of its own deposited there
    abc = next((i for i in lenders_of(county) if i.code == "ABC000"), None)
    if abc is not None:
        g = fund.fund_create(
            acting_user=u["fupinban"],
            county_code=county,
            name="富民县扶贫小额信贷风险补偿金（农业银行）",
            preset="80:20",
            account="农行富民县支行风险补偿金专户",
            institution=abc.pk,
        )
        own = max(round_to_multiple(fund.fund_position(g)["outstanding"] // 12, 1_000_000), 1_000_000)
        fund.contribution_post(acting_user=u["caizheng"], fund=g, source="县财政", amount=own, on=opened)
    late = [
        sv.loan
        for sv in Servicing.objects.filter(
            active=True,
            village_code=villages[0],
            late_since__lte=today - dt.timedelta(days=f.overdue_days),
            loan__product__in=f.products,
        )
        .select_related("loan")
        .order_by("late_since", "loan_id")[:3]
    ]
    claims = blacklisted = 0
    if late:
        c = fund.claim_submit(
            acting_user=u["xindai"],
            loan=late[0],
            cause="illness",
            description="户主突发脑梗住院，丧失劳动能力，家中无其他劳动力，无力偿还贷款本息",
            proofs=[("县医院诊断证明.pdf", "application/pdf", PROOF)],
        )
        c = fund.claim_review(acting_user=u["cungan"], claim=c, approve=True, note="情况属实")
        c = fund.claim_review(acting_user=u["xiangzhen"], claim=c, approve=True, note="同意上报")
        c = fund.claim_review(acting_user=u["fupinban"], claim=c, approve=True, note="同意代偿")
        fund.claim_pay(acting_user=u["caizheng"], claim=c)
        repayment_post(
            acting_user=u["xindai"], loan=late[0], amount=100_000, key=f"demo-recover-{late[0].pk}"
        )
        claims += 1
    if len(late) > 1:
        c = fund.claim_submit(
            acting_user=u["xindai"],
            loan=late[1],
            cause="disaster",
            description="暴雨冲毁蔬菜大棚 6 亩，当季绝收",
            proofs=[("灾情核查表.pdf", "application/pdf", PROOF)],
        )
        fund.claim_review(acting_user=u["cungan"], claim=c, approve=True, note="经村委会核实")
        claims += 1
    if len(late) > 2:
        hh = late[2].household
        fund.blacklist_decide(
            acting_user=u["fupinban"],
            household=hh,
            decision_no=f"富扶发〔{today.year}〕12号",
            reason="有还款能力而拒不还款，经村委会和银行多次催收无效，认定为恶意拖欠",
        )
        fund.legal_action_record(
            acting_user=u["xindai"],
            household=hh,
            kind="demand",
            on=today - dt.timedelta(days=30),
            note="送达催收通知书",
            loan=late[2],
        )
        fund.legal_action_record(
            acting_user=u["xindai"],
            household=hh,
            kind="suit",
            on=today - dt.timedelta(days=5),
            note="向县人民法院提起诉讼",
            loan=late[2],
        )
        blacklisted += 1
    return {"contributed": 2 * part, "claims": claims, "blacklisted": blacklisted}


def _bank(u, county: str, today: dt.date) -> dict:
    """The construction bank keeps its own core system (:mod:`.bankfeeds`): its head office claims
    the subsidy on its loans as its files state them up to their last month-end — S-CAPPED on the
    loans settled, waiting for the poverty office, and S-HALF on what it deducted, confirmed by the
    finance bureau and waiting for the money — and its officer asks the fund, under the county's
    agreement with the bank, to pay for the loan longest overdue."""
    ccb = Institution.objects.filter(code=bankfeeds.CODE).first()
    last = Feed.objects.filter(institution=ccb).order_by("-month").first() if ccb else None
    if last is None:
        return {}
    head, officer = (User.objects.get(username=name) for name, _, _ in bankfeeds.STAFF)
    cutoff = month_end(last.month)
    made = {"batches": 0, "claimed": 0, "claims": 0}
    for code in ("S-CAPPED", "S-HALF"):
        try:
            batch = services.batch_prepare(
                acting_user=head, policy=Policy.objects.get(code=code), division_code=county, cutoff=cutoff
            )
        except Conflict:  # nothing of it in the files
            continue
        made["batches"] += 1
        made["claimed"] += batch.claimed
        if code == "S-HALF":
            batch = services.batch_review(acting_user=u["fupinban"], batch=batch, approve=True)
            services.batch_confirm(acting_user=u["caizheng"], batch=batch)
    g = fund.fund_create(
        acting_user=u["fupinban"],
        county_code=county,
        name="富民县扶贫小额信贷风险补偿金（建设银行）",
        preset="80:20",
        account="建行富民县支行风险补偿金专户",
        institution=ccb.pk,
    )
    fund.contribution_post(
        acting_user=u["caizheng"], fund=g, source="县财政", amount=2_000_000, on=dt.date(today.year, 1, 6)
    )
    worst = last.loans.filter(household__isnull=False, status="overdue").order_by("-days_overdue").first()
    if worst is not None and worst.days_overdue >= g.overdue_days:
        fund.claim_submit_bank(
            acting_user=officer,
            institution=ccb.pk,
            contract_no=worst.contract_no,
            cause="business",
            description="养殖的 30 头育肥猪染病死亡，经营失败，无力偿还贷款本息",
            proofs=[("畜牧站死亡鉴定.pdf", "application/pdf", PROOF)],
        )
        made["claims"] += 1
    return made
