"""``fupin backup --output FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fupin.backup.services import backup
from fupin.core.errors import DomainError


class Command(BaseCommand):
    help = "备份整个数据库（PostgreSQL：pg_dump；SQLite：在线备份） / Back up the whole database"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="备份文件（不会覆盖已有文件）")

    def handle(self, *args, output, **options):
        try:
            counts = backup(Path(output))
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(f"已备份到 {output}：" + "，".join(f"{t} {n}" for t, n in counts.items()))
