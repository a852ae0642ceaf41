"""Webhooks (issue 26 (6)): a subscription made over the API; events queued in the transaction of
the change (a refused change queues nothing); delivered to a real HTTP receiver with an HMAC
signature it can check; a receiver's error retried after the backoff; the delivery log; the test
ping; the nightly batch's loan.overdue and loan.reclassified, once per loan and day; a bank's
subscription sees only its own lender's events."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine

from fupin.cob.models import CobEvent, CobRun
from fupin.cob.services import _webhook_events
from fupin.core.errors import ValidationFailed
from fupin.divisions.models import Institution
from fupin.loans import services as loans
from fupin.loans.models import Servicing
from fupin.webhooks import delivery, outbox
from fupin.webhooks.models import Attempt, Outbox, Subscription
from tests.cob.conftest import close_days, past_loan, today

DAY = dt.timedelta(days=1)
COUNTY = "529901000000"


class Receiver:
    """A real HTTP server on 127.0.0.1 answering the statuses it is given, in turn."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.got: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver([500, 200])
    yield r
    r.close()


def subscribe(client, url, events, division, **more):
    r = client.post(
        "/api/v1/webhooks",
        {"name": "县数据平台", "url": url, "events": events, "division": division, **more},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return r.json()


def apply(rt, hh, **kw):
    return loans.application_create(
        acting_user=rt.world.user("loan_officer"),
        household=hh,
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=kw.pop("amount", 800_000),
        term=36,
    )


def test_an_event_is_queued_with_the_change_and_delivered_signed_with_retries(rt, hh, receiver):
    admin = rt.world.client("sysadmin")
    sub = subscribe(admin, receiver.url, ["application.stepped", "repayment.posted"], COUNTY)
    secret = sub["secret"]
    assert secret.startswith("whsec_") and "secret" not in admin.get("/api/v1/webhooks").json()[0]

    with pytest.raises(ValidationFailed):
        apply(rt, hh, amount=6_000_000)  # refused: nothing changed, nothing queued
    assert not Outbox.objects.exists()
    app = apply(rt, hh)
    row = Outbox.objects.get()
    assert (row.event, row.payload["division"], row.state) == (
        "application.stepped",
        hh.village_id,
        "pending",
    )
    assert row.payload["data"]["object"] == {"type": "loans.Application", "id": str(app.pk), "text": str(app)}

    assert delivery.deliver_due() == {"delivered": 0, "retry": 1, "failed": 0}  # the receiver said 500
    row.refresh_from_db()
    assert row.attempts == 1 and row.next_attempt_at > row.created_at + dt.timedelta(seconds=59)
    assert delivery.deliver_due() == {"delivered": 0, "retry": 0, "failed": 0}  # not yet due again
    with time_machine.travel(time.time() + 61, tick=True):
        assert delivery.deliver_due() == {"delivered": 1, "retry": 0, "failed": 0}
    row.refresh_from_db()
    assert row.state == "delivered" and row.attempts == 2

    (h1, b1), (h2, b2) = receiver.got
    assert b1 == b2 and h1["X-Fupin-Delivery"] == h2["X-Fupin-Delivery"] == str(row.pk)  # the same event
    mac = hmac.new(secret.encode(), f"{h2['X-Fupin-Timestamp']}.".encode() + b2, hashlib.sha256)
    assert (
        h2["X-Fupin-Signature"] == "sha256=" + mac.hexdigest()
        and h2["X-Fupin-Event"] == "application.stepped"
    )
    body = json.loads(b2)
    assert (
        body["id"] == row.pk
        and body["event"] == "application.stepped"
        and body["data"]["action"] == "application.create"
    )

    log = admin.get(f"/api/v1/webhooks/{sub['id']}/deliveries").json()
    assert [t["status"] for t in log[0]["tries"]] == [500, 200] and log[0]["state"] == "delivered"
    ping = admin.post(f"/api/v1/webhooks/{sub['id']}/test")
    assert ping.status_code == 200 and ping.json()["status"] == 200
    assert json.loads(receiver.got[-1][1])["event"] == "ping"

    assert admin.delete(f"/api/v1/webhooks/{sub['id']}").json()["active"] is False
    loans.application_review(acting_user=rt.world.user("village_cadre"), application=app, approve=True)
    assert Outbox.objects.filter(event="application.stepped").count() == 1  # ended: nothing more


def test_a_receiver_that_never_answers_is_given_up_after_the_backoff(world):
    admin = world.client("sysadmin")
    sub = subscribe(admin, "http://127.0.0.1:9/hook", ["cob.finished"], COUNTY)
    assert outbox.enqueue("cob.finished", "k1", world.village, None, {"x": 1}) == 1
    assert outbox.enqueue("cob.finished", "k1", world.village, None, {"x": 1}) == 1  # the same key …
    assert Outbox.objects.count() == 1  # … queued once
    start = time.time()
    for k in range(len(delivery.BACKOFF) + 1):
        ahead = sum(b.total_seconds() for b in delivery.BACKOFF[:k]) + k
        with time_machine.travel(start + ahead + 1, tick=True):
            delivery.deliver_due()
    row = Outbox.objects.get()
    assert row.state == "failed" and row.attempts == len(delivery.BACKOFF) + 1
    assert Attempt.objects.filter(outbox=row, status__isnull=True).count() == row.attempts
    assert "无法送达" in Attempt.objects.filter(outbox=row).first().error
    assert Subscription.objects.get(pk=sub["id"]).active


def test_a_bank_subscribes_to_its_own_lenders_events_only(world):
    head = world.client("head_office")
    own = subscribe(head, "https://bank.example/hook", ["loan.disbursed"], COUNTY)
    assert own["institution"] == "FM000"  # always its own, though it named none
    other = Institution.objects.exclude(code="FM000").first()
    r = head.post(
        "/api/v1/webhooks",
        {
            "name": "x",
            "url": "https://x.example/",
            "events": ["loan.disbursed"],
            "division": COUNTY,
            "institution": other.code,
        },
        content_type="application/json",
    )
    assert r.status_code in (404, 409)
    mine = Institution.objects.get(code="FM000").pk
    assert outbox.enqueue("loan.disbursed", "a", world.village, other.pk, {}) == 0
    assert outbox.enqueue("loan.disbursed", "b", world.village, mine, {}) == 1
    assert outbox.enqueue("loan.disbursed", "c", "529902001001", mine, {}) == 0  # another county
    assert head.get("/api/v1/webhooks").json()[0]["id"] == own["id"]
    Subscription.objects.filter(pk=own["id"]).update(events=["loan.disbursed", "cob.finished"])
    outbox.forget()
    assert outbox.enqueue("cob.finished", "d", "", None, {}) == 1  # the close is everybody's
    assert world.client("loan_officer").get("/api/v1/webhooks").status_code == 403


@pytest.mark.clock  # business dates from today: run on other days too
def test_the_nightly_batch_tells_of_loans_fallen_late_and_reclassified(rt, hh):
    subscribe(
        rt.world.client("sysadmin"), "https://x.example/", ["loan.overdue", "loan.reclassified"], COUNTY
    )
    late = past_loan(rt, hh, today() - 45 * DAY)  # its first month's interest unpaid: falls late
    close_days(late.start, today() - DAY)
    # each time the loan fell late (its interest paid late in between cures it), one event
    overdue = list(Outbox.objects.filter(event="loan.overdue").order_by("id"))
    assert overdue and {o.payload["data"]["loan_id"] for o in overdue} == {late.pk}
    assert len(overdue) == CobEvent.objects.filter(loan_id=late.pk, event="overdue").count()
    s = Servicing.objects.get(loan=late)
    assert overdue[-1].payload["data"]["late_since"] == str(s.late_since)
    # 91 days late with today's close: 关注 → 次级
    on = today()
    Servicing.objects.filter(loan=late).update(late_since=on - 91 * DAY)
    run = CobRun.objects.order_by("-date").first()
    _webhook_events(run, on)
    _webhook_events(run, on)  # a batch run again queues nothing twice
    moved = Outbox.objects.get(event="loan.reclassified")
    assert moved.payload["data"] == {
        "loan_id": late.pk,
        "contract_no": late.contract_no,
        "days_past_due": 91,
        "from": "special",
        "from_label": "关注",
        "to": "substandard",
        "to_label": "次级",
    }
