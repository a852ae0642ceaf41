from django.core.management.base import BaseCommand, CommandError

from fupin.accounts.roles import ROLES
from fupin.demo import county
from fupin.divisions.models import Branch


class Command(BaseCommand):
    help = "生成演示县数据（确定性） / Build the deterministic demo county"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20000, help="农户数 / number of households")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子 / random seed")
        parser.add_argument(
            "--if-empty", action="store_true", help="仅当数据库为空时生成 / only if the database is empty"
        )

    def handle(self, *args, households, seed, if_empty, **options):
        if households < 1:
            raise CommandError("农户数必须为正整数 / --households must be positive")
        if not county.is_empty():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据 / database not empty, demo skipped")
                self.print_logins(county.existing_demo_users())
                return
            raise CommandError("数据库已有数据：请先清空数据库再生成演示数据 / the database is not empty")
        result = county.build(households=households, seed=seed, progress=lambda m: self.stdout.write(m))
        self.stdout.write(self.style.SUCCESS("演示数据已生成 / demo data built"))
        self.print_logins(county.existing_demo_users() or result.users)  # with the staff made on the way

    def print_logins(self, users):
        if not users:
            return
        self.stdout.write(
            f"\n演示账号（密码均为 {county.DEMO_PASSWORD}） / demo logins (password {county.DEMO_PASSWORD}):"
        )
        lenders = dict(  # a bank user's institution (issue 25)
            Branch.objects.filter(code__in=[u.branch for u in users if u.branch]).values_list(
                "code", "institution__short_name"
            )
        )
        for u in users:
            at = f"  {lenders[u.branch]}" if u.branch in lenders else ""
            self.stdout.write(
                f"  {u.username:<12} {ROLES[u.role].label}（{ROLES[u.role].english}）  辖区 {u.division}{at}"
            )
