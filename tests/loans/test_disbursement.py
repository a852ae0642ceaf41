"""Contract and disbursement (R-APP-5, R-REP-6): the stored terms reproduce the schedule to
the fen, the disclosed APR, one balanced entry per disbursement, the roster and the quota."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin.core.errors import Conflict, NotPermitted
from fupin.ledger import selectors as ledger
from fupin.loans import disbursement, services, standing
from fupin.loans.models import Loan
from tests.guarantors import guarantee
from tests.loans.test_origination import apply, to_notice

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

TODAY = dt.date.today()


def approved(rt, hh, amount=800_000, product="subsidy", term=36, approver="branch_director", guarantors=True):
    """Approved, with the guarantors its product needs (P-SEASONAL: one, issue 24 (11))."""
    app = apply(rt, hh, amount=amount, product=product, term=term)
    to_notice(rt, app)
    services.application_review(acting_user=rt.world.user("poverty_office"), application=app, approve=True)
    services.application_review(acting_user=rt.world.user(approver), application=app, approve=True)
    app.refresh_from_db()
    if guarantors:
        guarantee(rt.world.user("loan_officer"), app)
    return app


def test_contract_then_disbursement_posts_one_balanced_entry(rt, hh):
    app = approved(rt, hh)
    officer = rt.world.user("loan_officer")
    loan = disbursement.loan_contract(acting_user=officer, application=app)
    app.refresh_from_db()
    assert app.state == "contracted" and loan.state == Loan.State.CONTRACTED
    rows = list(loan.installments.all())
    schedule = standing.loan_schedule(loan)
    assert [r.principal for r in rows] == list(schedule.principal) and sum(
        r.principal for r in rows
    ) == 800_000
    # 脱贫人口小额信贷: interest only, quarterly at the 1-year LPR … 36 months → the 5-year LPR 3.5 %
    assert loan.nominal_rate == Decimal("0.035000") and loan.apr > 0
    loan = disbursement.loan_disburse(acting_user=officer, loan=loan)
    assert loan.state == Loan.State.ACTIVE
    postings = {(p.account_id, p.debit, p.credit) for p in loan.disbursement.postings.all()}
    assert postings == {("1301", 800_000, 0), ("1011", 0, 800_000)}
    tb = ledger.trial_balance(rt.world.user("head_office"), on=TODAY)
    assert tb["balanced"] and {x["code"]: x["balance"] for x in tb["lines"]}["1301"] == 800_000
    app.refresh_from_db()
    assert app.state == "disbursed"
    with pytest.raises(Conflict):  # paid once
        disbursement.loan_disburse(acting_user=officer, loan=loan)


def test_no_contract_before_approval_and_no_disbursement_by_the_approver(rt, hh):
    app = apply(rt, hh)
    with pytest.raises(Conflict):
        disbursement.loan_contract(acting_user=rt.world.user("loan_officer"), application=app)
    app = approved(rt, rt.households[1])
    loan = disbursement.loan_contract(acting_user=rt.world.user("loan_officer"), application=app)
    with pytest.raises(NotPermitted) as e:  # the branch director approved it
        disbursement.loan_disburse(acting_user=rt.world.user("branch_director"), loan=loan)
    assert e.value.code == "maker_checker"
    assert loan.disbursement is None


def test_disbursement_only_on_the_contract_date(rt, hh):
    app = approved(rt, hh)
    loan = disbursement.loan_contract(
        acting_user=rt.world.user("loan_officer"), application=app, start=TODAY + dt.timedelta(days=1)
    )
    with pytest.raises(Conflict) as e:
        disbursement.loan_disburse(acting_user=rt.world.user("loan_officer"), loan=loan)
    assert e.value.code == "disbursement_date"


def test_the_quota_is_checked_again_at_disbursement(rt, hh):
    app = approved(rt, hh)
    loan = disbursement.loan_contract(acting_user=rt.world.user("loan_officer"), application=app)
    services.quota_set(
        acting_user=rt.world.user("poverty_office"),
        township_code=rt.world.township,
        year=TODAY.year,
        amount=500_000,
        households=None,
        deadline=None,
    )  # lowered after the approval
    with pytest.raises(Conflict) as e:
        disbursement.loan_disburse(acting_user=rt.world.user("loan_officer"), loan=loan)
    assert e.value.code == "quota_exceeded"
    assert not ledger.trial_balance(rt.world.user("head_office"), on=TODAY)["lines"]


def test_the_pages_contract_pdf_with_the_apr_and_disbursement(rt, hh, tmp_path):
    import subprocess

    app = approved(rt, hh)
    c = rt.world.client("loan_officer")
    assert "生成借款合同" in c.get(f"/loans/applications/{app.pk}/").content.decode()
    r = c.post(f"/loans/applications/{app.pk}/contract/")
    loan = Loan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/loans/{loan.pk}/"
    pdf = c.get(f"/loans/{loan.pk}/contract.pdf").content
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    apr = f"{(loan.apr * 100).quantize(Decimal('0.0001'))}%"
    assert "扶贫小额信贷借款合同" in text and loan.contract_no in text
    assert "年化利率（APR）" in text and apr in text and "8000.00" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
        check=True,
    )
    assert (tmp_path / "c-1.png").stat().st_size > 10_000  # the page renders
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    assert "确认放款" in page and apr in page and "3.5000%" in page
    c.post(f"/loans/{loan.pk}/disburse/")
    loan.refresh_from_db()
    assert loan.state == Loan.State.ACTIVE and loan.disbursement_id
    assert loan.contract_no in rt.world.client("village_cadre").get(f"/households/{hh.pk}/").content.decode()


def test_a_seasonal_loan_posts_its_fee_and_deposit(rt, hh):
    """P-SEASONAL: 1 % fee (保障金) and 5 % deposit (保证金) held at disbursement."""
    app = approved(rt, hh, amount=1_000_000, product="seasonal", term=6)
    officer = rt.world.user("loan_officer")
    loan = disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )
    lines = {p.account_id: (p.debit, p.credit) for p in loan.disbursement.postings.all()}
    assert (loan.upfront_fees, loan.deposit) == (10_000, 50_000)
    assert lines == {"1301": (1_000_000, 0), "1011": (0, 940_000), "2241": (0, 10_000), "2011": (0, 50_000)}
    assert loan.apr > loan.nominal_rate  # the fee and the deposit cost the borrower
