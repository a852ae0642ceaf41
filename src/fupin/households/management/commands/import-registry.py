import sys
from pathlib import Path

from fupin.accounts.models import User
from fupin.commands import FupinCommand
from fupin.households import importer
from fupin.households.exports import problems_xlsx
from fupin.households.models import ImportBatch


class Command(FupinCommand):
    help = "导入扶贫对象名单（全部导入或全部不导入） / Import the poverty registry (all or nothing)"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件（.xlsx） / the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only")
        parser.add_argument(
            "--user", help="以该用户的身份与辖区导入 / import as this user (default: the system)"
        )
        parser.add_argument(
            "--errors", help="把错误报告另存为 .xlsx / write the problem report to this .xlsx"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="首次大批量导入时使用的进程数（PostgreSQL） / "
            "processes for a large first import (PostgreSQL)",
        )

    def handle(self, *args, file, dry_run, user, errors, workers, **options):
        path = Path(file)
        if not path.is_file():
            self.fail(f"文件不存在：{file}")
        acting = None
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                self.fail(f"用户“{user}”不存在或已停用")

        def progress(stage, pct):
            if sys.stderr.isatty():
                sys.stderr.write(f"\r[{pct:3d}%] {stage}        ")

        batch = importer.registry_import(
            acting_user=acting,
            path=path,
            file_name=path.name,
            dry_run=dry_run,
            progress=progress,
            workers=max(1, workers),
        )
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        if batch.state == ImportBatch.State.FAILED:
            sys.stderr.write(f"{batch.stage}\n")
            self.problems(batch.problems)
            if errors:
                Path(errors).write_bytes(problems_xlsx(batch.file_name, batch.problems))
                sys.stderr.write(f"错误报告已保存：{errors}\n")
            sys.exit(2)
        s = batch.summary
        self.stdout.write(
            f"{batch.stage}：{s['rows']} 行，{s['households_in_file']} 户；新建档 {s['new_households']} 户、"
            f"{s['new_persons']} 人；变更 {s['changed_households']} 户、{s['changed_persons']} 人；"
            f"迁移 {s['moved_persons']} 人，迁出 {s['left_persons']} 人"
        )
