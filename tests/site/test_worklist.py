"""The registry-change worklist (issue 28 (3)): a later registry file compared household by
household with what is stored — lifted out of poverty, a member gone, newly monitored, newly
registered — each with its eligibility, credit line, subsidy and loans recomputed, and what the
village should do; scoped to the reader; as Excel too."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from fupin.households.importer import registry_import
from fupin.households.models import ImportBatch
from tests.registry_files import col, template_rows


def run(world, path):
    batch = registry_import(acting_user=world.user("poverty_office"), path=path, file_name=path.name)
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    return batch


def test_a_later_file_makes_a_worklist_village_by_village(world, xlsx):
    rows = template_rows(world.village, 4, seed=21) + template_rows(
        world.sibling_village, 1, seed=22, start=50
    )
    run(world, xlsx(rows, name="v1.xlsx"))
    heads = [i for i, r in enumerate(rows) if r[col("与户主关系")] == "户主"]
    lifted, shrunk, monitored = heads[0], heads[1], heads[2]
    rows[lifted][col("户类型")] = "已脱贫户"
    rows[lifted][col("脱贫年度")] = "2026"
    rows[monitored][col("户类型")] = "监测户"
    gone = next(r for r in rows[shrunk + 1 :] if r[col("户编号")] == rows[shrunk][col("户编号")])
    newcomer = template_rows(world.village, 1, seed=23, start=90)
    rows[heads[-1]][col("户类型")] = "已脱贫户"  # a sibling village's household changes too
    later = [r for r in rows if r is not gone] + newcomer
    batch = run(world, xlsx(later, name="v2.xlsx"))

    c = world.client("village_cadre")
    page = c.get(f"/registry/import/{batch.pk}/worklist/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "户类型：建档立卡贫困户 → 已脱贫户" in html or "→ 已脱贫户" in html
    assert f"成员减少：{gone[col('姓名')]}" in html and "→ 监测户" in html and "新建档" in html
    assert rows[heads[-1]][col("户编号")] not in html  # not the cadre's village

    from fupin.site.worklist import worklist

    [village] = worklist(world.user("village_cadre"), batch)
    by_no = {r["household"].registry_no: r for r in village["rows"]}
    assert set(by_no) == {
        rows[lifted][col("户编号")],
        rows[shrunk][col("户编号")],
        rows[monitored][col("户编号")],
        newcomer[0][col("户编号")],
    }
    from django.utils import timezone

    from fupin.ratings.selectors import eligibility

    for r in by_no.values():  # recomputed today, all at once: as the archive computes each alone
        alone = eligibility(r["household"], timezone.localdate())
        assert r["failures"] == [f.message for f in alone.failures] and r["eligible"] == alone.eligible
        assert r["exposure"] == 0 and r["actions"]
    lifted_row = by_no[rows[lifted][col("户编号")]]
    assert lifted_row["subsidy"] is False  # no longer a registered household
    sheet = load_workbook(
        BytesIO(c.get(f"/registry/import/{batch.pk}/worklist/", {"format": "xlsx"}).content)
    )
    table = list(sheet.active.iter_rows(values_only=True))
    assert table[1][:4] == ("行政村", "户主", "户编号", "变化") and len(table) == 2 + 4
    assert world.client("household").get(f"/registry/import/{batch.pk}/worklist/").status_code == 403
