"""Opening an uploaded spreadsheet safely and quickly.

:func:`checked_rows` checks the file itself before any row is read — that it is an xlsx
(a zip with a workbook), not password-protected or corrupt, within the limits a reader may
safely be given (:mod:`.xlsx_limits`), and that its first sheet has no formula cells and no
merged cells (either would make a row mean something other than what it shows) — then
yields rows through calamine, a fast Rust reader.
"""

from __future__ import annotations

import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import python_calamine as calamine

from fupin.core.errors import Problem
from fupin.households.xlsx_limits import TooLarge, check_limits, first_sheet

NOT_XLSX = "文件不是 Excel 工作簿（.xlsx），或已损坏"
MAX_LISTED = 50  # formula/merged cells named in the report; the count says how many in all
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+\d+)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")


class SheetProblem(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "")
        self.problems = problems


def _cell_before(data: bytes, pos: int) -> str:
    """The reference of the cell whose <f> starts at ``pos``: the last cell tag opened before it."""
    refs = _CELL_REF.findall(data, max(0, pos - 4096), pos)
    return refs[-1].decode() if refs else "?"


def check_archive(path: Path) -> None:
    """Raise :class:`SheetProblem` for a file that is not an xlsx, or one beyond the limits a
    reader may safely be given (:mod:`.xlsx_limits`: size, compression, rows, columns) — before
    any reader opens it."""
    if path.stat().st_size == 0:
        raise SheetProblem([Problem("文件是空的")])
    with path.open("rb") as f:
        magic = f.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetProblem(
            [Problem("文件已设置密码保护或是旧版 .xls 格式：请去掉密码并另存为 .xlsx 后再导入")]
        )
    if not zipfile.is_zipfile(path):
        raise SheetProblem([Problem(NOT_XLSX)])
    try:
        check_limits(path)
    except TooLarge as e:
        raise SheetProblem([e.problem]) from None
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, zlib.error, struct.error):
        raise SheetProblem([Problem(NOT_XLSX)]) from None


def check_file(path: Path) -> None:
    """Raise :class:`SheetProblem` for a file that is not a readable, plain-values xlsx
    (:func:`check_archive` has passed it)."""
    try:
        with zipfile.ZipFile(path) as z:
            sheet = first_sheet(z)
            formulas: list[str] = []
            merged: list[str] = []
            n_formulas = 0
            with z.open(sheet) as xml:
                tail = b""
                token = b""  # "<f" or "<x:f" when the sheet's elements carry a prefix
                while True:
                    chunk = xml.read(1 << 22)
                    if not chunk:
                        break
                    data = tail + chunk
                    if not token:
                        root = re.search(rb"<(\w+:)?worksheet\b", data)
                        token = b"<" + ((root.group(1) or b"") if root else b"") + b"f"
                    cut = data.rfind(b"</c>")
                    cut = len(data) if cut < 0 else cut + 4
                    pos = data.find(token, 0, cut)
                    while pos >= 0:  # bytes.find: ~10× a regex over hundreds of MB of XML
                        if _FORMULA.match(data, pos):
                            n_formulas += 1
                            if len(formulas) < MAX_LISTED:
                                formulas.append(_cell_before(data, pos))
                        pos = data.find(token, pos + len(token), cut)
                    merged.extend(m.group(1).decode() for m in _MERGE.finditer(data, 0, cut))
                    tail = data[cut:]
                merged.extend(
                    m.group(1).decode() for m in _MERGE.finditer(tail)
                )  # <mergeCells> follow the data
    except (zipfile.BadZipFile, KeyError, IndexError, OSError):
        raise SheetProblem([Problem(NOT_XLSX)]) from None
    problems: list[Problem] = []
    if n_formulas:
        listed = "、".join(formulas) + ("……" if n_formulas > len(formulas) else "")
        problems.append(
            Problem(
                f"表格含 {n_formulas} 个公式单元格（{listed}）：请复制后“选择性粘贴为数值”再导入",
                field="公式",
                value=formulas[0],
            )
        )
    if merged:
        listed = "、".join(merged[:MAX_LISTED]) + ("……" if len(merged) > MAX_LISTED else "")
        problems.append(
            Problem(
                f"表格含 {len(merged)} 处合并单元格（{listed}）：每人一行，请取消合并后再导入",
                field="合并单元格",
                value=merged[0],
            )
        )
    if problems:
        raise SheetProblem(problems)


def _sheet(path: Path):
    try:
        return calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except calamine.PasswordError:
        raise SheetProblem([Problem("文件已设置密码保护：请去掉密码后再导入")]) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError, IndexError):
        raise SheetProblem([Problem(NOT_XLSX)]) from None


def clean(row: list[Any]) -> list[Any]:
    """A row as calamine gives it (an empty cell is "") with empty cells as None."""
    return [None if v == "" else v for v in row]


def _iterate(sheet) -> Iterator[list[Any]]:
    return map(clean, sheet.iter_rows())


def rows(path: Path) -> Iterator[list[Any]]:
    """Rows of the first sheet as Python values (str, int, float, bool, date, datetime, None)."""
    check_archive(path)
    return _iterate(_sheet(path))


def checked_rows(path: Path, *, cleaned: bool = True) -> Iterator[list[Any]]:
    """:func:`check_file` and the parse of the sheet at the same time (both release the GIL:
    the check's decompression overlaps calamine's parse, which saves most of its time on a
    large file); raises :class:`SheetProblem` before any row when either finds a problem.
    ``cleaned=False``: empty cells left as "" (:func:`clean` them later, e.g. in other processes).
    :func:`check_archive` comes first, alone: nothing reads a file beyond the limits."""
    check_archive(path)
    found: list[SheetProblem] = []

    def check() -> None:
        try:
            check_file(path)
        except SheetProblem as e:
            found.append(e)

    thread = threading.Thread(target=check, name="xlsx-check")
    thread.start()
    try:
        sheet = _sheet(path)
    except SheetProblem as e:
        thread.join()
        raise (found[0] if found else e) from None  # the check names the problem more precisely
    thread.join()
    if found:
        raise found[0]
    return _iterate(sheet) if cleaned else iter(sheet.iter_rows())
