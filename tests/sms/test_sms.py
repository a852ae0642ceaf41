"""Text messages (issue 26 (7)): the reminder before a due date, the arrears notice, the approval,
the staff's to-do — each written once, in Chinese, held through the quiet hours, not sent to a
number that opted out, logged; sent through the log, the memory and Alibaba Cloud's SDK against a
real HTTP server standing in for the provider."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings
from django.utils import timezone

from fupin.core.money import fmt
from fupin.households.pii import vault
from fupin.loans import services as loans
from fupin.loans.models import Installment, Servicing
from fupin.selfservice.models import HouseholdLogin
from fupin.sms import senders, services
from fupin.sms.models import Message
from tests.cob.conftest import past_loan, today
from tests.loans.test_disbursement import approved

DAY = dt.timedelta(days=1)
MEMORY = "fupin.sms.senders.MemorySender"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def with_phone(hh, phone="13800001234"):
    head = hh.members.get(is_head=True, left_on__isnull=True)
    v = vault()
    head.phone_cipher, head.phone_index, head.phone_masked = v.encrypt(phone), v.index(phone), "138****1234"
    head.save()
    return head


@pytest.fixture
def memory():
    senders._sender.cache_clear()
    senders.MemorySender.sent.clear()
    with override_settings(FUPIN_SMS_SENDER=MEMORY):
        yield senders.MemorySender.sent
    senders._sender.cache_clear()


@pytest.mark.clock  # the due dates come from today: run on other days too
def test_a_reminder_before_the_due_date_held_through_the_quiet_hours(rt, hh, memory):
    head = with_phone(hh)
    loan = past_loan(rt, hh, today() - 10 * DAY)
    nxt = Installment.objects.filter(loan=loan).order_by("due_date").first()
    closed = nxt.due_date - 4 * DAY  # the morning after is three days before the due date
    late_evening = at(closed, 22, 30)
    made = services.compose(closed, now=late_evening)
    assert made["due_reminder"] == 1 and made["new"] == 1
    m = Message.objects.get(kind="due_reminder")
    owed = nxt.principal + nxt.interest - nxt.principal_paid - nxt.interest_paid
    assert m.text.startswith("【扶贫小额信贷】" + head.name + "您好")
    assert loan.contract_no in m.text and f"{fmt(owed)}元" in m.text and "回复TD退订" in m.text
    assert f"{nxt.due_date.month}月{nxt.due_date.day}日" in m.text
    assert m.phone_masked == "138****1234" and m.village_code == hh.village_id
    assert timezone.localtime(m.send_after) == timezone.localtime(at(closed + DAY, 8))  # after 08:00
    assert services.compose(closed, now=late_evening)["new"] == 0  # once
    assert services.send_due(now=at(closed, 23)) == {"sent": 0, "failed": 0}  # quiet hours
    assert services.send_due(now=at(closed + DAY, 8, 5)) == {"sent": 1, "failed": 0}
    assert memory == [("13800001234", m.text, "due_reminder", m.params)]
    m.refresh_from_db()
    assert m.state == "sent" and m.sent_at is not None and m.provider_ref == "mem-1"


def test_arrears_approval_to_do_and_an_opted_out_household(rt, hh, memory):
    with_phone(hh)
    loan = past_loan(rt, hh, today() - 40 * DAY)
    closed = today() - DAY
    first_due = Installment.objects.filter(loan=loan).order_by("due_date").first().due_date
    Servicing.objects.filter(loan=loan).update(late_since=closed - 7 * DAY)  # 7 days late at the close
    other = rt.households[1]
    with_phone(other, "13800005678")
    app = approved(rt, other)  # approved by the bank today
    cadre = rt.world.user("village_cadre")
    cadre.phone = "13900002222"
    cadre.save()
    third = rt.households[2]
    loans.application_create(  # waits for the village's review: the cadre's to-do
        acting_user=rt.world.user("loan_officer"),
        household=third,
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=500_000,
        term=36,
    )
    made = services.compose(closed, now=at(today(), 10))
    approvals = services.compose(today(), now=at(today(), 10))
    assert made["arrears"] == 1 and approvals["approved"] == 2  # this household's and the other's
    arrears = Message.objects.get(kind="arrears")
    unpaid = sum(
        i.principal + i.interest - i.principal_paid - i.interest_paid
        for i in Installment.objects.filter(loan=loan, due_date__lte=closed)
    )
    assert "已逾期7天" in arrears.text and f"欠款{fmt(unpaid)}元" in arrears.text and first_due <= closed
    ok = Message.objects.get(kind="approved", household=other)
    assert f"{fmt(app.amount)}元（{app.term}个月）已获批准" in ok.text
    todo = Message.objects.get(kind="todo", user=cadre, key__endswith=str(closed + DAY))
    assert (
        "您有1项待办：贷款申请待村委会与银行联合审查1件" in todo.text and todo.phone_masked == "139****2222"
    )
    # the household opts out on its own page: nothing more is sent to it, and the log says so
    mine = third
    HouseholdLogin.objects.create(user=rt.world.user("household"), household=mine)  # its own sign-in
    with_phone(mine, "13700009999")
    c = rt.world.client("household")
    r = c.put("/api/v1/me/sms", {"receive": False}, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"receive": False}
    assert services.household_opted_out(mine)
    page = c.get("/me/").content.decode()
    assert "恢复短信提醒" in page
    services.opt_out(acting_user=cadre, household=hh)
    Servicing.objects.filter(loan=loan).update(late_since=closed - 29 * DAY)
    services.compose(closed + DAY, now=at(today(), 10))  # 30 days late now
    assert Message.objects.get(kind="arrears", key__endswith=":30").state == "opted_out"
    sent = services.send_due(now=at(today(), 10, 30))
    assert sent["sent"] == Message.objects.filter(state="sent").count() >= 2
    assert all(
        phone != "13800001234" or kind != "arrears" or "30天" not in text for phone, text, kind, _ in memory
    )
    # the log, for those who see the households
    log = rt.world.client("loan_officer").get("/api/v1/sms/messages", {"household": hh.pk}).json()
    assert {x["kind"] for x in log["items"]} >= {"arrears"} and all(x["text"] for x in log["items"])
    assert rt.world.client("village_cadre").get("/api/v1/sms/messages").status_code == 200
    assert rt.world.client("household").get("/api/v1/sms/messages").status_code == 403


class Provider:
    """A local HTTP server answering as Alibaba Cloud's SMS API does."""

    def __init__(self, code="OK"):
        self.code, self.got = code, []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                provider.got.append(parse_qs(urlparse(self.path).query))
                body = json.dumps(
                    {
                        "Code": provider.code,
                        "Message": "OK" if provider.code == "OK" else "触发天级流控",
                        "BizId": "900619746936498440^0",
                        "RequestId": "F655A8D5",
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self):
        return override_settings(
            FUPIN_SMS_SENDER="fupin.sms.senders.AliyunSender",
            FUPIN_SMS_ALIYUN_ACCESS_KEY_ID="LTAI-test",
            FUPIN_SMS_ALIYUN_ACCESS_KEY_SECRET="secret",
            FUPIN_SMS_ALIYUN_ENDPOINT=f"127.0.0.1:{self.server.server_port}",
            FUPIN_SMS_ALIYUN_PROTOCOL="http",
            FUPIN_SMS_TEMPLATES={"due_reminder": "SMS_4650001"},
        )


def test_alibaba_clouds_sdk_sends_the_template_and_its_parameters(rt, hh):
    with_phone(hh)
    loan = past_loan(rt, hh, today() - 10 * DAY)
    nxt = Installment.objects.filter(loan=loan).order_by("due_date").first()
    closed = nxt.due_date - 4 * DAY
    services.compose(closed, now=at(closed, 10))
    ok, refused = Provider(), Provider(code="isv.BUSINESS_LIMIT_CONTROL")
    try:
        senders._sender.cache_clear()
        with refused.settings():
            for _ in range(services.MAX_ATTEMPTS):
                assert services.send_due(now=at(closed, 10, 5)) == {"sent": 0, "failed": 1}
        m = Message.objects.get(kind="due_reminder")
        assert m.state == "failed" and m.attempts == 3 and "BUSINESS_LIMIT_CONTROL" in m.error
        Message.objects.filter(pk=m.pk).update(state="queued", attempts=0)
        senders._sender.cache_clear()
        with ok.settings():
            assert services.send_due(now=at(closed, 10, 10)) == {"sent": 1, "failed": 0}
        (query,) = ok.got
        assert query["PhoneNumbers"] == ["13800001234"] and query["TemplateCode"] == ["SMS_4650001"]
        assert query["SignName"] == ["扶贫小额信贷"]
        assert json.loads(query["TemplateParam"][0])["contract"] == loan.contract_no
        m.refresh_from_db()
        assert m.state == "sent" and m.provider_ref == "900619746936498440^0"
    finally:
        senders._sender.cache_clear()
        ok.server.shutdown()
        refused.server.shutdown()
