"""``fupin report {fu2,fu3,fu4,fu8,indicators} --division CODE --period YYYY-MM|YYYY-Qn
[--institution CODE] --format xlsx|pdf|json --output FILE`` — the official tables and the
indicators (R-RPT-1, 2, 3), of every lending institution or of one (issue 25)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fupin.core import reports as core
from fupin.core.errors import DomainError
from fupin.divisions.models import Division, Institution
from fupin.reports import exports
from fupin.reports.dashboard import snapshot
from fupin.reports.tables import BUILDERS, build


class Command(BaseCommand):
    help = "生成官方报表（附表2/3/4/8）或指标 / official tables and indicators"

    def add_arguments(self, parser):
        parser.add_argument("table", choices=[*BUILDERS, "indicators"])
        parser.add_argument("--division", required=True, help="区划代码（县、乡镇或村）")
        parser.add_argument("--period", required=True, help="YYYY-MM 或 YYYY-Qn")
        parser.add_argument("--institution", help="贷款机构代码：只统计该机构（默认全部机构）")
        parser.add_argument("--format", choices=["xlsx", "pdf", "json"], default="json")
        parser.add_argument("--output", help="输出文件（默认：json 打印到屏幕）")

    def handle(self, *args, table, division, period, format, output, institution=None, **options):
        d = Division.objects.filter(code=division).first()
        if d is None:
            raise CommandError(f"区划代码“{division}”不存在")
        lender = Institution.objects.filter(code=institution).first() if institution else None
        if institution and lender is None:
            raise CommandError(f"贷款机构代码“{institution}”不存在")
        try:
            p = core.period(period)
            if table == "indicators":
                if format != "json":
                    raise CommandError("指标只提供 json 格式 / indicators come as json only")
                snap = snapshot(
                    d, p, refresh=True, institution=lender.pk if lender else None
                )  # the nightly run after the close warms the dashboards
                content: bytes | str = json.dumps(snap.data, ensure_ascii=False, indent=1, default=str)
            else:
                t = build(table, d, p, lender)
                t.ledger = exports.ledger_line(d, p, lender)  # the books it was made from (issue 28 (4))
                content = (
                    json.dumps({**t.as_json(), "ledger": t.ledger}, ensure_ascii=False, indent=1)
                    if format == "json"
                    else exports.table_xlsx(t)
                    if format == "xlsx"
                    else exports.table_pdf(t)
                )
        except DomainError as e:
            raise CommandError(e.message) from e
        if output:
            Path(output).write_bytes(content.encode() if isinstance(content, str) else content)
            self.stdout.write(f"已写入 {output}")
        elif isinstance(content, str):
            self.stdout.write(content)
        else:
            raise CommandError("xlsx 与 pdf 须用 --output 指定文件")
