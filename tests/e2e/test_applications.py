"""Journey (R-APP-1 … 5): a loan officer applies from a household's archive on a phone, the
village cadre and the officer review jointly, the township reviews, the village cadre
publishes the notice, the county waits for it to end and approves, the branch director
approves, the officer prints the contract (its APR checked on the rendered page) and pays out;
the head office sees the entry on the ledger. A screenshot of every step."""

from __future__ import annotations

import os

import pytest

from tests.e2e.steps import approve, publish_notice
from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user

pytestmark = pytest.mark.e2e


def test_apply_review_and_publish_the_notice(live_world, page, watch, output_path):
    import datetime as dt

    from fupin.accounts.models import User
    from fupin.loans.models import Application
    from fupin.ratings.selectors import unborrowed

    demo, base = live_world
    office = User.objects.get(username="fupinban")
    busy = set(Application.objects.values_list("household_id", flat=True))
    hh = next(
        h
        for h, line in unborrowed(office, village=demo.villages[0], on=dt.date.today())
        if h.pk not in busy and line.amount >= 3000
    )

    def as_user(username, width=1280):
        switch_user(page, base, username, width)

    as_user("xindai", 390)
    page.goto(f"{base}/households/{hh.pk}/")
    page.click("text=申请贷款")
    page.select_option("select[name=product]", value="subsidy")
    page.select_option("select[name=purpose]", value="livestock")
    page.fill("input[name=project]", "养殖肉牛 2 头")
    page.fill("input[name=amount]", "50000")  # above the line: every reason is shown
    page.fill("input[name=term]", "36")
    page.click("text=提交申请")
    page.wait_for_selector("text=申请不符合条件")
    assert "超过授信额度" in page.content()
    shot(page, output_path, "a0-refused-phone")
    page.fill("input[name=amount]", "3000")
    page.click("text=提交申请")
    page.wait_for_selector("text=等待村委会与银行联合审查")
    app = Application.objects.get(household=hh)
    page.click("button[value=approve]")
    page.wait_for_selector("text=已办理")
    shot(page, output_path, "a1-bank-half-phone")

    approve(page, base, app.pk, "cungan", "村级已审查", 390)
    as_user("xiangzhen")  # the township finds it among its own
    page.goto(f"{base}/loans/applications/?mine=1")
    page.click(f"text=#{app.pk}")
    page.click("button[value=approve]")
    page.wait_for_selector("text=乡镇已审核")
    publish_notice(page, base, app.pk)
    shot(page, output_path, "a2-notice-published")
    as_user("fupinban")
    page.goto(f"{base}/loans/applications/{app.pk}/")
    assert "公示中" in page.content()
    page.click("button[value=approve]")  # during the notice: refused with the reason
    page.wait_for_selector("text=公示期未满")
    shot(page, output_path, "a3-county-waits-for-the-notice")
    app.refresh_from_db()
    assert app.state == "in_notice"

    # seven days later (the notice's dates moved back, as the calendar would)
    from fupin.loans.models import Notice

    Notice.objects.filter(pk=app.notice_id).update(
        start=dt.date.today() - dt.timedelta(days=8), end=dt.date.today() - dt.timedelta(days=2)
    )
    page.goto(f"{base}/loans/applications/{app.pk}/")
    page.click("button[value=approve]")
    page.wait_for_selector("text=县扶贫办已审批")
    shot(page, output_path, "a4-county-approved")
    as_user("xindai")  # the preparer cannot approve at the bank
    page.goto(f"{base}/loans/applications/{app.pk}/")
    page.click("button[value=approve]")
    page.wait_for_selector("text=审贷分离")
    as_user("zhuren")
    page.goto(f"{base}/loans/applications/{app.pk}/")
    page.click("button[value=approve]")
    page.wait_for_selector("text=银行已审批")
    shot(page, output_path, "a5-bank-approved")
    as_user("xindai", 390)
    page.goto(f"{base}/loans/applications/{app.pk}/")
    page.click("text=生成借款合同")
    page.wait_for_selector("text=确认放款")
    shot(page, output_path, "a6-contract-phone")
    loan = Application.objects.get(pk=app.pk).loan
    pdf = page.request.get(f"{base}/loans/{loan.pk}/contract.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    import subprocess
    from decimal import Decimal

    path = os.path.join(output_path, "contract.pdf")
    with open(path, "wb") as fh:
        fh.write(pdf.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            path,
            os.path.join(output_path, "a7-contract"),
        ],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "年化利率（APR）" in text and f"{(loan.apr * 100).quantize(Decimal('0.0001'))}%" in text
    page.click("text=确认放款")
    page.wait_for_selector("text=已放款，并已记账")
    shot(page, output_path, "a8-disbursed-phone")
    as_user("zongshe")
    page.goto(f"{base}/ledger/")
    assert "借贷平衡" in page.content() and "≠" not in page.content()
    shot(page, output_path, "a9-ledger")
    # the refused application answers 422 on purpose; nothing else may go wrong
    assert [p for p in watch.problems if "HTTP 4" not in p and "422" not in p] == []
