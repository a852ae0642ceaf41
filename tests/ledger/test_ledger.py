"""The ledger in the database (R-REP-6): balanced entries only (the service's check, and
PostgreSQL's own at commit), immutable rows, reversals by a second person, the trial
balance and statements within the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.core.ledger import Posting as P
from fupin.divisions.selectors import lenders_of
from fupin.ledger import selectors, services
from fupin.ledger.models import JournalEntry, Posting

pytestmark = [pytest.mark.sqlite, pytest.mark.clock]  # the ledger's guards differ by database

DAY = dt.date.today() - dt.timedelta(days=7)  # a business day of last week (the day the tests are pinned to)


def disburse(world, village=None, amount=2_000_000, by="loan_officer"):
    """A disbursement in the books of the village's lender (issue 25)."""
    return services.entry_post(
        acting_user=world.user(by),
        date=DAY,
        memo="放款",
        division_code=village or world.village,
        institution=lenders_of(village or world.village)[0].pk,
        postings=[
            P("1301", debit=amount, loan=7),
            P("1011", credit=amount - amount // 100),
            P("6011", credit=amount // 100, loan=7),
        ],
        source="test",
    )


def test_a_balanced_entry_is_posted_with_its_audit_row(world):
    e = disburse(world)
    assert [(p.account_id, p.debit, p.credit) for p in e.postings.all()] == [
        ("1301", 2_000_000, 0),
        ("1011", 0, 1_980_000),
        ("6011", 0, 20_000),
    ]
    assert AuditEntry.objects.filter(action="ledger.post", object_id=str(e.pk)).exists()


def test_an_unbalanced_entry_is_refused_and_nothing_is_posted(world):
    with pytest.raises(ValidationFailed) as err:
        services.entry_post(
            acting_user=world.user("loan_officer"),
            date=DAY,
            memo="错",
            division_code=world.village,
            postings=[P("1301", debit=100), P("1011", credit=99)],
        )
    assert err.value.code == "entry_unbalanced" and "借贷不平衡" in err.value.details[-1]["message"]
    assert not JournalEntry.objects.exists() and not Posting.objects.exists()


@pytest.mark.pgonly
def test_postgresql_itself_refuses_an_unbalanced_entry(world):
    """Even a write that bypasses the service cannot commit an unbalanced entry."""
    with pytest.raises(DatabaseError, match="借贷不平衡"):
        with transaction.atomic():
            e = JournalEntry.objects.create(date=DAY, memo="绕过", division_code=world.village)
            Posting.objects.create(entry=e, account_id="1301", debit=100)
            Posting.objects.create(entry=e, account_id="1011", credit=99)
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do


def test_posted_rows_cannot_be_changed_or_deleted(world):
    e = disburse(world)
    p = e.postings.first()
    for change in (
        lambda: Posting.objects.filter(pk=p.pk).update(debit=1),
        lambda: JournalEntry.objects.filter(pk=e.pk).update(memo="改"),
        lambda: Posting.objects.filter(pk=p.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert Posting.objects.get(pk=p.pk).debit == 2_000_000


def test_a_correction_is_a_reversal_by_a_second_person(world):
    e = disburse(world, by="branch_director")
    with pytest.raises(NotPermitted) as err:
        services.entry_reverse(acting_user=world.user("branch_director"), entry=e, reason="金额录错")
    assert err.value.code == "maker_checker"
    with pytest.raises(NotPermitted):  # a loan officer may not reverse at all
        services.entry_reverse(acting_user=world.user("loan_officer"), entry=e, reason="金额录错")
    r = services.entry_reverse(acting_user=world.user("head_office"), entry=e, reason="金额录错")
    assert r.reverses_id == e.pk and [(p.account_id, p.debit, p.credit) for p in r.postings.all()] == [
        ("1301", 0, 2_000_000),
        ("1011", 1_980_000, 0),
        ("6011", 20_000, 0),
    ]
    with pytest.raises(Conflict):
        services.entry_reverse(acting_user=world.user("head_office"), entry=e, reason="再冲一次")
    with pytest.raises(Conflict):
        services.entry_reverse(acting_user=world.user("branch_director"), entry=r, reason="冲正的冲正")
    tb = selectors.trial_balance(world.user("head_office"), on=dt.date.today())
    assert tb["balanced"] and all(line["balance"] == 0 for line in tb["lines"])
    again = disburse(world, by="branch_director")
    with pytest.raises(ValidationFailed) as err:  # never dated before what it undoes
        services.entry_reverse(
            acting_user=world.user("head_office"),
            entry=again,
            reason="金额录错",
            on=DAY - dt.timedelta(days=1),
        )
    assert err.value.code == "reversal_date"


def test_trial_balance_and_statement_within_jurisdiction(world):
    disburse(world)
    disburse(world, village=world.other_village, amount=1_000_000)
    director = world.user("branch_director")  # the first township's branch
    tb = selectors.trial_balance(director, on=DAY)
    assert tb["balanced"] and {line["code"]: line["balance"] for line in tb["lines"]} == {
        "1011": -1_980_000,
        "1301": 2_000_000,
        "6011": 20_000,
    }
    county = selectors.trial_balance(world.user("head_office"), on=DAY)
    assert {line["code"]: line["debit"] for line in county["lines"]}["1301"] == 3_000_000
    assert selectors.trial_balance(director, on=DAY - dt.timedelta(days=1))["lines"] == []
    st = selectors.statement(world.user("head_office"), "1301", start=DAY, end=DAY)
    assert (st["opening"], [r["balance"] for r in st["rows"]], st["closing"]) == (
        0,
        [2_000_000, 3_000_000],
        3_000_000,
    )
    page = world.client("auditor").get(f"/ledger/?on={DAY:%Y-%m-%d}").content.decode()
    assert "30,000.00" in page and "借贷平衡" in page
    api = world.client("branch_director").get(f"/api/v1/ledger/trial-balance?on={DAY:%Y-%m-%d}").json()
    assert api["balanced"] and api["debit"] == "20000.00"  # yuan, as every amount of the API (issue 26 (5))


def test_the_chart_is_configurable_by_the_head_office(world):
    services.account_save(acting_user=world.user("head_office"), code="1302", name="逾期贷款", kind="asset")
    assert world.client("head_office").get("/ledger/accounts/").content.decode().count("逾期贷款") == 1
    with pytest.raises(NotPermitted):
        services.account_save(acting_user=world.user("branch_director"), code="1303", name="x", kind="asset")
    disburse(world)
    with pytest.raises(Conflict):  # an account with postings keeps its kind
        services.account_save(
            acting_user=world.user("head_office"), code="1301", name="贷款本金", kind="liability"
        )
    with pytest.raises(ValidationFailed):
        services.account_save(acting_user=world.user("head_office"), code="x", name="", kind="asset")


def test_loan_subledgers_are_compared_with_their_control_accounts(world):
    """The sub-ledger is the loans' instalments (tests/loans and tests/cob check it equal after
    every movement); a posting to 1301 with no loan behind it breaks the agreement."""
    head = world.user("head_office")
    assert all(r["equal"] for r in selectors.subledgers(head))
    disburse(world)
    row = {r["code"]: r for r in selectors.subledgers(head)}["1301"]
    assert (row["control"], row["loans"], row["equal"]) == (2_000_000, 0, False)
    assert "≠" in world.client("head_office").get(f"/ledger/?on={DAY:%Y-%m-%d}").content.decode()
