"""The ``fupin`` console script: Django's management commands under one name.

``fupin --help`` lists every command with one line in Chinese and English; any other
call is handed to Django (``fupin migrate``, ``fupin runserver``, ``fupin demo`` …).
"""

from __future__ import annotations

import os
import sys

# One line (中文 / English) for Django's own commands that operators use; the project's
# commands carry their own ``help`` in the same form.
BUILTIN_HELP = {
    "runserver": "启动开发服务器 / Start the development web server",
    "migrate": "升级数据库结构 / Apply database migrations",
    "makemigrations": "生成数据库迁移 / Create new migrations from model changes",
    "createsuperuser": "创建超级管理员 / Create a superuser",
    "changepassword": "修改用户密码 / Change a user's password",
    "check": "检查配置（--deploy 检查生产配置） / Check the project (--deploy for production)",
    "collectstatic": "收集静态文件 / Collect static files",
    "compilemessages": "编译界面翻译 / Compile translations",
    "makemessages": "提取界面文字 / Extract translatable strings",
    "shell": "Python 交互环境 / Interactive Python shell",
    "dbshell": "数据库命令行 / Database command-line client",
    "showmigrations": "列出数据库迁移 / List migrations and their state",
    "sqlmigrate": "显示迁移的 SQL / Show the SQL of a migration",
    "clearsessions": "清理过期会话 / Remove expired sessions",
    "axes_reset": "解除全部登录锁定 / Reset all login lockouts",
    "axes_reset_username": "解除指定用户的登录锁定 / Reset lockouts of given usernames",
    "flush": "清空数据库 / Remove all data from the database",
    "dumpdata": "导出数据 / Dump data as fixtures",
    "loaddata": "导入数据 / Load fixtures",
    "test": "运行 Django 测试（请用 make test） / Run Django tests (use make test)",
}
HIDDEN = {
    "squashmigrations",
    "optimizemigration",
    "startapp",
    "startproject",
    "sendtestemail",
    "inspectdb",
    "diffsettings",
    "remove_stale_contenttypes",
    "testserver",
    "sqlflush",
    "sqlsequencereset",
    "createcachetable",
    "axes_list_attempts",
    "axes_reset_ip",
    "axes_reset_ip_username",
    "axes_reset_failure_logs",
    "axes_reset_logs",
    "findstatic",
}


def _print_help() -> None:
    from django.core.management import get_commands, load_command_class

    print("用法 / usage: fupin <命令 command> [选项 options]    （fupin <命令> --help 查看详细说明）\n")
    print("命令 / commands:")
    rows = []
    for name, app in sorted(get_commands().items()):
        if name in HIDDEN:
            continue
        if name in BUILTIN_HELP:
            line = BUILTIN_HELP[name]
        elif app.startswith("fupin"):
            line = (load_command_class(app, name).help or "").strip().splitlines()[0]
        else:
            continue
        rows.append((name, line))
    width = max(len(n) for n, _ in rows)
    for name, line in rows:
        print(f"  {name.ljust(width)}  {line}")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django
    from django.core.management import execute_from_command_line

    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"} and len(argv) <= 2:
        django.setup()
        _print_help()
        return
    argv[0] = "fupin"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
