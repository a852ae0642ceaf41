"""Registry import (R-REG-3): all or nothing, every problem listed, idempotent, history kept."""

import datetime as dt
import zipfile

import pytest

from fupin.audit.models import AuditEntry
from fupin.core.idcard import check_character
from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.pii import id_index, vault
from tests.registry_files import TEMPLATE, col, template_rows

pytestmark = (
    pytest.mark.sqlite
)  # the registry import writes through COPY on PostgreSQL and set-based inserts on SQLite

TODAY = dt.date.today()  # the pinned day (tests/clock.py)


def run(world, path, role="poverty_office", **kw):
    return registry_import(acting_user=world.user(role), path=path, file_name=path.name, today=TODAY, **kw)


def problems(batch):
    assert batch.state == ImportBatch.State.FAILED, batch.stage
    assert Household.objects.count() == 0 and Person.objects.count() == 0
    return batch.problems


def test_good_file_is_imported_encrypted_and_masked(world, xlsx):
    rows = template_rows(world.village, 20)
    batch = run(world, xlsx(rows))
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    assert Household.objects.count() == 20 and Person.objects.count() == len(rows)
    first_id = rows[0][col("证件号码")]
    p = Person.objects.get(id_index=id_index(first_id))
    assert p.is_head and p.household.village_id == world.village
    assert first_id.encode() not in bytes(p.id_cipher)
    assert vault().decrypt(p.id_cipher) == first_id
    assert p.id_masked == first_id[:6] + "********" + first_id[-4:]
    assert p.birth_date.strftime("%Y%m%d") == first_id[6:14]
    assert batch.summary["new_households"] == 20 and batch.summary["new_persons"] == len(rows)
    assert HouseholdEvent.objects.filter(kind="created").count() == 20
    assert AuditEntry.objects.filter(action="registry.import", object_id=str(batch.pk)).exists()


def test_reimporting_the_same_file_changes_nothing(world, xlsx):
    path = xlsx(template_rows(world.village, 10))
    run(world, path)
    before = (Household.objects.count(), Person.objects.count(), HouseholdEvent.objects.count())
    stamps = list(Household.objects.order_by("pk").values_list("updated_at", flat=True))
    again = run(world, path)
    assert again.state == ImportBatch.State.IMPORTED
    assert again.summary["new_households"] == again.summary["changed_households"] == 0
    assert again.summary["changed_persons"] == again.summary["new_persons"] == 0
    assert "没有变化" in again.stage
    assert (Household.objects.count(), Person.objects.count(), HouseholdEvent.objects.count()) == before
    assert list(Household.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_later_file_updates_by_id_number_and_records_history(world, xlsx, tmp_path):
    rows = template_rows(world.village, 3)
    run(world, xlsx(rows, name="v1.xlsx"))
    heads = [i for i, r in enumerate(rows) if r[col("与户主关系")] == "户主"]
    h0, h1 = heads[0], heads[1]
    rows[h0][col("人均纯收入")] = "4321"
    rows[h0][col("户类型")] = "已脱贫户"
    rows[h0][col("脱贫年度")] = "2020"
    # a non-head member of household 2 moves to household 1 (both households are in the file)
    mover = next(i for i in range(h1 + 1, len(rows)) if rows[i][col("户编号")] == rows[h1][col("户编号")])
    rows[mover][col("户编号")] = rows[h0][col("户编号")]
    rows[mover][col("与户主关系")] = "其他"
    batch = run(world, xlsx(rows, name="v2.xlsx"))
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    assert batch.summary["changed_households"] == 1 and batch.summary["moved_persons"] == 1
    hh = Household.objects.get(registry_no=rows[h0][col("户编号")])
    assert str(hh.income_per_capita) == "4321.00" and hh.status == "lifted" and hh.lifted_year == 2020
    kinds = set(hh.events.values_list("kind", "field"))
    assert (
        ("status", "户类型") in kinds
        and ("changed", "人均纯收入（元）") in kinds
        and ("member_in", "") in kinds
    )
    moved = Person.objects.get(id_index=id_index(rows[mover][col("证件号码")]))
    assert moved.household == hh and moved.relationship == "其他"
    assert (
        Household.objects.get(registry_no=rows[h1][col("户编号")]).events.filter(kind="member_out").exists()
    )


def test_member_missing_from_a_later_file_leaves_the_household(world, xlsx):
    rows = template_rows(world.village, 2)
    run(world, xlsx(rows, name="a.xlsx"))
    dropped = next(r for r in rows if r[col("与户主关系")] != "户主")
    batch = run(world, xlsx([r for r in rows if r is not dropped], name="b.xlsx"))
    assert batch.summary["left_persons"] == 1
    p = Person.objects.get(id_index=id_index(dropped[col("证件号码")]))
    assert p.left_on is not None


def test_registry_export_layout_with_names(world, xlsx):
    from fupin.demo.people import REGISTRY_HEADER, household, registry_rows
    from fupin.divisions.models import Division

    v = Division.objects.get(code=world.village)
    rng = __import__("random").Random(5)
    rows = []
    for i in range(1, 6):
        rows += registry_rows(household(rng, world.village, i, TODAY), "富民县", v.parent.name, v.name)
    # columns in another order
    order = list(reversed(range(len(REGISTRY_HEADER))))
    batch = run(
        world, xlsx([[r[i] for i in order] for r in rows], header=[REGISTRY_HEADER[i] for i in order])
    )
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    assert batch.layout == "registry" and Household.objects.filter(village_id=world.village).count() == 5


def test_full_width_digits_and_spaces_in_ids_are_normalised_not_rejected(world, xlsx):
    rows = template_rows(world.village, 1)
    real = rows[0][col("证件号码")]
    full = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in real)
    rows[0][col("证件号码")] = f" {full[:6]} {full[6:]}\u3000"
    batch = run(world, xlsx(rows))
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    assert Person.objects.filter(id_index=id_index(real)).exists()


def test_dates_typed_as_text_are_read_and_bad_ones_reported(world, xlsx):
    rows = template_rows(world.village, 3)
    heads = [r for r in rows if r[col("与户主关系")] == "户主"]
    heads[0][col("登记日期")] = "2024年5月1日"
    heads[1][col("登记日期")] = "2024/5/2"
    heads[2][col("登记日期")] = dt.date(2024, 5, 3)
    batch = run(world, xlsx(rows))
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    assert sorted(Household.objects.values_list("registered_on", flat=True)) == [
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 2),
        dt.date(2024, 5, 3),
    ]
    Household.objects.all()
    heads[0][col("登记日期")] = "去年五月"
    bad = run(world, xlsx(rows, name="bad.xlsx"))
    assert bad.state == ImportBatch.State.FAILED
    assert any("不是有效日期" in p["message"] and p["value"] == "去年五月" for p in bad.problems)


# ---- bad input: nothing imported, every problem listed (row, column, value, problem) ----


def test_every_problem_of_a_file_is_listed(world, xlsx):
    rows = template_rows(world.village, 6)
    heads = [i for i, r in enumerate(rows) if r[col("与户主关系")] == "户主"]
    rows[0][col("证件号码")] = rows[0][col("证件号码")][:17] + (
        "1" if rows[0][col("证件号码")][17] != "1" else "2"
    )
    rows[heads[1]][col("人均纯收入")] = "-100"
    rows[heads[2]][col("人均纯收入")] = "三千"
    rows[heads[3]][col("村代码")] = "529901009999"
    batch = run(world, xlsx(rows))
    msgs = [p["message"] for p in problems(batch)]
    assert any("校验位错误" in m for m in msgs)
    assert any("不能为负数" in m for m in msgs)
    assert any("不能包含文字" in m for m in msgs)
    first = batch.problems[0]
    assert first["row"] == 2 and first["field"].startswith("证件号码") and first["value"]


def test_duplicate_id_within_the_file(world, xlsx):
    rows = template_rows(world.village, 2)
    other = next(
        i
        for i, r in enumerate(rows)
        if r[col("户编号")] != rows[0][col("户编号")] and r[col("与户主关系")] != "户主"
    )
    rows[other][col("证件号码")] = rows[0][col("证件号码")]
    msgs = problems(run(world, xlsx(rows)))
    assert any("与第 2 行重复" in p["message"] for p in msgs)


def test_duplicate_id_against_another_household_not_in_the_file(world, xlsx):
    first = template_rows(world.village, 1, seed=1)
    run(world, xlsx(first, name="a.xlsx"))
    second = template_rows(world.village, 1, seed=2, start=50)
    member = next(r for r in second if r[col("与户主关系")] != "户主")
    member[col("证件号码")] = first[0][col("证件号码")]
    batch = run(world, xlsx(second, name="b.xlsx"))
    assert batch.state == ImportBatch.State.FAILED
    assert any("已登记在另一户" in p["message"] for p in batch.problems)
    assert Household.objects.count() == 1


def test_unknown_village_code_and_out_of_scope_village(world, xlsx):
    rows = template_rows("529901009999", 1)
    assert any("不存在" in p["message"] for p in problems(run(world, xlsx(rows))))
    rows = template_rows(world.sibling_village, 1)
    batch = run(world, xlsx(rows, name="x.xlsx"), role="village_cadre")
    assert any("不在您的辖区内" in p["message"] for p in problems(batch))


def test_household_without_head_and_with_two_heads(world, xlsx):
    rows = template_rows(world.village, 2)
    heads = [i for i, r in enumerate(rows) if r[col("与户主关系")] == "户主"]
    rows[heads[0]][col("与户主关系")] = "配偶"
    second_hh = [i for i, r in enumerate(rows) if r[col("户编号")] == rows[heads[1]][col("户编号")]]
    rows[second_hh[1]][col("与户主关系")] = "户主"
    msgs = [p["message"] for p in problems(run(world, xlsx(rows)))]
    assert any("没有户主" in m for m in msgs) and any("2 个户主" in m for m in msgs)


def test_missing_required_column_and_unknown_header(world, xlsx):
    header = [h for h in TEMPLATE if h != "证件号码"] + ["备注栏"]
    rows = [
        [r[i] for i, h in enumerate(TEMPLATE) if h != "证件号码"] + ["x"]
        for r in template_rows(world.village, 1)
    ]
    msgs = [p["message"] for p in problems(run(world, xlsx(rows, header=header)))]
    assert any("缺少必需的列“证件号码”" in m for m in msgs) and any("未知的列名“备注栏”" in m for m in msgs)


def test_empty_files(world, tmp_path, xlsx):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "空" in problems(run(world, empty))[0]["message"]
    only_header = xlsx([], name="header.xlsx")
    assert "没有数据行" in problems(run(world, only_header))[0]["message"]


def test_not_an_xlsx_corrupt_and_password_protected(world, tmp_path, xlsx):
    text = tmp_path / "名单.xlsx"
    text.write_text("姓名,证件号码\n张三,110105\n", encoding="utf-8")
    assert "不是 Excel 工作簿" in problems(run(world, text))[0]["message"]
    good = xlsx(template_rows(world.village, 1), name="good.xlsx")
    corrupt = tmp_path / "corrupt.xlsx"
    data = good.read_bytes()
    corrupt.write_bytes(data[: len(data) // 2])
    assert "已损坏" in problems(run(world, corrupt))[0]["message"]
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with good.open("rb") as src, locked.open("wb") as out:
        f = OOXMLFile(src)
        f.encrypt("secret", out)
    assert "密码" in problems(run(world, locked))[0]["message"]


def test_formula_cells_and_merged_cells(world, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(TEMPLATE)
    for r in template_rows(world.village, 2):
        ws.append(r)
    ws["N2"] = "=1000*3"
    ws.merge_cells("B3:B4")
    path = tmp_path / "f.xlsx"
    wb.save(path)
    msgs = [p["message"] for p in problems(run(world, path))]
    assert any("公式单元格" in m and "N2" in m for m in msgs)
    assert any("合并单元格" in m and "B3:B4" in m for m in msgs)


def test_id_typed_as_a_number_is_explained(world, xlsx):
    rows = template_rows(world.village, 1)
    rows[0][col("证件号码")] = (
        int(rows[0][col("证件号码")][:17] + "0")
        if rows[0][col("证件号码")][17] != "X"
        else 110105194912310021
    )
    msgs = [p["message"] for p in problems(run(world, xlsx(rows)))]
    assert any("存成了数字" in m for m in msgs)


def test_dry_run_writes_nothing(world, xlsx):
    batch = run(world, xlsx(template_rows(world.village, 5)), dry_run=True)
    assert batch.state == ImportBatch.State.CHECKED and batch.summary["new_households"] == 5
    assert Household.objects.count() == 0


def test_check_character_helper_matches_generated_ids():
    rows = template_rows("529901001001", 3)
    for r in rows:
        assert check_character(r[col("证件号码")][:17]) == r[col("证件号码")][17]


@pytest.mark.pgonly
def test_a_file_of_300000_rows_is_handled(world, tmp_path):
    """Not crashed, every row read: a dry run over 300 000 rows with one bad row at the end."""
    import xlsxwriter

    from fupin.demo.people import household

    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    for c, h in enumerate(TEMPLATE):
        ws.write_string(0, c, h)
    rng = __import__("random").Random(3)
    r = 1
    n = 0
    while r <= 300_000:
        n += 1
        hh = household(rng, world.village, n, TODAY)
        for m in hh.members:
            if r > 300_000:
                break
            vals = [world.village, hh.registry_no, m.name, m.id_number, m.relationship]
            if r == 300_000:
                vals[3] = m.id_number[:17] + ("0" if m.id_number[17] != "0" else "1")
            for c, v in enumerate(vals):
                ws.write_string(r, c, v)
            r += 1
    wb.close()
    batch = run(world, path, dry_run=True)
    assert batch.rows == 300_000
    assert any(p["row"] == 300_001 and "校验位" in p["message"] for p in batch.problems)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_formula_in_a_sheet_with_prefixed_elements(world, tmp_path):
    """Some writers prefix every element (<x:c>, <x:f>): formulas are found there too."""
    import re as _re

    from fupin.households.xlsx import SheetProblem, check_file
    from tests.registry_files import write_xlsx

    plain = write_xlsx(tmp_path / "p.xlsx", TEMPLATE, template_rows(world.village, 1))
    out = tmp_path / "x.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _re.sub(rb"<(/?)(\w+)([ >/])", rb"<\1x:\2\3", data).replace(
                    b"<x:worksheet", b"<x:worksheet", 1
                )
                data = data.replace(b'xmlns="', b'xmlns:x="', 1)
                data = data.replace(b'<x:c r="A2"', b'<x:c r="A2"><x:f>1+1</x:f></x:c><x:c r="Z2"', 1)
            dst.writestr(item, data)
    with pytest.raises(SheetProblem) as e:
        check_file(out)
    assert "公式" in e.value.problems[0].message and "A2" in e.value.problems[0].message
