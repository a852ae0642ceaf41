"""The household archive (R-REG-4), search, export, and masking of personal data (R-REG-5)."""

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from fupin.audit.models import AuditEntry
from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent
from tests.registry_files import col, template_rows


@pytest.fixture
def registry(world, xlsx):
    rows = template_rows(world.village, 12) + template_rows(world.other_village, 3, seed=4, start=100)
    batch = registry_import(acting_user=None, path=xlsx(rows), file_name="r.xlsx")
    assert batch.state == "imported", batch.problems
    return rows


def head_of(rows, n=0):
    return [r for r in rows if r[col("与户主关系")] == "户主"][n]


def test_archive_shows_members_masked_and_history(world, registry):
    head = head_of(registry)
    hh = Household.objects.get(registry_no=head[col("户编号")])
    html = world.client("township_cadre").get(f"/households/{hh.pk}/").content.decode()
    assert head[col("姓名")] in html and "一户一档" in html
    assert head[col("证件号码")] not in html
    assert head[col("证件号码")][:6] + "********" + head[col("证件号码")][-4:] in html
    assert "建档" in html and "评级授信" in html  # history and the sections later issues fill
    assert "显示完整证件号码" not in html  # township cadres do not need full numbers


def test_reveal_is_audited_and_only_for_roles_that_need_it(world, registry):
    head = head_of(registry)
    hh = Household.objects.get(registry_no=head[col("户编号")])
    r = world.client("village_cadre").post(f"/households/{hh.pk}/reveal/")
    html = r.content.decode()
    assert r.status_code == 200 and head[col("证件号码")] in html and "记入审计日志" in html
    if head[col("联系电话")]:
        assert head[col("联系电话")] in html
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert entry.actor == world.user("village_cadre") and entry.object_id == str(hh.pk)
    assert world.client("auditor").post(f"/households/{hh.pk}/reveal/").status_code == 403
    assert AuditEntry.objects.filter(action="pii.reveal").count() == 1


def test_archive_query_count_does_not_grow_with_history(world, registry, django_assert_num_queries):
    hh = Household.objects.get(registry_no=head_of(registry)[col("户编号")])
    c = world.client("poverty_office")
    c.get(f"/households/{hh.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(f"/households/{hh.pk}/")
    HouseholdEvent.objects.bulk_create(
        [
            HouseholdEvent(household=hh, kind="changed", field="人均纯收入", before=str(i), after=str(i + 1))
            for i in range(500)
        ]
    )
    import datetime as dt

    from fupin.ratings.models import Exclusion, GradeChange

    GradeChange.objects.bulk_create(
        [
            GradeChange(
                household=hh,
                village_code=hh.village_id,
                on=dt.date(2026, 1, 1),
                event="rating",
                after_grade="A",
                after_amount=6000,
                reason=str(i),
            )
            for i in range(100)
        ]
    )
    Exclusion.objects.bulk_create(
        [
            Exclusion(
                household=hh,
                village_code=hh.village_id,
                code="idle",
                reason=str(i),
                recorded_by=world.user("village_cadre"),
                recorded_on=dt.date(2026, 1, 1),
            )
            for i in range(30)
        ]
    )
    with CaptureQueriesContext(connection) as many:
        r = c.get(f"/households/{hh.pk}/")
    assert r.status_code == 200 and "仅显示最近 200 条" in r.content.decode()
    # registry (members, former, events), rating section (line, ratings, grade changes,
    # exclusions, reputation, rules), subsidies and the fund (lines, claims, blacklist, legal actions)
    # and the request's own (session, user, grants)
    assert len(many) == len(few) <= 22


@pytest.mark.parametrize("by", ["name", "id", "phone", "registry_no"])
def test_search(world, registry, by):
    head = next(r for r in registry if r[col("与户主关系")] == "户主" and r[col("联系电话")])
    q = {
        "name": head[col("姓名")],
        "id": head[col("证件号码")].lower(),
        "phone": head[col("联系电话")],
        "registry_no": head[col("户编号")],
    }[by]
    html = world.client("poverty_office").get("/households/", {"q": q}).content.decode()
    assert head[col("户编号")] in html


def test_filters_and_jurisdiction(world, registry):
    c = world.client("township_cadre")
    html = c.get("/households/").content.decode()
    assert "共 12 户" in html  # the other township's households are not listed
    html = (
        world.client("poverty_office").get("/households/", {"village": world.other_village}).content.decode()
    )
    assert "共 3 户" in html
    statuses = set(Household.objects.values_list("status", flat=True))
    s = sorted(statuses)[0]
    n = Household.objects.filter(status=s).count()
    assert f"共 {n} 户" in world.client("poverty_office").get("/households/", {"status": s}).content.decode()


def test_export_masked_by_default_unmasked_audited(world, registry):
    c = world.client("poverty_office")
    r = c.get("/households/export.xlsx", {"village": world.village})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 13 and ws["A1"].value == "村代码"
    ids = [ws.cell(row=i, column=5).value for i in range(2, 14)]
    assert all("********" in v for v in ids)
    assert not AuditEntry.objects.filter(action="pii.export").exists()
    r = c.get("/households/export.xlsx", {"village": world.village, "unmasked": "1"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert all("*" not in ws.cell(row=i, column=5).value for i in range(2, 14))
    assert AuditEntry.objects.get(action="pii.export").after["households"] == 12
    r = world.client("auditor").get("/households/export.xlsx", {"unmasked": "1"})
    assert r.status_code == 403


def test_import_page_and_problem_report(world, xlsx, settings):
    settings.FUPIN_IMPORT_IN_THREAD = False
    rows = template_rows(world.village, 2)
    rows[0][col("证件号码")] = "123"
    c = world.client("village_cadre")
    with xlsx(rows).open("rb") as f:
        r = c.post("/registry/import/", {"file": f}, follow=True)
    html = r.content.decode()
    assert "未导入任何数据" in html and "证件号码应为18位" in html
    batch_id = r.redirect_chain[-1][0].rstrip("/").split("/")[-1]
    report = c.get(f"/registry/import/{batch_id}/problems.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert [ws.cell(row=2, column=i).value for i in range(1, 5)] == ["行号", "列", "值", "问题"]
    assert ws.cell(row=3, column=1).value == 2 and "18位" in ws.cell(row=3, column=4).value
    rows[0][col("证件号码")] = template_rows(world.village, 2)[0][col("证件号码")]
    with xlsx(rows, name="ok.xlsx").open("rb") as f:
        r = c.post("/registry/import/", {"file": f}, follow=True)
    assert "已导入" in r.content.decode() and Household.objects.count() == 2


def test_template_download_has_the_headers(world):
    r = world.client("poverty_office").get("/registry/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert [c.value for c in wb["农户名单"][1]][:5] == ["村代码", "户编号", "姓名", "证件号码", "与户主关系"]
    assert "填写说明" in wb.sheetnames


def test_command_line_import(world, xlsx, tmp_path):
    fupin = str(Path(sys.executable).with_name("fupin"))
    import os

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fupin.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
    }
    subprocess.run([fupin, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([fupin, "demo", "--households", "20"], env=env, check=True, capture_output=True)
    rows = template_rows("529901001001", 3, start=900)
    good = xlsx(rows, name="good.xlsx")
    r = subprocess.run(
        [fupin, "import-registry", str(good), "--dry-run"], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0 and "试运行" in r.stdout and "新建档 3 户" in r.stdout
    r = subprocess.run([fupin, "import-registry", str(good)], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "新建档 3 户" in r.stdout
    r = subprocess.run([fupin, "import-registry", str(good)], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "没有变化" in r.stdout
    rows[0][col("人均纯收入")] = "-5"
    bad = xlsx(rows, name="bad.xlsx")
    report = tmp_path / "errors.xlsx"
    r = subprocess.run(
        [fupin, "import-registry", str(bad), "--errors", str(report)], env=env, capture_output=True, text=True
    )
    assert r.returncode == 2 and "不能为负数" in r.stderr and report.exists()


def test_household_api(world, registry):
    c = world.client("township_cadre")
    r = c.get("/api/v1/households", {"limit": 5})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 12 and len(body["items"]) == 5
    item = body["items"][0]
    assert "********" in item["head_id_masked"] and item["village_code"] == world.village
    r = c.get(f"/api/v1/households/{item['id']}")
    detail = r.json()
    assert (
        r.status_code == 200
        and detail["members"]
        and all("********" in m["id_masked"] for m in detail["members"])
    )
    assert detail["events"][0]["kind"] == "created"
    out = Household.objects.filter(village_id=world.other_village).first()
    assert c.get(f"/api/v1/households/{out.pk}").status_code == 404
    assert world.client("poverty_office").get("/api/v1/households", {"status": "bogus"}).status_code == 400


def test_filter_links_carry_the_search_url_encoded(world, registry):
    html = (
        world.client("poverty_office")
        .get("/households/", {"q": "张 &三", "village": world.village})
        .content.decode()
    )
    assert "q=%E5%BC%A0+%26%E4%B8%89" in html and "&三" not in html.split("export.xlsx?")[1][:80]
