"""Hostile workbooks are refused before any reader opens them (fupin.households.xlsx_limits), on
every upload path — the registry import (page, API, command) and the credit items (page, API) —
with a Chinese message; and an import that fails or whose process dies never stays "running"."""

from __future__ import annotations

import base64
import datetime as dt
import struct
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from fupin.households import importer, xlsx_limits
from fupin.households.models import Household, ImportBatch
from fupin.households.xlsx import SheetProblem, checked_rows
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = pytest.mark.sqlite

CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.sprea'
    'dsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/offi'
    'ceDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
    '/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>"
)
SHEET = "xl/worksheets/sheet1.xml"


def workbook(path: Path, cells: str, dimension: str = "") -> Path:
    """A workbook whose first sheet holds exactly ``cells`` (the <row> elements), as a hostile
    sender would write it by hand."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            z.writestr(name, data)
        z.writestr(SHEET, HEAD.format(dimension=dimension) + cells + "</sheetData></worksheet>")
    return path


def cell(ref: str, value: int = 1) -> str:
    return f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>{value}</v></c></row>'


def refused(path: Path) -> str:
    with pytest.raises(SheetProblem) as e:
        list(checked_rows(path))
    assert len(e.value.problems) == 1
    return e.value.problems[0].message


def test_a_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    """1.9 KB that a reader would turn into a rectangle of 17 000 million cells (512 GiB)."""
    path = workbook(tmp_path / "far.xlsx", cell("A1") + cell("XFD1048576"))
    assert path.stat().st_size < 2000
    assert "16384 列" in refused(path) and "64 列" in refused(path)


@pytest.mark.parametrize(
    "cells, dimension, words",
    [
        (cell("A1") + cell("Z999999"), "", "远大于实际内容"),  # a far, sparse corner inside the column limit
        (cell("A1") + cell("A2000000"), "", "2000000 行"),  # past Excel's last row
        (cell("A1") + cell("BM1"), "", "65 列"),  # one column too many
        (cell("A1"), '<dimension ref="A1:XFD1048576"/>', "表格声明的"),  # a dimension out of proportion
        (
            cell("A1") + '<row r="999999"><c><v>1</v></c></row>' * 9,
            "",
            None,
        ),  # rows far apart but narrow: allowed
    ],
)
def test_sparse_and_oversized_sheets(tmp_path, cells, dimension, words):
    path = workbook(tmp_path / "s.xlsx", cells, dimension)
    if words is None:
        assert len(list(checked_rows(path))) == 999_999
    else:
        assert words in refused(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """A few MB that inflate to gigabytes of sheet XML (here ≈ 150 MB of padding)."""
    padding = "<!-- " + "x" * 1_000_000 + " -->"
    path = workbook(tmp_path / "bomb.xlsx", cell("A1") + padding * 150)
    assert path.stat().st_size < 1_000_000
    assert "压缩炸弹" in refused(path)


def test_an_archive_that_lies_about_its_size_is_refused(tmp_path):
    """The sheet's headers declare 100 bytes; the data inflates to far more (a reader that trusts
    the header would be surprised): the sheet is inflated here, counted, and refused."""
    path = workbook(tmp_path / "lie.xlsx", "".join(cell(f"A{r}", r) for r in range(1, 20_000)))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
    real = info.file_size
    central = data.rfind(SHEET.encode()) - 46  # the central directory's entry: its fixed part, then the name
    for at in (info.header_offset + 22, central + 24):
        assert struct.unpack_from("<L", data, at)[0] == real  # the local and the central header's size field
        struct.pack_into("<L", data, at, 100)
    path.write_bytes(bytes(data))
    assert "与其声明不符" in refused(path)


def test_a_plain_workbook_passes_and_its_cells_are_counted(tmp_path):
    rows = template_rows("529901001001", 30)
    path = write_xlsx(tmp_path / "ok.xlsx", TEMPLATE, rows)
    assert xlsx_limits.check_limits(path) == SHEET
    assert len(list(checked_rows(path))) == len(rows) + 1


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def test_every_upload_path_refuses_it_in_chinese(world, tmp_path, settings):
    settings.FUPIN_IMPORT_IN_THREAD = False
    far = workbook(tmp_path / "far.xlsx", cell("A1") + cell("XFD1048576"))
    cadre = world.client("village_cadre")
    with far.open("rb") as f:  # the registry import page
        page = cadre.post("/registry/import/", {"file": f}, follow=True)
    assert "超过 64 列" in page.content.decode()
    assert ImportBatch.objects.get().state == ImportBatch.State.FAILED
    api = cadre.post(
        "/api/v1/households/imports",
        {"file_name": "far.xlsx", "content_base64": b64(far)},
        content_type="application/json",
    )
    assert api.status_code == 422 and "超过 64 列" in api.json()["details"][0]["message"]
    with far.open("rb") as f:  # the credit items page
        credit = cadre.post("/credit/import/", {"file": f, "source": "县农业农村局"})
    assert credit.status_code == 422 and "超过 64 列" in credit.content.decode()
    credit_api = cadre.post(
        "/api/v1/credit-items/import",
        {"source": "县农业农村局", "file_name": "far.xlsx", "content_base64": b64(far)},
        content_type="application/json",
    )
    assert credit_api.status_code == 422 and "超过 64 列" in str(credit_api.json()["details"])
    assert Household.objects.count() == 0


def test_a_failed_import_is_marked_failed_and_a_dead_one_expires(world, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "ok.xlsx", TEMPLATE, template_rows(world.village, 2))

    def crash(*args, **kw):
        raise MemoryError("the reader died")

    monkeypatch.setattr(importer, "_read", crash)
    with pytest.raises(MemoryError):
        importer.registry_import(acting_user=world.user("poverty_office"), path=path, file_name="ok.xlsx")
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED and "未写入任何数据" in batch.stage
    # a process killed mid-import cannot say so: its batch stays running until it goes silent
    dead = importer.batch_start(
        acting_user=world.user("poverty_office"), file_name="dead.xlsx", dry_run=False
    )
    alive = importer.batch_start(
        acting_user=world.user("poverty_office"), file_name="alive.xlsx", dry_run=False
    )
    ImportBatch.objects.filter(pk=dead.pk).update(
        updated_at=timezone.now() - importer.STALE_AFTER - dt.timedelta(seconds=1)
    )
    page = world.client("poverty_office").get("/registry/import/")
    assert page.status_code == 200
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == ImportBatch.State.FAILED and "中断" in dead.stage and dead.finished_at is not None
    assert alive.state == ImportBatch.State.RUNNING
    assert (
        world.client("poverty_office").get(f"/api/v1/households/imports/{dead.pk}").json()["state"]
        == "failed"
    )
