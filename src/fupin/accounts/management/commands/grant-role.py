from fupin.accounts.models import User
from fupin.accounts.services import role_assign
from fupin.commands import FupinCommand
from fupin.core.errors import DomainError


class Command(FupinCommand):
    help = (
        "由系统直接授予角色（新系统的首批角色；平时由两位系统管理员在页面办理） / "
        "Grant a role as the system itself (a new deployment's first roles)"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名 / user name")
        parser.add_argument("role", help="角色代码，如 sysadmin、finance_bureau / role code")
        parser.add_argument("division", help="绑定的区划代码（12 位） / division code (12 digits)")
        parser.add_argument("--branch", help="银行角色绑定的网点代码 / branch code for bank roles")

    def handle(self, *args, username, role, division, branch, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            self.fail(f"用户“{username}”不存在：请先用 fupin createsuperuser 或在页面上新建")
        try:
            ra = role_assign(
                acting_user=None, user=user, role=role, division_code=division, branch_code=branch
            )
        except DomainError as e:
            self.fail(e.message)
        self.stdout.write(
            f"已授予 {user.username} {ra.get_role_display()}（{ra.division_id}），已记入审计日志"
        )
