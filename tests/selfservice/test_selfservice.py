"""Household self-service (DOMAIN §14): a one-time code to the phone on record (the answer never
says whether an ID number is registered), wrong and expired codes refused, five tries spend a
code, three codes an hour; signed in, the household sees its credit line, loans, schedule, next
amount due, repayments and subsidies — and nothing of anyone else."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from fupin.households.models import Person
from fupin.households.pii import vault
from fupin.loans.repayments import repayment_post
from fupin.selfservice import senders
from fupin.selfservice.models import OneTimeCode
from tests.cob.conftest import past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

PHONE = "13800001234"


@pytest.fixture(autouse=True)
def memory_sender(settings):
    settings.FUPIN_OTP_SENDER = "fupin.selfservice.senders.memory_sender"
    senders.OUTBOX.clear()
    yield senders.OUTBOX


@pytest.fixture
def borrower(rt, hh):  # noqa: F811
    """The first household with a loan (a payment made) and a phone on its head's record; its ID number."""
    head = hh.members.get(is_head=True)
    Person.objects.filter(pk=head.pk).update(phone_cipher=vault().encrypt(PHONE))
    loan = past_loan(rt, hh, today() - dt.timedelta(days=5))
    repayment_post(acting_user=rt.world.user("loan_officer"), loan=loan, amount=10_000, key="self-service-01")
    other = past_loan(rt, rt.households[1], today() - dt.timedelta(days=5))
    return vault().decrypt(head.id_cipher), loan, other


def sent_code(outbox) -> str:
    assert outbox and outbox[-1][0] == PHONE
    return re.search(r"验证码 (\d{6})", outbox[-1][1]).group(1)


def test_sign_in_with_a_one_time_code_and_see_only_ones_own(borrower, memory_sender, client):
    id_number, loan, other = borrower
    r = client.post("/me/login/", {"id_number": id_number})
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    code = sent_code(memory_sender)
    assert OneTimeCode.objects.get().code_hash != code  # only a keyed hash is kept
    wrong = client.post(
        "/me/login/verify/", {"id_number": id_number, "code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 403 and "验证码不正确" in wrong.content.decode()
    r = client.post("/me/login/verify/", {"id_number": id_number, "code": code})
    assert r.status_code == 302 and r["Location"] == "/me/"
    page = client.get("/me/").content.decode()
    assert loan.contract_no in page and other.contract_no not in page and "下次应还" in page
    assert loan.contract_no in client.get("/").content.decode()  # home is the household's own page
    assert client.get("/households/").status_code == 403
    assert client.get(f"/loans/{other.pk}/").status_code == 403
    assert client.get(f"/households/{other.household_id}/").status_code == 403
    api = client.get("/api/v1/me/household").json()
    assert [x["contract_no"] for x in api["loans"]] == [loan.contract_no]
    assert api["repayments"][0]["amount"] == "100.00" and api["loans"][0]["next_due_date"]
    client.logout()
    again = client.post("/me/login/verify/", {"id_number": id_number, "code": code})
    assert again.status_code == 403  # a code works once


def test_a_household_app_signs_in_over_the_api_with_the_same_code(borrower, memory_sender):
    """Issue 26: the same two steps through the API give a token that expires like a person's."""
    id_number, loan, other = borrower
    api = Client()

    def post(path, body):
        return api.post(path, body, content_type="application/json")

    r = post("/api/v1/auth/household/code", {"id_number": id_number})
    assert r.status_code == 202 and "验证码已发送" in r.json()["message"]
    unknown = post("/api/v1/auth/household/code", {"id_number": "11010519491231002X"})
    assert unknown.status_code == 202 and unknown.json() == r.json()  # registered or not: the same answer
    code = sent_code(memory_sender)
    wrong = post(
        "/api/v1/auth/household/token",
        {"id_number": id_number, "code": "000000" if code != "000000" else "111111"},
    )
    assert wrong.status_code == 403 and wrong.json()["message"].startswith("验证码不正确")
    r = post("/api/v1/auth/household/token", {"id_number": id_number, "code": code})
    assert r.status_code == 201 and r.json()["expires_at"]
    mine = Client(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    got = mine.get("/api/v1/me/household").json()
    assert [x["contract_no"] for x in got["loans"]] == [loan.contract_no]
    assert mine.get(f"/api/v1/loans/{other.pk}").status_code in (403, 404)
    assert post("/api/v1/auth/household/token", {"id_number": id_number, "code": code}).status_code == 403


def test_the_answer_never_tells_whether_an_id_is_registered(borrower, memory_sender, client):
    unknown = client.post("/me/login/", {"id_number": "11010519491231002X"})
    assert unknown.status_code == 200 and "验证码已发送" in unknown.content.decode() and memory_sender == []
    assert client.post("/me/login/", {"id_number": "123"}).status_code == 422


def test_five_wrong_tries_spend_a_code_and_codes_expire(borrower, memory_sender, client):
    id_number = borrower[0]
    client.post("/me/login/", {"id_number": id_number})
    code = sent_code(memory_sender)
    bad = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/me/login/verify/", {"id_number": id_number, "code": bad})
    locked = client.post("/me/login/verify/", {"id_number": id_number, "code": code})
    assert locked.status_code == 403 and "错误次数过多" in locked.content.decode()
    client.post("/me/login/", {"id_number": id_number})
    code = sent_code(memory_sender)
    later = timezone.now() + dt.timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        expired = client.post("/me/login/verify/", {"id_number": id_number, "code": code})
    assert expired.status_code == 403 and "过期" in expired.content.decode()


def test_three_codes_an_hour(borrower, memory_sender, client):
    for _ in range(4):
        client.post("/me/login/", {"id_number": borrower[0]})
    assert len(memory_sender) == 3 and OneTimeCode.objects.count() == 3


def test_staff_have_no_household_page(world):
    assert world.client("village_cadre").get("/me/").status_code == 403
    assert world.client("household").get("/me/").status_code == 404  # a household role without its link


@pytest.mark.pgonly
def test_sixty_guesses_at_once_are_never_more_than_five_tries(transactional_db, borrower, memory_sender):
    """The tries of one code are counted in one statement each: sixty guesses made at the same
    moment compare at most five of them with the code, the rest are refused as too many."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from fupin.core.errors import NotPermitted
    from fupin.selfservice.services import TRIES, code_request, code_verify

    id_number, _, _ = borrower
    code_request(id_number=id_number)
    wrong = f"{(int(sent_code(memory_sender)) + 1) % 10**6:06d}"

    def guess(_):
        try:
            code_verify(id_number=id_number, code=wrong)
            return "in"
        except NotPermitted as e:
            return e.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(guess, range(60)))
    assert answers.count("in") == 0
    assert answers.count("otp_invalid") == TRIES and answers.count("otp_locked") == 60 - TRIES
    assert OneTimeCode.objects.get().attempts == TRIES


def test_the_households_page_shows_what_is_to_come_what_is_late_and_whom_to_call(rt, hh):  # noqa: F811
    """Issue 27 (6): the next instalment is one not yet due; what is past and unpaid is overdue and
    highlighted; how to pay and the officer's number are on the page."""
    from fupin.selfservice.models import HouseholdLogin
    from fupin.selfservice.selectors import mine

    loan = past_loan(rt, hh, today() - dt.timedelta(days=100))  # three months, unpaid
    officer = rt.world.user("loan_officer")
    officer.phone = "13908720099"
    officer.save()
    user = rt.world.user("household")
    HouseholdLogin.objects.create(user=user, household=hh)
    (x,) = mine(user, today())["loans"]
    late = [i for i in x["schedule"] if i.late]
    assert late and all(i.due_date < today() for i in late)
    assert x["overdue"] == sum(i.owed for i in late) > 0
    assert x["next"] is None or x["next"].due_date >= today()  # never a date in the past
    page = rt.world.client("household").get("/me/").content.decode()
    assert "请尽快归还逾期欠款" in page and 'class="late"' in page
    assert 'href="tel:13908720099"' in page and loan.contract_no in page
