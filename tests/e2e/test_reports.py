"""Journey (R-RPT-1, 2, 5): the poverty office opens 附表3 for the county and downloads it, looks at
the dashboard on a phone (ECharts draws every chart, numbers beside them) and the rankings."""

from __future__ import annotations

import pytest

from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user

pytestmark = pytest.mark.e2e


def test_tables_dashboard_and_rankings(live_world, page, watch, output_path):
    demo, base = live_world
    switch_user(page, base, "fupinban")
    page.goto(f"{base}/reports/")
    page.wait_for_selector("h1:has-text('附表3')")
    assert page.locator("tr.total").count() == 1
    shot(page, output_path, "reports-1-fu3")
    with page.expect_download() as download:
        page.click("a:has-text('下载 Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    switch_user(page, base, "fupinban", 390)
    page.goto(f"{base}/reports/indicators/")
    for chart in ("monthly", "par", "classes", "sizes", "sexage"):
        page.wait_for_selector(f"[data-chart={chart}] svg")
    shot(page, output_path, "reports-2-dashboard-phone")
    page.goto(f"{base}/reports/rankings/")
    page.wait_for_selector("text=放款进度")
    shot(page, output_path, "reports-3-rankings")
    # early warning (issue 28 (1)): the county's villages ahead, the backtest, the funds' leverage
    page.click("text=风险预警")
    page.wait_for_selector("[data-chart=villages] svg")
    page.wait_for_selector("[data-chart=fund0] svg")
    assert "回测" in page.inner_text("#villages") and page.locator("#villages tbody tr").count() >= 10
    shot(page, output_path, "reports-4-warning-phone")
    # the policy simulator (issue 28 (2)): a lower income line and a larger subsidy share
    page.click("text=政策模拟")
    page.fill("input[name=income_line]", "5000")
    page.select_option("select[name=policy]", label="按时还款贴息 50%（篇3）")
    page.fill("input[name=share]", "0.6")
    page.click("#proposal button")
    page.wait_for_selector("#subsidy tr.late")
    assert page.locator("#households tbody tr").count() >= 1 and page.locator("#funds tbody tr").count() >= 1
    shot(page, output_path, "reports-5-simulate-phone")
    assert not watch.problems, watch.problems
