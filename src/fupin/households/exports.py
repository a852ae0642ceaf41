"""Excel files of the registry: the import template, the problem report and list exports."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

from fupin.core.registry import TEMPLATE_HEADERS


def workbook():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    return buf, wb


def template_xlsx() -> bytes:
    """The simple template offered for download: headers, one example household, notes."""
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet("农户名单")
    headers = list(TEMPLATE_HEADERS.values())
    for i, h in enumerate(headers):
        ws.write_string(0, i, h, head)
        ws.set_column(i, i, 14, text)
    example = [
        [
            "529901001001",
            "H0001",
            "张三",
            "11010519491231002X",
            "户主",
            "有劳动能力",
            "健康",
            "初中",
            "13800001234",
            "建档立卡贫困户",
            "2016",
            "",
            "12000",
            "3000",
            "种植",
            "缺资金",
            "农村信用社",
            "6217000000000000001",
            "重点村",
            "2024-05-01",
        ],
        [
            "529901001001",
            "H0001",
            "张小三",
            "110105201001010015",
            "之子",
            "无劳动力",
            "健康",
            "小学",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    for r, row in enumerate(example, start=1):
        for c, v in enumerate(row):
            ws.write_string(r, c, v, text)
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet("填写说明")
    lines = [
        "每人一行；同一户的成员“村代码”和“户编号”相同，且必须有一人“与户主关系”为“户主”。",
        "证件号码、银行卡号、联系电话请以文本格式填写（本模板已设为文本），不要使用公式或合并单元格。",
        "户类型可填：建档立卡贫困户、低收入户、监测户、已脱贫户、非建档户。",
        "劳动能力可填：有劳动能力、弱劳动力、无劳动力。重点标签可填：重点村、移民安置点、经济薄弱村（多个用顿号分隔）。",
        "收入为元，不能为负；年份为四位数字；日期可写作 2024-05-01、2024/5/1 或 2024年5月1日。",
        "也可以直接导入全国扶贫开发信息系统导出的人员表（县、乡镇、行政村……联系电话），列的顺序不限。",
        "导入时全部检查：只要有一处错误，整个文件都不会导入，并列出每一处错误。",
    ]
    notes.set_column(0, 0, 110)
    for i, line in enumerate(lines):
        notes.write_string(i, 0, line)
    wb.close()
    return buf.getvalue()


def problems_xlsx(file_name: str, problems: Iterable[dict]) -> bytes:
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    ws = wb.add_worksheet("错误报告")
    ws.write_string(0, 0, f"文件：{file_name}")
    for i, h in enumerate(["行号", "列", "值", "问题"]):
        ws.write_string(1, i, h, head)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 2, 22)
    ws.set_column(3, 3, 70)
    for r, p in enumerate(problems, start=2):
        if p.get("row") is not None:
            ws.write_number(r, 0, p["row"])
        ws.write_string(r, 1, str(p.get("field", "")))
        ws.write_string(r, 2, str(p.get("value", "")))
        ws.write_string(r, 3, str(p.get("message", "")))
    ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()


def households_xlsx(rows: Iterable[list], headers: list[str]) -> bytes:
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    ws = wb.add_worksheet("农户名单")
    for i, h in enumerate(headers):
        ws.write_string(0, i, h, head)
        ws.set_column(i, i, 16)
    last = 0
    for last, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(last, c, v)
            else:
                ws.write_string(last, c, str(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, last), len(headers) - 1)
    wb.close()
    return buf.getvalue()
