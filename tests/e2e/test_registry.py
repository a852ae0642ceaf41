"""Journey: the poverty office imports a registry file (first with a bad row, then fixed),
finds a household and opens its archive; a village cadre reveals the full ID numbers."""

from __future__ import annotations

import os

import pytest

from tests.e2e.test_roles import login
from tests.registry_files import TEMPLATE, col, template_rows, write_xlsx

pytestmark = pytest.mark.e2e


def shot(page, output_path, name):
    os.makedirs(output_path, exist_ok=True)
    page.screenshot(path=os.path.join(output_path, f"{name}.png"), full_page=True)


def test_import_search_archive_reveal(live_world, page, watch, output_path, tmp_path):
    demo, base = live_world
    village = demo.villages[0]
    rows = template_rows(village, 8, seed=77, start=9000)
    good_id = rows[0][col("证件号码")]
    rows[0][col("证件号码")] = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    bad = write_xlsx(tmp_path / "名单-有错.xlsx", TEMPLATE, rows)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "fupinban")
    page.goto(f"{base}/registry/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并检查")
    try:
        page.wait_for_selector("text=未导入任何数据", timeout=30_000)
    finally:
        shot(page, output_path, "0-after-upload")
    assert "校验位错误" in page.content()
    shot(page, output_path, "1-import-errors")
    with page.expect_download() as dl:
        page.click("text=下载错误报告")
    assert dl.value.suggested_filename.endswith(".xlsx")

    rows[0][col("证件号码")] = good_id
    good = write_xlsx(tmp_path / "名单.xlsx", TEMPLATE, rows)
    page.goto(f"{base}/registry/import/")
    page.set_input_files("input[name=file]", str(good))
    page.click("text=上传并检查")
    page.wait_for_selector("text=已导入", timeout=30_000)
    shot(page, output_path, "2-import-done")

    head_name = rows[0][col("姓名")]
    page.goto(f"{base}/households/")
    page.fill("input[name=q]", head_name)
    page.click("form.filters button[type=submit]")
    page.click(f"a:has-text('{head_name}')")  # the list names the head, the number beneath
    page.wait_for_selector("text=一户一档")
    assert head_name in page.content() and good_id not in page.content()
    shot(page, output_path, "3-archive-masked")

    page.context.clear_cookies()
    login(page, base, "cungan")
    page.goto(f"{base}/households/?q={rows[0][col('户编号')]}")
    page.click(f"a:has-text('{head_name}')")
    page.click("text=显示完整证件号码与电话")
    page.wait_for_selector("text=已记入审计日志")
    assert good_id in page.content()
    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, output_path, "4-archive-revealed-phone")
    assert [p for p in watch.problems if "HTTP 4" not in p] == []
