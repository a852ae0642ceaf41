import json
import sys
from pathlib import Path

from fupin.accounts.models import User
from fupin.commands import FupinCommand
from fupin.core.errors import DomainError
from fupin.feeds import services


class Command(FupinCommand):
    help = (
        "导入银行月度借据与还款数据（全部导入或全部不导入） / Import a bank's monthly loan and repayment data"
    )

    def add_arguments(self, parser):
        parser.add_argument("loans", help="借据文件（.xlsx 或 .csv） / the month's loans")
        parser.add_argument("--repayments", help="还款文件（.xlsx 或 .csv） / the month's repayments")
        parser.add_argument("--institution", required=True, help="贷款机构代码 / the bank's code")
        parser.add_argument("--month", required=True, help="月份 YYYY-MM / the month")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only")
        parser.add_argument("--user", help="以该用户的身份导入 / import as this user (default: the system)")
        parser.add_argument(
            "--json", action="store_true", help="以 JSON 输出结果 / print the outcome as JSON"
        )

    def handle(self, *args, loans, repayments, institution, month, dry_run, user, json, **options):
        for f in (loans, repayments):
            if f and not Path(f).is_file():
                self.fail(f"文件不存在：{f}")
        acting = None
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                self.fail(f"用户“{user}”不存在或已停用")
        try:
            out = services.feed_import(
                acting_user=acting,
                institution=institution,
                month=services.month_of(month),
                loans_path=Path(loans),
                loans_name=Path(loans).name,
                repayments_path=Path(repayments) if repayments else None,
                repayments_name=Path(repayments).name if repayments else "",
                dry_run=dry_run,
            )
        except DomainError as e:
            self.fail(e.message)
        if json:
            self.stdout.write(_json(out.as_dict()))
        if out.state == "failed":
            sys.stderr.write(f"发现 {len(out.problems)} 处问题，未导入任何数据\n")
            self.problems(out.problems)
            sys.exit(2)
        if not json:
            d = out.diff
            change = (
                f"；与上一版相比新增 {len(d['added'])} 笔、删除 {len(d['removed'])} 笔、"
                f"变更 {len(d['changed'])} 笔"
                if d
                else ""
            )
            verb = {
                "checked": "检查通过（试运行，未写入）",
                "unchanged": "与已导入的文件相同，未改变任何数据",
            }
            self.stdout.write(
                f"{verb.get(out.state, '导入完成')}：{out.institution} {out.month:%Y-%m} "
                f"第 {out.version} 版，借据 {out.loans} 笔，还款 {out.repayments} 笔{change}"
            )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
