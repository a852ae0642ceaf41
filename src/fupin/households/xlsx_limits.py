"""Limits an uploaded workbook must keep before any reader is let near it.

A spreadsheet reader builds the whole sheet in memory as a rectangle from its first to its last
cell, and trusts the archive it is given. Two small hostile files are enough to take a worker
down: a 2 KB sheet with cells only at A1 and XFD1048576 (a rectangle of 17 000 million cells),
and a zip bomb of a few MB that inflates to gigabytes. :func:`check_limits` reads the archive
itself first, inflating the sheet with its own decompressor, and refuses (with a Chinese
message) what would cost more than the file could honestly need:

* the archive: at most :data:`MAX_MEMBERS` members, :data:`MAX_INFLATED` bytes in all, no member
  inflating more than :data:`MAX_RATIO` times its compressed size, only stored or deflated
  members, and the sheet inflating to exactly the size its header declares;
* the sheet: at most :data:`MAX_COLUMNS` columns and :data:`MAX_ROWS` rows (Excel's own limit),
  both in its declared dimension and in the cells it holds; and the rectangle a reader would
  build at most :data:`DENSITY` times the cells the file really holds (or :data:`MIN_CELLS`).

The sheet is read once (regular expressions find only references beyond column Z or row
999 999, which a plain file does not have: see docs/performance.md); a second, exact pass over
every reference is made only for a file whose rectangle is not plainly in proportion to its
cells — a small one.
"""

from __future__ import annotations

import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from fupin.core.errors import Problem

MAX_MEMBERS = 2_000
MAX_INFLATED = 2 * 1024**3  # what all members may inflate to together
MAX_RATIO = 100  # inflated ÷ compressed, for a member over RATIO_FROM bytes (a real sheet: ≈ 10)
RATIO_FROM = 1024 * 1024
MAX_COLUMNS = 64  # the registry has 26–31, credit items fewer
MAX_ROWS = 1_048_576  # Excel's
DENSITY = 16  # the rectangle's cells ÷ the cells present
MIN_CELLS = 8_000_000  # a rectangle this small is allowed whatever the file holds
CHUNK = 1 << 22

# a cell's reference beyond column Z; a cell's or a row's beyond row 999 999; any reference
_WIDE = re.compile(rb' r="([A-Z]{2,})')
_LONG = re.compile(rb' r="[A-Z]*(\d{7,})"')
_REF = re.compile(rb' r="([A-Z]*)(\d+)"')
MAX_PART = 16 * 1024 * 1024  # the workbook's own small parts (workbook.xml, its relationships)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # a zip member's local header (30 bytes)


class TooLarge(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(message)


def column_number(letters: bytes) -> int:
    """A1-style column letters to 1-based numbers: b"A" → 1, b"Z" → 26, b"AA" → 27, b"XFD" → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _members(z: zipfile.ZipFile) -> None:
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TooLarge(f"文件内含 {len(infos)} 个部件，不像正常的 Excel 工作簿")
    if sum(i.file_size for i in infos) > MAX_INFLATED:
        raise TooLarge(f"文件解压后超过 {MAX_INFLATED // 1024**3} GB：请拆分成几个文件分别导入")
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TooLarge("文件使用了不支持的压缩方式：请用 Excel 或 WPS 另存为 .xlsx 后再导入")
        if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise TooLarge("文件的压缩比异常（疑似“压缩炸弹”），已拒绝读取")


def inflate(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes, inflated here and never more than its header declares; raises
    :class:`TooLarge` when the data runs past the declared size or stops short of it."""
    with path.open("rb") as f:
        f.seek(info.header_offset)
        header = f.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        fields = _LOCAL.unpack(header)
        f.seek(fields[-2] + fields[-1], 1)  # the name and the extra field
        left, out = info.compress_size, 0
        d = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0 or (d is not None and d.unconsumed_tail):
            raw = d.unconsumed_tail if d is not None and d.unconsumed_tail else f.read(min(CHUNK, left))
            if not raw:
                break
            if not (d is not None and raw is d.unconsumed_tail):
                left -= len(raw)
            data = d.decompress(raw, CHUNK) if d is not None else raw
            out += len(data)
            if out > info.file_size:
                raise TooLarge("文件解压后的大小与其声明不符（疑似“压缩炸弹”），已拒绝读取")
            if data:
                yield data
        if out != info.file_size or (d is not None and not d.eof):
            raise TooLarge("文件解压后的大小与其声明不符，或已损坏")


def _rectangle(rows: int, cols: int, cells: int, what: str) -> None:
    if cols > MAX_COLUMNS:
        raise TooLarge(f"{what}有 {cols} 列，超过 {MAX_COLUMNS} 列：请只保留模板中的列")
    if rows > MAX_ROWS:
        raise TooLarge(f"{what}有 {rows} 行，超过 Excel 的上限 {MAX_ROWS} 行")
    if rows * cols > max(MIN_CELLS, DENSITY * cells):
        raise TooLarge(
            f"{what}范围（{rows} 行 × {cols} 列）远大于实际内容（{cells} 个单元格）："
            "请删除表格远处的空白或杂散单元格后再导入"
        )


def _ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` made by a thread of their own, a few ahead (zlib inflates without the GIL,
    so the inflating and the reading of what is inflated overlap)."""
    q: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def make() -> None:
        try:
            for c in chunks:
                if stop.is_set():
                    return
                q.put(c)
            q.put(None)
        except BaseException as e:  # handed to the reader
            q.put(e)

    t = threading.Thread(target=make, name="xlsx-inflate", daemon=True)
    t.start()
    try:
        while (item := q.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while t.is_alive():  # let a blocked producer see the stop
            try:
                q.get_nowait()
            except queue.Empty:
                t.join(0.01)


def pieces(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member inflated (:func:`inflate`) in pieces that each end before a tag opens, so that
    no tag, attribute or reference is cut in two."""
    tail = b""
    for chunk in _ahead(inflate(path, info)):
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            tail = data
            continue
        yield data[:cut]
        tail = data[cut:]
    if tail:
        yield tail


def _part(z: zipfile.ZipFile, name: str) -> bytes:
    if z.getinfo(name).file_size > MAX_PART:
        raise TooLarge(f"文件中的 {name} 异常庞大，不像正常的 Excel 工作簿")
    return z.read(name)


def first_sheet(z: zipfile.ZipFile) -> str:
    """The archive member of the workbook's first sheet (KeyError/IndexError when there is none)."""
    names = set(z.namelist())
    workbook = _part(z, "xl/workbook.xml")
    rels = _part(z, "xl/_rels/workbook.xml.rels")
    m = re.search(rb"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    if m:
        rid = m.group(1)
        t = re.search(
            rb"<Relationship\b[^>]*\bId=\"" + re.escape(rid) + rb"\"[^>]*\bTarget=\"([^\"]+)\"", rels
        ) or re.search(
            rb"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"" + re.escape(rid) + rb"\"", rels
        )
        if t:
            target = t.group(1).decode().lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            if path in names:
                return path
    return sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]


def check_limits(path: Path) -> str:
    """Raise :class:`TooLarge` for an archive or sheet beyond the limits (see the module), or
    zipfile's, KeyError or IndexError for one that is not a workbook; answers the first sheet."""
    with zipfile.ZipFile(path) as z:
        _members(z)
        sheet = first_sheet(z)
        info = z.getinfo(sheet)
    cells = rows = cols = 0  # cells present; the largest unusual reference
    declared: tuple[int, int] | None = None
    token = b""
    for data in pieces(path, info):
        if not token:
            root = _ROOT.search(data)
            token = b"<" + ((root.group(1) or b"") if root else b"") + b"c"
            m = _DIMENSION.search(data)
            if m:
                last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
                declared = (int(last_row), column_number(last_col))
        cells += data.count(token + b" ")  # (a cell without attributes is not counted: the count errs low)
        cols = max([cols, *map(column_number, set(_WIDE.findall(data)))])
        rows = max([rows, *map(int, _LONG.findall(data))])
        if cols > MAX_COLUMNS or rows > MAX_ROWS:
            _rectangle(rows, cols, cells, "表格")
    if declared is not None:
        _rectangle(*declared, cells, "表格声明的")
    bound = (max(rows, 999_999), max(cols, 26))  # what a plain reference (A–Z, up to 6 digits) can reach
    if bound[0] * bound[1] > max(MIN_CELLS, DENSITY * cells):
        _rectangle(*_exact(path, info), cells, "表格")
    return sheet


def _exact(path: Path, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column any cell reference names (every reference read)."""
    rows = cols = 0
    for data in pieces(path, info):
        for m in _REF.finditer(data):
            rows, cols = max(rows, int(m.group(2))), max(cols, column_number(m.group(1)))
    return rows, max(cols, 1)
