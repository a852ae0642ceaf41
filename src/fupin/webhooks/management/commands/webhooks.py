"""``fupin webhooks`` — send the events that are due (issue 26 (6)); run it every minute (a
systemd timer, docs/operations.md) or with ``--loop``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fupin.webhooks.delivery import deliver_due


class Command(BaseCommand):
    help = "推送到期的事件，失败的按退避时间重试 / Send the webhook events that are due"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="每隔这么多秒再推送一次（0：只推送一次）")
        parser.add_argument("--limit", type=int, default=200, help="每次最多推送的事件数")

    def handle(self, *args, loop: int, limit: int, **options):
        while True:
            done = deliver_due(limit=limit)
            if any(done.values()):
                self.stdout.write(f"送达 {done['delivered']}，待重试 {done['retry']}，放弃 {done['failed']}")
            if loop <= 0:
                return
            time.sleep(loop)
