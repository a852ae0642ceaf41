"""``fupin ledger-digest --division CODE --upto YYYY-MM-DD [--institution CODE]`` — the fingerprint
of the journal entries an exported table was made from (issue 28 (4)), recomputed from the ledger:
an auditor compares it with the line the table carries."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fupin.divisions.models import Division, Institution
from fupin.ledger.selectors import entries_digest


class Command(BaseCommand):
    help = "复算报表所据记账凭证的摘要 / recompute the fingerprint of the journal entries behind a table"

    def add_arguments(self, parser):
        parser.add_argument("--division", required=True, help="区划代码 / division code")
        parser.add_argument("--upto", required=True, help="截至日期 YYYY-MM-DD / up to this date")
        parser.add_argument("--institution", help="贷款机构代码 / one lender's books")

    def handle(self, *args, division, upto, institution=None, **options):
        d = Division.objects.filter(code=division).first()
        if d is None:
            raise CommandError(f"区划代码“{division}”不存在")
        try:
            day = dt.date.fromisoformat(upto)
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        lender = Institution.objects.filter(code=institution).first() if institution else None
        if institution and lender is None:
            raise CommandError(f"贷款机构代码“{institution}”不存在")
        n, digest = entries_digest(d.prefix, day, lender.pk if lender else None)
        self.stdout.write(f"截至 {day:%Y-%m-%d} 的 {n} 笔记账凭证，SHA-256 {digest}")
