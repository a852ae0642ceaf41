"""The whole journey in one browser, across four months of the calendar: the poverty office
imports a newly registered household; the village panel rates it back to back on phones
(补评, R-RAT-1b, R-RAT-3), the township reviews and the county audits; a loan officer applies,
the review chain and the public notice run (R-APP-1 … 5); after the notice the county and the
bank approve and the officer pays out; the close of business runs every night; the household
pays its first quarter's interest on the day it falls due and later pays off early; the bank
claims the interest subsidy, the poverty office reviews, the finance bureau confirms and pays
and the bank credits the household (S-CAPPED, R-SUB-2); the household signs in with a one-time
code and sees its closed loan and its subsidy; the ledger balances.

The live server runs in this process, so the journey moves the business date
(``timezone.localdate``) on as the calendar would; every night in between is closed by the
batch, as the head office runs it from its page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.e2e.steps import approve, publish_notice
from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user
from tests.registry_files import TEMPLATE, col, template_rows, write_xlsx

pytestmark = pytest.mark.e2e


class Clock:
    """The business date the live server sees: today until the journey moves it on."""

    def __init__(self, monkeypatch):
        from django.utils import timezone

        real = timezone.localdate
        self.today = real()

        def localdate(value=None, timezone=None):
            return self.today if value is None else real(value, timezone)

        monkeypatch.setattr(timezone, "localdate", localdate)

    def move_to(self, day: dt.date) -> None:
        assert day >= self.today
        self.today = day


def newcomer_rows(village: str) -> list[list]:
    """One household of working age (a head 25–55 able to work) whose income is under the
    county's monitoring line — eligible once rated."""
    for seed in range(100, 200):
        rows = template_rows(village, 1, seed=seed, start=9700)
        head = next(r for r in rows if r[col("与户主关系")] == "户主")
        born = dt.date(int(head[col("证件号码")][6:10]), 1, 1)
        if 25 <= (dt.date.today() - born).days // 365 <= 55 and head[col("劳动能力")] in (
            "有劳动能力",
            "普通劳动力",
            "技能劳动力",
        ):
            head[col("户类型")], head[col("人均纯收入")] = "已脱贫户", "4200"
            head[col("联系电话")] = "13900007788"
            return rows
    raise AssertionError("no working-age head in 100 seeds")


def test_from_registry_import_to_a_repaid_loan_and_a_credited_subsidy(
    live_world, page, watch, output_path, tmp_path, monkeypatch, settings
):
    from fupin.households.models import Household
    from fupin.ledger.models import Posting
    from fupin.loans.models import Application, Installment, Loan, Repayment
    from fupin.ratings.models import CreditLine, Panel, RatingRound, Scorecard
    from fupin.selfservice import senders
    from fupin.subsidies.models import Batch, Line
    from fupin.subsidies.services import policy_for

    settings.FUPIN_OTP_SENDER = "fupin.selfservice.senders.memory_sender"
    senders.OUTBOX.clear()
    clock = Clock(monkeypatch)
    demo, base = live_world
    village = demo.villages[0]

    def as_user(username, width=1280):
        switch_user(page, base, username, width)

    def close_the_nights():
        as_user("zongshe")
        page.goto(f"{base}/cob/")
        page.click("button:has-text('补齐日终至昨天')")
        page.wait_for_selector("text=个营业日的日终", timeout=300_000)

    # 1. the poverty office imports the newly registered household
    rows = newcomer_rows(village)
    id_number = next(r for r in rows if r[col("与户主关系")] == "户主")[col("证件号码")]
    as_user("fupinban")
    page.goto(f"{base}/registry/import/")
    page.set_input_files("input[name=file]", str(write_xlsx(tmp_path / "新增户.xlsx", TEMPLATE, rows)))
    page.click("text=上传并检查")
    page.wait_for_selector("text=已导入", timeout=60_000)
    household = Household.objects.get(village_id=village, registry_no=rows[0][col("户编号")])
    shot(page, output_path, "j01-imported")

    # 2. the village cadre starts a rating of the households not yet rated (补评)
    as_user("cungan", 390)
    page.goto(f"{base}/ratings/")
    page.select_option("select[name=village]", value=village)
    page.select_option("select[name=panel]", value=str(Panel.objects.get(village_id=village).pk))
    card = Scorecard.objects.get(division_id=village[:6] + "000000", code="p2", state="published")
    page.select_option("select[name=scorecard]", value=str(card.pk))
    page.select_option("select[name=scope]", value="unrated")
    page.click("button:has-text('开始评级授信')")
    page.wait_for_selector("text=评级已开始")
    rnd = RatingRound.objects.latest("pk")  # the village's others are rated or in this year's open round
    assert list(rnd.ratings.values_list("household_id", flat=True)) == [household.pk] and rnd.total == 1
    shot(page, output_path, "j02-round-started-phone")

    # 3. every member of the panel scores every household of the round, alone, on a phone
    for member in rnd.panel.members.select_related("user").order_by("pk"):
        as_user(member.user.username, 390)
        for rating in rnd.ratings.order_by("pk"):
            page.goto(f"{base}/ratings/{rating.pk}/")
            for name, option in (
                ("truthful", "真实"),
                ("ability", "强"),
                ("project", "好"),
                ("neighbours", "和睦"),
                ("reputation", "好"),
            ):
                page.select_option(f"select[name={name}]", value=option)
            page.fill("input[name=resident]", "20")
            page.click("text=提交评分")
            page.wait_for_selector("text=评分已提交")
    shot(page, output_path, "j03-scored-phone")
    as_user("cungan")
    page.goto(f"{base}/ratings/rounds/{rnd.pk}/")
    page.click("button:has-text('评议小组签字')")
    page.wait_for_selector("text=评议小组已签字")
    as_user("xiangzhen")
    page.goto(f"{base}/ratings/rounds/{rnd.pk}/")
    page.click("button:has-text('乡镇审核通过')")
    page.wait_for_selector("text=已通过")
    as_user("fupinban")
    page.goto(f"{base}/ratings/rounds/{rnd.pk}/")
    page.click("button:has-text('县级审定通过')")
    page.wait_for_selector("text=已通过")
    rnd.refresh_from_db()
    assert rnd.state == RatingRound.State.AUDITED
    line = CreditLine.objects.get(household=household)
    assert line.amount >= 5000
    shot(page, output_path, "j04-round-audited")

    # 4. the loan officer applies from the archive; village and bank review, township reviews
    as_user("xindai", 390)
    page.goto(f"{base}/households/{household.pk}/")
    page.click("text=申请贷款")
    page.select_option("select[name=product]", value="subsidy")
    page.select_option("select[name=purpose]", value="livestock")
    page.fill("input[name=project]", "养殖能繁母猪 3 头")
    page.fill("input[name=amount]", "5000")
    page.fill("input[name=term]", "36")
    page.click("text=提交申请")
    page.wait_for_selector("text=等待村委会与银行联合审查")
    app = Application.objects.get(household=household)
    page.click("button[value=approve]")
    page.wait_for_selector("text=已办理")
    approve(page, base, app.pk, "cungan", "村级已审查", 390)
    approve(page, base, app.pk, "xiangzhen", "乡镇已审核")
    publish_notice(page, base, app.pk)
    shot(page, output_path, "j05-notice-published")

    # 5. eight days on: the nights are closed, the county and the bank approve, the officer pays out
    clock.move_to(clock.today + dt.timedelta(days=8))
    close_the_nights()
    approve(page, base, app.pk, "fupinban", "县扶贫办已审批")
    approve(page, base, app.pk, "zhuren", "银行已审批")
    as_user("xindai", 390)
    page.goto(f"{base}/loans/applications/{app.pk}/")
    page.click("text=生成借款合同")
    page.click("text=确认放款")
    page.wait_for_selector("text=已放款，并已记账")
    loan = Application.objects.get(pk=app.pk).loan
    assert loan.state == Loan.State.ACTIVE and loan.start == clock.today and loan.principal == 5000_00
    shot(page, output_path, "j06-disbursed-phone")

    # 6. the first quarter's interest, paid on the day it falls due
    first = Installment.objects.filter(loan=loan).order_by("seq").first()
    clock.move_to(first.due_date)
    close_the_nights()
    as_user("xindai", 390)
    page.goto(f"{base}/loans/{loan.pk}/")
    page.fill("input[name=amount]", f"{Decimal(first.interest) / 100:.2f}")
    page.click("button:has-text('登记还款')")
    page.wait_for_selector("text=还款已登记并记账")
    first.refresh_from_db()
    assert first.interest_paid == first.interest and first.interest > 0

    # 7. six weeks later the household pays everything off
    clock.move_to(first.due_date + dt.timedelta(days=42))
    close_the_nights()
    as_user("xindai", 390)
    page.goto(f"{base}/loans/{loan.pk}/")
    page.click("button:has-text('提前还清')")
    page.wait_for_selector("text=已提前还清，贷款已结清")
    loan.refresh_from_db()
    assert loan.state == Loan.State.CLOSED and loan.closed_on == clock.today
    shot(page, output_path, "j07-paid-off-phone")

    # 8. the subsidy: the branch claims, the poverty office reviews, the finance bureau confirms
    # and pays (two people), the head office credits the households
    policy = policy_for("subsidy", loan.start)
    as_user("zhuren")
    page.goto(f"{base}/subsidies/")
    page.select_option("select[name=policy]", value=str(policy.pk))
    page.select_option("select[name=division]", value=village[:9] + "000")
    page.click("button:has-text('计算并申报')")
    page.wait_for_selector("text=已申报贴息")
    mine = Line.objects.get(loan=loan)
    batch = mine.batch
    # S-CAPPED: 5 % a year on the amount lent over the days it ran, never more than the interest paid
    # (R-SUB-0) — the interest paid: the first quarter's, then the payoff's to the day less any refund
    [[_, _, payoff_interest, refund, _]] = Repayment.objects.get(
        loan=loan, received_on=loan.closed_on
    ).allocation
    paid_interest = first.interest + payoff_interest - refund
    days = (loan.closed_on - loan.start).days
    exact = Fraction(loan.principal) * Fraction(5, 100) * days / 360
    assert mine.amount == min(int(exact + Fraction(1, 2)), paid_interest) > 0 and mine.reason == ""
    shot(page, output_path, "j08-claimed")
    as_user("fupinban")
    page.goto(f"{base}/subsidies/batches/{batch.pk}/")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("text=扶贫办已审核")
    as_user("caizheng")
    page.goto(f"{base}/subsidies/batches/{batch.pk}/")
    page.click("button:has-text('确认审核金额')")
    page.wait_for_selector("text=财政局已确认")
    as_user("caizheng2")
    page.goto(f"{base}/subsidies/batches/{batch.pk}/")
    page.fill("input[name=payment_ref]", "富财农〔2027〕012号")
    page.click("button:has-text('登记拨付')")
    page.wait_for_selector("text=财政已拨付")
    as_user("zongshe")
    page.goto(f"{base}/subsidies/batches/{batch.pk}/")
    page.click("button:has-text('入账到户')")
    page.wait_for_selector("text=已入账到户")
    batch = Batch.objects.get(pk=batch.pk)
    mine.refresh_from_db()
    assert batch.state == Batch.State.CREDITED and batch.credited == batch.paid == batch.claimed
    assert mine.credited_on == clock.today
    shot(page, output_path, "j09-credited")

    # 9. the household signs in with a one-time code and sees its closed loan and its subsidy
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/me/login/")
    page.fill("input[name=id_number]", id_number)
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("text=验证码已发送")
    to, text = senders.OUTBOX[-1]
    assert to == "13900007788"
    page.fill("input[name=code]", re.search(r"验证码 (\d{6})", text).group(1))
    page.click("button:has-text('登录')")
    page.wait_for_selector("h1:has-text('我的贷款')")
    mine_text = page.inner_text("main")
    assert loan.contract_no in mine_text and "已结清" in mine_text
    assert f"{Decimal(mine.amount) / 100:,.2f}" in mine_text
    for details in page.locator("details").all():
        details.evaluate("e => e.open = true")
    # every column of every table shows on the phone, none scrolled out of sight (issue 27 (6))
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('main table')]"
        ".map(t => t.scrollWidth - t.parentElement.clientWidth)"
    )
    assert hidden and max(hidden) <= 0, hidden
    shot(page, output_path, "j10-household-sees-its-subsidy-phone")

    # 10. every repayment recorded once; the loan's own postings net to nothing on 1301; the ledger balances
    from django.db.models import Sum

    from fupin.accounts.models import User
    from fupin.ledger.selectors import trial_balance

    assert Repayment.objects.filter(loan=loan).count() == 2
    own = Posting.objects.filter(loan_id=loan.pk, account_id="1301").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    assert own["d"] == own["c"] == loan.principal
    tb = trial_balance(User.objects.get(username="zongshe"), on=clock.today)
    assert tb["balanced"] and tb["debit"] > 0
    as_user("zongshe")
    page.goto(f"{base}/ledger/")
    assert "借贷平衡" in page.content() and "≠" not in page.content()
    assert [p for p in watch.problems if "HTTP 4" not in p] == []
