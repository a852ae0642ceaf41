"""Journeys (R-PAY, R-COOP, R-CRD): the branch director reads the month's pay sheet and takes it
as Excel and PDF, an officer on a phone sees only their own part; a village cadre on a phone
lends from the cooperative and collects a payment, the books balanced; a loan officer is refused
a credit report without consent, records the signed consent, then reads it, and the poverty
office sees both queries in the log. A screenshot of every step."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user

pytestmark = pytest.mark.e2e


def test_the_branch_pay_sheet_and_an_officers_own_part(live_world, page, watch, output_path):
    from django.utils import timezone

    demo, base = live_world
    month = f"{timezone.localdate():%Y-%m}"
    switch_user(page, base, "zhuren")
    page.goto(f"{base}/pay/?branch=FM001&month={month}")
    page.wait_for_selector("text=信贷员绩效工资计算表")
    assert page.locator("text=网点主任绩效").count() >= 1 and page.locator("text=× 5% =").count() >= 1
    shot(page, output_path, "pay-1-branch-sheet")
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        r = page.request.get(f"{base}/pay/sheet.{fmt}?branch=FM001&month={month}")
        assert r.status == 200 and r.body()[: len(magic)] == magic
    switch_user(page, base, "xindai", 390)
    page.goto(f"{base}/pay/?branch=FM001&month={month}")
    page.wait_for_selector("text=只显示您本人的绩效")
    assert page.locator("text=林信贷").count() == 0  # a colleague's lines are not shown
    shot(page, output_path, "pay-2-own-part-phone")
    assert not watch.problems, watch.problems


def test_a_cooperative_lends_to_a_member_and_collects(live_world, page, watch, output_path):
    from fupin.coops.models import Cooperative, CoopLoan
    from fupin.coops.services import available

    demo, base = live_world
    coop = Cooperative.objects.get(village_code=demo.villages[0])
    idle = (
        coop.members.filter(left_on__isnull=True)
        .exclude(loans__state="active")
        .select_related("household")
        .first()
    )
    if available(coop) < 100_000:  # the fund is lent out in the demo: a member's contribution first
        switch_user(page, base, "cungan", 390)
        page.goto(f"{base}/coops/{coop.pk}/")
        capital = page.locator("form[action$='/capital/']")
        capital.locator("select[name=member]").select_option(str(idle.pk))
        capital.locator("input[name=amount]").fill("2000")
        capital.locator("button").click()
        page.wait_for_selector("text=已入账")
    switch_user(page, base, "cungan", 390)
    page.goto(f"{base}/coops/{coop.pk}/")
    form = page.locator("form[action$='/loans/']")
    form.locator("select[name=member]").select_option(str(idle.pk))
    form.locator("input[name=amount]").fill("1000")
    form.locator("input[name=term]").fill("6")
    form.locator("input[name=purpose]").fill("买猪仔")
    form.locator("input[name=decision]").fill("理事会纪要 E2E 号")
    form.locator("button").click()
    page.wait_for_selector("text=已发放互助金借款")
    loan = CoopLoan.objects.get(member=idle, state="active")
    assert loan.amount == 100_000 and loan.fee == 3_000  # 1 000 × 6 % × 6 / 12
    shot(page, output_path, "coop-1-lent-phone")
    pay = page.locator(f"form[action$='/coops/loans/{loan.pk}/repay/']")
    pay.locator("input[name=amount]").fill("50")
    pay.locator("button").click()
    page.wait_for_selector("text=已收款")
    loan.refresh_from_db()
    assert (loan.fee_paid, loan.principal_paid) == (3_000, 2_000)  # the fee first
    assert page.locator("text=互助社账簿").count() == 1
    shot(page, output_path, "coop-2-collected-phone")
    assert not watch.problems, watch.problems


def test_a_credit_report_needs_the_households_consent(live_world, page, watch, output_path):
    from django.utils import timezone

    from fupin.creditinfo.models import Consent, Query
    from fupin.households.models import Household

    demo, base = live_world
    consented = set(Consent.objects.values_list("household_id", flat=True))
    household = (
        Household.objects.filter(village_id=demo.villages[0]).exclude(pk__in=consented).order_by("pk").first()
    )
    switch_user(page, base, "xindai")
    page.goto(f"{base}/households/{household.pk}/credit/?purpose=贷款审批")
    page.wait_for_selector("text=未授权本机构查询")
    shot(page, output_path, "credit-1-refused-without-consent")
    assert (
        len(watch.problems) == 2 and "HTTP 403" in watch.problems[0]
    )  # the refusal itself, and nothing else
    watch.problems.clear()
    page.goto(f"{base}/households/{household.pk}/")
    form = page.locator("form[action$='/credit/consents/']")
    form.locator("input[name=document_no]").fill("授权书 E2E-1")
    form.locator("input[name=granted_on]").fill(f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m-%d}")
    form.locator("input[name=expires_on]").fill("2030-12-31")
    form.locator("button").click()
    page.wait_for_selector("text=已登记查询授权")
    page.goto(f"{base}/households/{household.pk}/credit/?purpose=贷款审批")
    page.wait_for_selector("text=信用评级记录")
    shot(page, output_path, "credit-2-report-with-consent")
    assert list(
        Query.objects.filter(household=household).order_by("pk").values_list("allowed", flat=True)
    ) == [False, True]
    switch_user(page, base, "fupinban")
    page.goto(f"{base}/credit/")
    page.wait_for_selector("text=拒绝（未授权）")
    shot(page, output_path, "credit-3-query-log")
    assert not watch.problems, watch.problems


def test_a_household_signs_in_on_a_phone_with_a_one_time_code(live_world, page, watch, output_path, settings):
    import re

    from fupin.households.models import Person
    from fupin.households.pii import vault
    from fupin.loans.models import Loan
    from fupin.selfservice import senders

    settings.FUPIN_OTP_SENDER = "fupin.selfservice.senders.memory_sender"
    senders.OUTBOX.clear()
    demo, base = live_world
    loan = (
        Loan.objects.filter(village_code=demo.villages[0]).exclude(state="contracted").order_by("pk").first()
    )
    head = Person.objects.get(household=loan.household, is_head=True, left_on__isnull=True)
    Person.objects.filter(pk=head.pk).update(phone_cipher=vault().encrypt("13900005678"))
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/login/")
    page.click("text=农户请用身份证号码和短信验证码登录")
    page.fill("input[name=id_number]", vault().decrypt(head.id_cipher))
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("text=验证码已发送")
    code = re.search(r"验证码 (\d{6})", senders.OUTBOX[-1][1]).group(1)
    page.fill("input[name=code]", code)
    page.click("button:has-text('登录')")
    page.wait_for_selector("h1:has-text('我的贷款')")
    assert page.locator(f"text={loan.contract_no}").count() >= 1
    shot(page, output_path, "self-service-1-my-loans-phone")
    other = Loan.objects.exclude(household=loan.household).exclude(state="contracted").first()
    assert page.request.get(f"{base}/loans/{other.pk}/").status == 403
    assert not watch.problems, watch.problems
