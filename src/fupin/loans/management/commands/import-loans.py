import datetime as dt
import json
import sys
from pathlib import Path

from fupin.accounts.models import User
from fupin.commands import FupinCommand
from fupin.core.errors import DomainError
from fupin.households.exports import problems_xlsx
from fupin.loans import book_import


class Command(FupinCommand):
    help = "迁入贷款机构的存量贷款（全部导入或全部不导入） / Bring a lender's loan book in (all or nothing)"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Excel 文件（.xlsx） / the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only")
        parser.add_argument("--institution", help="贷款机构代码 / the lender's code (a bank user: their own)")
        parser.add_argument(
            "--cutover", help="迁移截至日 YYYY-MM-DD（系统尚未日终处理时） / the cut-over day"
        )
        parser.add_argument(
            "--user", help="以该用户的身份与辖区导入 / import as this user (default: the system)"
        )
        parser.add_argument(
            "--errors", help="把错误报告另存为 .xlsx / write the problem report to this .xlsx"
        )
        parser.add_argument("--template", help="把导入模板另存为 .xlsx 后退出 / write the template and stop")
        parser.add_argument(
            "--json", action="store_true", help="以 JSON 输出结果 / print the outcome as JSON"
        )

    def handle(self, *args, file, dry_run, institution, cutover, user, errors, template, json, **options):
        if template:
            Path(template).write_bytes(book_import.template_xlsx())
            self.stdout.write(f"导入模板已保存：{template}")
            return
        if not file or not Path(file).is_file():
            self.fail(f"文件不存在：{file or ''}")
        acting = None
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                self.fail(f"用户“{user}”不存在或已停用")
        day = None
        if cutover:
            try:
                day = dt.date.fromisoformat(cutover)
            except ValueError:
                self.fail(f"迁移截至日“{cutover}”不是有效日期（YYYY-MM-DD）")

        def progress(msg):
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{msg}        ")

        try:
            out = book_import.loans_import(
                acting_user=acting,
                path=Path(file),
                institution=institution,
                cutover=day,
                dry_run=dry_run,
                progress=progress,
            )
        except DomainError as e:
            self.fail(e.message)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        result = out.as_dict()
        if json:
            self.stdout.write(_json(result))
        if out.state == "failed":
            sys.stderr.write(f"发现 {len(out.problems)} 处问题，未导入任何贷款\n")
            self.problems(result["problems"])
            if errors:
                Path(errors).write_bytes(problems_xlsx(Path(file).name, result["problems"]))
                sys.stderr.write(f"错误报告已保存：{errors}\n")
            sys.exit(2)
        if not json:
            verb = "检查通过（试运行，未写入）" if out.state == "checked" else "导入完成"
            self.stdout.write(
                f"{verb}：{out.institution}，截至 {out.cutover:%Y-%m-%d}；{out.rows} 行，"
                f"{'将迁入' if out.state == 'checked' else '迁入'} {out.loans} 笔，"
                f"已迁入过而跳过 {out.already} 笔；贷款余额 {result['outstanding_principal']} 元，"
                f"其中逾期 {out.overdue} 笔"
            )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
