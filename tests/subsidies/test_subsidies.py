"""Subsidies on the books (DOMAIN §7): S-HALF deducted at on-time repayments, S-CAPPED claimed after
full repayment with the household cap, claim batches through the county's chain with maker-checker,
struck lines and returned batches — claimed, approved, paid and credited reconciling to the fen."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from fupin.accounts.models import User
from fupin.core import reports as reports_core
from fupin.core import subsidy as core
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.demo.county import COUNTY
from fupin.divisions.models import Division
from fupin.loans.models import Loan
from fupin.loans.repayments import loan_payoff, repayment_post
from fupin.reports.tables import fu4
from fupin.riskfund.services import blacklist_decide, blacklist_lift
from fupin.subsidies import services
from fupin.subsidies.models import Batch, Line, Policy
from tests.cob.conftest import books, close_days, on_time, past_loan, settled_before, today

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

DAY = dt.timedelta(days=1)


@pytest.fixture
def finance2(rt):
    """The second person at the finance bureau: confirming and paying are two people's steps."""
    u = User.objects.get(username="caizheng2")
    assert u != rt.world.user("finance_bureau") and u.roles.get().role == "finance_bureau"
    return u


def annual_loan(rt, hh, start):
    return past_loan(rt, hh, start, amount=1_000_000, product="annual", term=12)


@settled_before(20)
def test_s_half_deducts_half_the_interest_of_an_on_time_payment(rt, hh, head):
    start = today() - 20 * DAY
    loan = annual_loan(rt, hh, start)
    close_days(start, today() - DAY)
    first = loan.installments.order_by("seq").first()
    assert first.due_date >= today() and first.interest > 0
    half = core.half_up(Fraction(first.interest, 2))
    r, _ = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=first.interest - half, key="halfkey-1"
    )
    first.refresh_from_db()
    assert first.interest_paid == first.interest  # the county pays the other half
    line = Line.objects.get(loan=loan)
    assert (line.seq, line.amount, line.interest, line.repayment_id) == (
        first.seq,
        half,
        first.interest,
        r.pk,
    )
    postings = {(p.account_id, p.debit, p.credit) for p in r.entry.postings.all() if p.debit}
    assert postings == {("1011", first.interest - half, 0), ("1221", half, 0)}
    assert books(head)["1221"] == half
    # 附表4: the household paid half the interest, the county the other half (issue 24)
    quarter = reports_core.period(f"{today().year}-Q{(today().month - 1) // 3 + 1}")
    t4 = fu4(Division.objects.get(code=COUNTY[0]), quarter)
    assert (t4.total["interest"], t4.total["amount"]) == (first.interest - half, half)


@settled_before(20)
def test_s_half_nothing_for_a_short_payment_or_a_late_one(rt, hh, head):
    loan = annual_loan(rt, hh, today() - 20 * DAY)
    late = annual_loan(rt, rt.households[1], today() - 130 * DAY)  # its first instalment is past due
    close_days(today() - 130 * DAY, today() - DAY)
    first = loan.installments.order_by("seq").first()
    repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=first.interest // 3, key="shortkey-1"
    )
    assert not Line.objects.filter(loan=loan).exists()
    owed = late.installments.order_by("seq").first()
    assert owed.due_date < today()
    repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=late, amount=owed.interest, key="latekey-1"
    )
    assert not Line.objects.filter(loan=late).exists()
    books(head)


def test_a_blacklisted_household_gets_no_subsidy_until_lifted(rt, hh, head):
    office, director = rt.world.user("poverty_office"), rt.world.user("branch_director")
    start = today() - 20 * DAY
    loan = annual_loan(rt, hh, start)
    close_days(start, today() - DAY)
    b = blacklist_decide(
        acting_user=office, household=hh, reason="有能力还款而拒不还款", decision_no="富扶发〔2026〕9号"
    )
    assert b.exclusion.code == "deliberate_arrears"
    first = loan.installments.order_by("seq").first()
    repayment_post(
        acting_user=rt.world.user("loan_officer"),
        loan=loan,
        amount=first.interest - first.interest // 2,
        key="blackkey-1",
    )
    assert not Line.objects.filter(loan=loan).exists()
    with pytest.raises(NotPermitted):  # the decision is reversed by someone else
        blacklist_lift(acting_user=office, blacklisting=b, reason="已还清欠款，经复核撤销")
    blacklist_lift(acting_user=director, blacklisting=b, reason="已还清欠款，经复核撤销")
    b.exclusion.refresh_from_db()
    assert b.exclusion.withdrawn_on == today()
    assert services.barred(hh.pk, today().year) == ""


def test_late_last_year_bars_the_s_half_deduction_this_year(rt, hh, head):
    from fupin.ratings.models import GradeChange

    start = today() - 20 * DAY
    loan = annual_loan(rt, hh, start)
    close_days(start, today() - DAY)
    GradeChange.objects.create(
        household=hh,
        village_code=hh.village_id,
        on=dt.date(today().year - 1, 6, 1),
        event=GradeChange.Event.OVERDUE,
        after_grade="A",
        after_amount=5000,
        reason="逾期",
    )
    assert (
        services.barred(hh.pk, today().year, late_bars=True) == f"曾逾期还款，自 {today().year} 年起不再贴息"
    )
    assert services.barred(hh.pk, today().year) == ""  # a programme without the rule
    first = loan.installments.order_by("seq").first()
    repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=first.interest, key="latebar-1"
    )
    assert not Line.objects.filter(loan=loan).exists()
    first.refresh_from_db()
    assert first.interest_paid == first.interest  # the household paid it all itself
    books(head)


def _chain(rt, batch, finance2, strike=None):
    services.batch_review(
        acting_user=rt.world.user("poverty_office"), batch=batch, approve=True, strike=strike
    )
    services.batch_confirm(acting_user=rt.world.user("finance_bureau"), batch=batch)
    with pytest.raises(NotPermitted):  # who confirmed does not also pay
        services.batch_pay(acting_user=rt.world.user("finance_bureau"), batch=batch, payment_ref="财拨 001")
    return services.batch_pay(acting_user=finance2, batch=batch, payment_ref="财拨 001")


@settled_before(20)
def test_s_half_batch_reimburses_the_bank_and_closes_when_paid(rt, hh, head, finance2):
    start = today() - 20 * DAY
    loans = [annual_loan(rt, h, start) for h in rt.households[:2]]
    close_days(start, today() - DAY)
    for n, loan in enumerate(loans):
        first = loan.installments.order_by("seq").first()
        repayment_post(
            acting_user=rt.world.user("loan_officer"),
            loan=loan,
            amount=first.interest - first.interest // 2,
            key=f"hbatchkey-{n}",
        )
    deducted = sum(Line.objects.values_list("amount", flat=True))
    policy = Policy.objects.get(code="S-HALF")
    batch = services.batch_prepare(
        acting_user=rt.world.user("loan_officer"),
        policy=policy,
        division_code=rt.world.township,
        cutoff=today(),
    )
    assert batch.claimed == deducted and Line.objects.filter(batch=batch).count() == 2
    batch = _chain(rt, batch, finance2)
    assert batch.state == Batch.State.CLOSED
    assert batch.claimed == batch.approved == batch.confirmed == batch.paid == deducted
    assert books(head)["1221"] == 0
    with pytest.raises(Conflict):  # everything is claimed: nothing left for another batch
        services.batch_prepare(
            acting_user=rt.world.user("loan_officer"),
            policy=policy,
            division_code=rt.world.township,
            cutoff=today(),
        )


def _paid_off(rt, households, days=40):
    """Loans of ``days`` days ago, their quarterly interest paid on its due date (the 20th of a
    quarter's last month may fall inside, or not, whatever today is), paid off today."""
    start = today() - days * DAY
    loans = [past_loan(rt, h, start, amount=1_000_000, product="subsidy", term=12) for h in households]
    on_time(rt.world.user("loan_officer"), loans, start, today())
    for n, loan in enumerate(loans):
        loan_payoff(acting_user=rt.world.user("loan_officer"), loan=loan, key=f"payoffkey-{n}")
        loan.refresh_from_db()
        assert loan.state == Loan.State.CLOSED
    return loans


def test_s_capped_after_full_repayment_through_every_step_to_the_households(rt, hh, head, finance2):
    loans = _paid_off(rt, rt.households[:3])
    policy = Policy.objects.get(code="S-CAPPED")
    # the third household has had 2 990.00 yuan from the programme already: 10.00 is left under the cap
    prior = loans[2]
    officer = rt.world.user("loan_officer")
    earlier = Batch.objects.create(
        policy=policy,
        division_code=rt.world.township,
        cutoff=prior.start,
        prepared_by=officer,
        prepared_on=prior.start,
        state=Batch.State.CREDITED,
    )
    Line.objects.create(
        policy=policy,
        loan=prior,
        household_id=prior.household_id,
        village_code=prior.village_code,
        seq=99,
        start=prior.start,
        end=prior.start,
        days=0,
        basis=0,
        interest=299_000,
        amount=299_000,
        on=prior.start,
        batch=earlier,
    )
    batch = services.batch_prepare(
        acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=today()
    )
    lines = {ln.loan_id: ln for ln in Line.objects.filter(batch=batch)}
    assert len(lines) == 3
    for loan in loans[:2]:
        ln = lines[loan.pk]
        interest = sum(
            line[2]
            for r in loan.repayments.all()
            for line in r.allocation  # a payoff's: its interest
            if line[0] == "payoff" or "interest" in str(line[1])
        )
        assert ln.days == (today() - loan.start).days and ln.interest == interest
        # 5 % a year on the loan for its days is more than the 3 % the household paid: R-SUB-0
        assert (
            ln.amount
            == min(core.half_up(Fraction(loan.principal * 5 * ln.days, 100 * 360)), interest)
            == interest
        )
    assert lines[prior.pk].amount == 1_000 and lines[prior.pk].reason == core.CAPPED
    assert batch.claimed == sum(ln.amount for ln in lines.values())
    assert books(head)["1221"] == batch.claimed and books(head)["2261"] == batch.claimed
    _chain(rt, batch, finance2)
    with pytest.raises(NotPermitted):  # who prepared does not credit
        services.batch_credit(acting_user=officer, batch=batch)
    batch = services.batch_credit(acting_user=rt.world.user("branch_director"), batch=batch)
    assert batch.state == Batch.State.CREDITED
    assert batch.claimed == batch.approved == batch.confirmed == batch.paid == batch.credited
    credited = Line.objects.filter(batch=batch, credited_on=today())
    assert sum(ln.amount for ln in credited) == batch.paid  # household credits sum to the paid amount
    b = books(head)
    assert b["1221"] == 0 and b["2261"] == 0


def test_struck_lines_and_a_returned_batch(rt, hh, head, finance2):
    _paid_off(rt, rt.households[:2])
    policy = Policy.objects.get(code="S-CAPPED")
    officer = rt.world.user("loan_officer")
    batch = services.batch_prepare(
        acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=today()
    )
    returned = services.batch_review(
        acting_user=rt.world.user("poverty_office"), batch=batch, approve=False, note="缺少还款凭证，退回补充"
    )
    assert returned.state == Batch.State.REJECTED and not Line.objects.filter(batch=batch).exists()
    assert books(head)["1221"] == 0
    again = services.batch_prepare(
        acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=today()
    )
    assert again.claimed == batch.claimed
    one = Line.objects.filter(batch=again).first()
    again = _chain(rt, again, finance2, strike={one.pk: "该户贷款用途不符"})
    assert again.approved == again.claimed - one.amount == again.paid
    assert books(head)["1221"] == 0 and books(head)["2261"] == again.paid
    again = services.batch_credit(acting_user=rt.world.user("branch_director"), batch=again)
    assert (
        sum(Line.objects.filter(batch=again, credited_on__isnull=False).values_list("amount", flat=True))
        == again.credited
    )
    assert books(head)["2261"] == 0


def test_announcements_list_recipients_and_amounts_at_each_level(rt, hh, finance2, tmp_path):
    import io
    import subprocess

    import openpyxl

    from fupin.core.money import fmt
    from fupin.households.models import Person

    _paid_off(rt, rt.households[:2])
    batch = services.batch_prepare(
        acting_user=rt.world.user("loan_officer"),
        policy=Policy.objects.get(code="S-CAPPED"),
        division_code=rt.world.township,
        cutoff=today(),
    )
    _chain(rt, batch, finance2)
    batch = services.batch_credit(acting_user=rt.world.user("branch_director"), batch=batch)
    c = rt.world.client("township_cadre")
    r = c.get(f"/subsidies/batches/{batch.pk}/announcement.xlsx?division={rt.world.village}")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert len(rows) == 2 and round(sum(row[5] for row in rows) * 100) == batch.credited
    pdf = c.get(f"/subsidies/batches/{batch.pk}/announcement.pdf?division={rt.world.village}")
    (tmp_path / "a.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    head = Person.objects.get(household=rt.households[0], is_head=True, left_on__isnull=True).name
    assert (
        "贴息公示" in text
        and "村级" in text
        and head in text
        and fmt(batch.credited).replace(".", "") in text.replace(",", "").replace(".", "")
    )
    # a division outside the batch: refused
    assert (
        c.get(f"/subsidies/batches/{batch.pk}/announcement.pdf?division={rt.world.other_village}").status_code
        == 404
    )


def test_preparing_a_batch_costs_the_same_queries_for_more_loans(rt, hh):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy = Policy.objects.get(code="S-CAPPED")
    officer = rt.world.user("loan_officer")
    loans = _paid_off(rt, rt.households[:3])
    Loan.objects.filter(pk__in=[ln.pk for ln in loans[1:]]).update(state=Loan.State.ACTIVE)  # one loan counts
    with CaptureQueriesContext(connection) as one:
        first = services.batch_prepare(
            acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=today()
        )
    assert Line.objects.filter(batch=first).count() == 1
    services.batch_review(
        acting_user=rt.world.user("poverty_office"), batch=first, approve=False, note="退回重新申报"
    )
    Line.objects.filter(policy=policy).delete()
    Loan.objects.filter(pk__in=[ln.pk for ln in loans]).update(state=Loan.State.CLOSED)  # now all three
    with CaptureQueriesContext(connection) as three:
        again = services.batch_prepare(
            acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=today()
        )
    assert Line.objects.filter(batch=again).count() == 3
    assert len(three) == len(one)


def test_a_claim_of_ten_thousand_lines_is_reviewed_on_its_page(rt, hh, head):
    """The review form posts one field per line: a county's claim of 10 000 lines goes through
    (Django's default allows 1 000 fields and answered a bare English "Bad Request")."""
    loans = _paid_off(rt, rt.households[:2])
    batch = services.batch_prepare(
        acting_user=rt.world.user("loan_officer"),
        policy=Policy.objects.get(code="S-CAPPED"),
        division_code=rt.world.township,
        cutoff=today(),
    )
    real = list(Line.objects.filter(batch=batch))
    first = real[0]
    Line.objects.bulk_create(
        [  # the rest of a big county's claim (nothing earned: the totals stay as they are)
            Line(
                policy=first.policy,
                loan=loans[0],
                household=first.household,
                village_code=first.village_code,
                seq=n,
                start=first.start,
                end=first.end,
                days=0,
                basis=0,
                interest=0,
                amount=0,
                reason="",
                on=first.on,
                batch=batch,
            )
            for n in range(1, 10_001 - len(real))
        ]
    )
    assert Line.objects.filter(batch=batch).count() == 10_000
    c = rt.world.client("poverty_office")
    page = c.get(f"/subsidies/batches/{batch.pk}/")
    assert page.status_code == 200 and page.content.decode().count('name="strike_') == 10_000
    fields = {f"strike_{pk}": "" for pk in Line.objects.filter(batch=batch).values_list("pk", flat=True)}
    fields[f"strike_{first.pk}"] = "该户贷款用途不符"
    r = c.post(f"/subsidies/batches/{batch.pk}/review/", {**fields, "approve": "1", "note": "审核通过"})
    assert r.status_code == 302, r.content.decode()[:500]
    batch.refresh_from_db()
    assert batch.state == Batch.State.REVIEWED and batch.approved == batch.claimed - first.amount
    assert Line.objects.get(pk=first.pk).struck == "该户贷款用途不符"


def test_an_s_rate_claim_is_cut_off_on_a_settlement_date(rt):
    """DOMAIN §7 (篇2): S-RATE is settled in batches twice a year — a claim cut off on any other
    day is refused, saying which dates; on one it goes ahead (here: nothing to claim)."""
    policy = Policy.objects.get(code="S-RATE")
    officer = rt.world.user("loan_officer")
    last = core.last_settlement(policy.to_domain(), today())
    off = last - DAY
    with pytest.raises(ValidationFailed) as e:
        services.batch_prepare(
            acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=off
        )
    assert e.value.code == "cutoff_settlement" and "6月30日、12月31日" in e.value.message
    assert e.value.details == {"last": str(last)}
    with pytest.raises(Conflict) as e:
        services.batch_prepare(
            acting_user=officer, policy=policy, division_code=rt.world.township, cutoff=last
        )
    assert e.value.code == "nothing_to_claim"
    page = rt.world.client("loan_officer").post(
        "/subsidies/batches/", {"policy": policy.pk, "division": rt.world.township}, follow=True
    )
    assert "截止日期前没有可申报的贴息" in page.content.decode()  # the form's default: the last settlement
