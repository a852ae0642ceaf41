"""Registry spreadsheets for tests: the template's columns, rows of made-up households, and the
``xlsx`` fixture that writes them (made available to every test by tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import xlsxwriter

from fupin.core.registry import TEMPLATE_HEADERS
from fupin.demo.people import household

TEMPLATE = list(TEMPLATE_HEADERS.values())


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    """A plain xlsx: strings as text cells, numbers as numbers, dates as dates."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("名单")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(header):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


def template_rows(
    village: str, n: int, seed: int = 1, start: int = 1, used: set[str] | None = None
) -> list[list]:
    """Rows of the template layout for ``n`` synthetic households of one village (``used``:
    ID numbers already given out, to keep several calls free of duplicates)."""
    rng = random.Random(seed)
    out = []
    used = set() if used is None else used
    for i in range(start, start + n):
        hh = household(
            rng, village, i, dt.date.today() - dt.timedelta(days=26), used
        )  # 2026-11-01 on the pinned day
        for m in hh.members:
            is_head = m.relationship == "户主"
            out.append(
                [
                    village,
                    hh.registry_no,
                    m.name,
                    m.id_number,
                    m.relationship,
                    m.labour,
                    m.health,
                    m.education,
                    m.phone,
                    {
                        "poor": "建档立卡贫困户",
                        "lifted": "已脱贫户",
                        "low_income": "低收入户",
                        "monitored": "监测户",
                    }[hh.status]
                    if is_head
                    else "",
                    str(hh.status_year) if is_head else "",
                    str(hh.lifted_year or "") if is_head else "",
                    "",
                    str(hh.income_per_capita) if is_head else "",
                    "",
                    hh.cause if is_head else "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return out


def col(name: str) -> int:
    return TEMPLATE.index(name)


@pytest.fixture
def xlsx(tmp_path):
    def make(rows: list[list], header: list[str] | None = None, name: str = "名单.xlsx") -> Path:
        return write_xlsx(tmp_path / name, header or TEMPLATE, rows)

    return make
