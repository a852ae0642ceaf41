"""``fupin sms`` — after the nightly close, write the messages of the day (reminders, arrears,
subsidy, approvals, staff to-do) and send what may go; run it again outside the quiet hours to
send what waited (issue 26 (7))."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fupin.cob.day import closed_through
from fupin.sms.services import compose, send_due


class Command(BaseCommand):
    help = "编写并发送当日短信（还款提醒、逾期、贴息、获批、待办） / Write and send the day's text messages"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="日终日期 YYYY-MM-DD（默认最近一次日终）")
        parser.add_argument("--send-only", action="store_true", help="只发送已排队的短信")

    def handle(self, *args, date: str | None, send_only: bool, **options):
        if not send_only:
            try:
                closed = dt.date.fromisoformat(date) if date else closed_through()
            except ValueError as e:
                raise CommandError("日期格式应为 YYYY-MM-DD") from e
            if closed is None:
                raise CommandError("尚未做过日终批处理")
            made = compose(closed)
            self.stdout.write(f"{closed} 日终后新编写短信 {made.pop('new')} 条：{made}")
        sent = send_due()
        self.stdout.write(f"已发送 {sent['sent']} 条，失败 {sent['failed']} 条（静默时段内不发送）")
