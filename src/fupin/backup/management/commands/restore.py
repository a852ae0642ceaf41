"""``fupin restore FILE`` into an empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fupin.backup.services import restore
from fupin.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "把备份恢复到一个空数据库并核对（试算平衡、行数） / "
        "Restore a backup into an empty database and check it"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fupin backup 写出的文件")

    def handle(self, *args, file, **options):
        try:
            result = restore(Path(file))
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write("已恢复：" + "，".join(f"{t} {n}" for t, n in result["counts"].items()))
        if not result["balanced"]:
            raise CommandError("恢复后总账借贷不平衡：请勿使用此备份")
        self.stdout.write("总账借贷平衡 / the ledger balances")
