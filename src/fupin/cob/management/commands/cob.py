import datetime as dt
import json
import sys

from django.utils import timezone

from fupin.cob import services
from fupin.cob.day import closed_through
from fupin.commands import FupinCommand
from fupin.core.errors import DomainError
from fupin.core.money import fmt


class Command(FupinCommand):
    help = "日终批处理：计提利息和罚息、账龄、五级分类、等级调整、暂停放款、次日收款清单 / Close of business"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="营业日 YYYY-MM-DD（默认：补齐至昨天的每一天） / business date "
            "(default: every day not yet closed up to yesterday)",
        )
        parser.add_argument("--until", help="逐日日终直到该日 / close every day up to this date")
        parser.add_argument(
            "--workers", type=int, default=1, help="进程数（PostgreSQL） / processes (PostgreSQL)"
        )
        parser.add_argument(
            "--join",
            action="store_true",
            help="协同：在本机处理其他进程已开始的日终的分块，空闲 --idle 秒后退出（PostgreSQL） / "
            "take chunks of the runs another process started (PostgreSQL)",
        )
        parser.add_argument(
            "--idle",
            type=float,
            default=60.0,
            help="--join 时无事可做多少秒后退出 / seconds idle before --join exits",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="以 JSON 输出汇总 / print the summary as JSON"
        )

    def handle(self, *args, date, until, workers, as_json, join, idle, **options):
        if date and until:
            self.fail("--date 与 --until 只能选一个")
        if join:
            self.stderr.write("协同日终：等待可做的分块…")
            self.stderr.flush()
            try:
                n = services.cob_join(idle_seconds=idle)
            except DomainError as e:
                self.fail(e.message)
            self.stdout.write(json.dumps({"chunks": n}) if as_json else f"本进程完成 {n} 个分块")
            return

        def progress(phase, done, total):
            if sys.stderr.isatty():
                sys.stderr.write(f"\r  分块 {done}/{total}        ")
                if done == total:
                    sys.stderr.write("\n")

        try:
            if date:
                outcomes = [services.cob_run(self.date(date), workers=workers, progress=progress)]
            else:
                last = self.date(until) if until else timezone.localdate() - dt.timedelta(days=1)
                outcomes = services.cob_until(last, workers=workers, progress=progress)
                if not outcomes:
                    self.stdout.write(f"已日终至 {closed_through()}，无需运行")
        except DomainError as e:
            self.fail(e.message)
        for o in outcomes:
            self.report(o, as_json=as_json)

    def date(self, text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"日期应为 YYYY-MM-DD：{text}")
            raise

    def report(self, o: services.Outcome, *, as_json: bool) -> None:
        s = o.run.summary
        if as_json:
            self.stdout.write(json.dumps({**s, "already_closed": o.already_closed}, ensure_ascii=False))
            return
        if o.already_closed:
            self.stdout.write(f"{o.run.date:%Y-%m-%d} 已日终，未做任何改动")
            return
        c = s["collection"]
        cats = "、".join(f"{k} {v}" for k, v in sorted(s["categories"].items()))
        line = (
            f"{s['date']} 日终完成：{s['loans']} 笔贷款，{s['chunks']} 个分块，{s['seconds']} 秒；"
            f"计提利息 {fmt(s['accrued'])} 元，罚息 {fmt(s['penalty'])} 元，分录 {s['entries']} 笔；"
            f"新增逾期 {s['newly_late']} 笔，逾期达违约天数 {s['defaults']} 笔，"
            f"按时还清 {s['repaid_on_time']} 笔，"
            f"等级调整 {s['grade_changes']} 户次；"
            f"分类：{cats}；{c['date']} 收款清单 {c['loans']} 笔，当日应还 {fmt(c['due'])} 元，"
            f"逾期 {fmt(c['arrears'])} 元"
        )
        if s.get("villages"):
            v = s["villages"]
            line += (
                f"；月末回收率：{v['villages']} 个村，"
                f"低于 98% 的 {v['below']} 个，暂停放款 {v['suspended']} 个"
            )
        self.stdout.write(line)
