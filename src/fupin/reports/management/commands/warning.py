"""``fupin warning --division CODE [--json]`` — early warning (issue 28 (1)): the villages foreseen
below 98 % or suspended at the next month-ends, the funds' leverage ahead, and the backtest of the
village forecast over every month-end kept (its figures are in docs/performance.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.divisions.models import Division
from fupin.reports import warning


def _pct(x) -> str | None:
    return None if x is None else f"{float(x) * 100:.2f}%"


class Command(BaseCommand):
    help = "风险预警与回测 / early warning and its backtest"

    def add_arguments(self, parser):
        parser.add_argument("--division", required=True, help="县或乡镇的区划代码 / county or township code")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON")

    def handle(self, *args, division, json: bool = False, **options):
        d = Division.objects.filter(code=division, level__in=(3, 4)).first()
        if d is None:
            raise CommandError(f"县或乡镇区划代码“{division}”不存在")
        today = timezone.localdate()
        v = warning.villages(None, d, today)
        b = v["backtest"]
        out = {
            "division": d.code,
            "latest": str(v["latest"]) if v["latest"] else None,
            "backtest": {
                "cases": b.cases,
                "right": b.right,
                "accuracy": _pct(b.accuracy),
                "below_seen": b.below_seen,
                "below_foreseen": b.below_foreseen,
                "recall": _pct(b.recall),
                "alarms": b.alarms,
                "false_alarms": b.false_alarms,
                "precision": _pct(b.precision),
                "persistence_right": b.persistence_right,
            },
            "alarms": [
                {
                    "village": r["code"],
                    "name": r["name"],
                    "months": [
                        {"month": str(m.month), "rate": _pct(m.rate), "below": m.below, "suspended": s}
                        for m, s in r["ahead"]
                    ],
                    "needed": f"{r['ahead'][0][0].needed / 100:.2f}",
                }
                for r in v["rows"]
                if r["alarm"]
            ],
            "funds": [
                {
                    "fund": f["fund"].name,
                    "over": str(f["over"].month) if f["over"] else None,
                    "over_now": f["over_now"],
                    "leverage_now": None
                    if f["position"]["leverage"] is None
                    else f"{float(f['position']['leverage']):.2f}",
                }
                for f in warning.funds(None, d, today)
            ],
        }
        if json:
            self.stdout.write(_dumps(out))
            return
        self.stdout.write(
            f"{d.name} 回测：{b.cases} 次预计，{b.right} 次正确（{out['backtest']['accuracy']}）；"
            f"低于 98% 的 {b.below_seen} 个村月中预见 {b.below_foreseen} 个；预警 {b.alarms} 次，"
            f"其中 {b.false_alarms} 次未发生；照上月末不变预计则 {b.persistence_right} 次正确"
        )
        for a in out["alarms"]:
            months = "，".join(
                f"{m['month'][:7]} {m['rate']}{'（将暂停）' if m['suspended'] else ''}" for m in a["months"]
            )
            self.stdout.write(f"  {a['name']}：{months}；下月须收回 {a['needed']} 元")
        for f in out["funds"]:
            ahead = (
                "当前已超过上限"
                if f["over_now"]
                else f"预计 {f['over'][:7]} 月末超过上限"
                if f["over"]
                else "十二个月内不超过上限"
            )
            self.stdout.write(f"  {f['fund']}：放大倍数 {f['leverage_now']}，{ahead}")


def _dumps(x) -> str:
    return json.dumps(x, ensure_ascii=False, indent=2)
