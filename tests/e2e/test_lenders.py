"""Journeys of a county with several lenders (issue 25): the agricultural bank's head office brings a
small book in on a phone (a bad row first, then checked, then imported); the poverty office imports
the construction bank's corrected month, sees what changed and the worklist, and takes it as Excel."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from fupin.core.feeds import LOAN_COLUMNS
from fupin.core.loanbook import COLUMNS
from fupin.feeds.models import Feed
from fupin.households.models import Person
from fupin.households.pii import vault
from fupin.loans.models import Loan
from tests.e2e.test_roles import login
from tests.registry_files import write_xlsx

pytestmark = pytest.mark.e2e


def shot(page, output_path, name):
    os.makedirs(output_path, exist_ok=True)
    page.screenshot(path=os.path.join(output_path, f"{name}.png"), full_page=True)


def heads(village: str, n: int) -> list[tuple[str, str]]:
    rows = Person.objects.filter(village_code=village, is_head=True).exclude(household__loans__state="active")
    return [(p.name, vault().decrypt(bytes(p.id_cipher))) for p in rows.order_by("pk")[:n]]


def test_a_bank_brings_its_book_in_on_a_phone(live_world, page, watch, output_path, tmp_path):
    demo, base = live_world
    (n1, id1), (n2, id2) = heads(demo.villages[1], 2)
    start = (dt.date.today() - dt.timedelta(days=100)).isoformat()
    good = [["NH-E2E-1", n1, id1, "扶贫小额贷款（一年期）", "8000", start, "12", "", "0", "0", "", ""],
            ["NH-E2E-2", n2, id2, "annual", "5000", start, "12", "", "0", "0", "", ""]]  # fmt: skip
    bad = write_xlsx(
        tmp_path / "有错.xlsx", [c.header for c in COLUMNS], [good[0], [*good[1][:1], "别人", *good[1][2:]]]
    )
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base, "nh_hangzhang")
    page.goto(f"{base}/loans/lenders/")
    page.click("text=存量贷款迁入")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并检查")
    page.wait_for_selector("text=未导入任何贷款")
    assert "姓名与档案不符" in page.content()
    shot(page, output_path, "lenders-0-bad-row")
    path = write_xlsx(tmp_path / "存量.xlsx", [c.header for c in COLUMNS], good)
    page.set_input_files("input[name=file]", str(path))
    page.click("text=上传并检查")  # the dry run is ticked by default
    page.wait_for_selector("text=检查通过（试运行，未写入）")
    assert not Loan.objects.filter(contract_no__startswith="NH-E2E").exists()
    page.set_input_files("input[name=file]", str(path))
    page.uncheck("input[name=dry_run]")
    page.click("text=上传并检查")
    page.wait_for_selector("text=导入完成")
    shot(page, output_path, "lenders-1-imported")
    assert Loan.objects.filter(contract_no__startswith="NH-E2E", institution__code="ABC000").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert [p for p in watch.problems if "HTTP 4" not in p and "422" not in p] == []  # the bad file's page


def test_the_county_takes_a_banks_corrected_month(live_world, page, watch, output_path, tmp_path):
    demo, base = live_world
    month = Feed.objects.filter(institution__code="CCB000").order_by("-month").first()
    rows = []
    for x in month.loans.order_by("contract_no"):
        number = (
            vault().decrypt(bytes(Person.objects.get(household_id=x.household_id, is_head=True).id_cipher))
            if x.household_id
            else None
        )
        if number is None:
            continue  # the stranger's loan: the bank takes it out
        rows.append([x.contract_no, x.name, number, x.product, x.start.isoformat(), x.maturity.isoformat(),
                     f"{x.amount / 100:.2f}", "3.45", f"{x.balance / 100:.2f}", "", "", "", ""])  # fmt: skip
    path = write_xlsx(tmp_path / "建行借据更正.xlsx", [c.header for c in LOAN_COLUMNS], rows)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "fupinban")
    page.goto(f"{base}/feeds/")
    page.select_option("select[name=institution]", "CCB000")
    page.fill("input[name=month]", f"{month.month:%Y-%m}")
    page.set_input_files("input[name=loans]", str(path))
    page.click("text=上传并检查")
    page.wait_for_selector("text=导入完成")
    assert "删除 1 笔" in page.content()
    shot(page, output_path, "feeds-0-corrected")
    page.click("text=查看核对清单")
    page.wait_for_selector("text=核对清单")
    assert "借款人不在贫困户档案中" not in page.content()  # the stranger's loan is gone
    shot(page, output_path, "feeds-1-worklist")
    with page.expect_download() as dl:
        page.click("text=导出 Excel")
    assert dl.value.suggested_filename.startswith("借据核对清单-CCB000")
    assert [p for p in watch.problems if "HTTP 4" not in p] == []
