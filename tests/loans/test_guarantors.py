"""Guarantors (保证人, issue 24 (11)): P-SEASONAL is "1+1" (篇1) — a guarantor of age, not of the
borrower's household, without bad loans or a defaulter record, under the county's guarantee
limit, with a signed consent; no contract without one; shown on the application, the notice and
the contract; a loan in arrears collected from them, recorded and posted."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.origination import GuarantorFacts, guarantor_problems
from fupin.households.pii import vault
from fupin.loans import disbursement
from fupin.loans.guarantors import guarantor_add
from fupin.loans.models import Guarantor, Installment, Repayment, Servicing
from fupin.loans.repayments import repayment_post
from fupin.ratings.models import Reputation
from tests.guarantors import id_number
from tests.loans.test_disbursement import approved

TODAY = dt.date.today()


def facts(**over) -> GuarantorFacts:
    base = dict(
        kind="shop_owner",
        age=40,
        borrowers_household=False,
        bad_loans=0,
        defaulter=False,
        guaranteeing=0,
        consent_on=dt.date(2026, 5, 1),
        today=dt.date(2026, 5, 2),
    )
    return GuarantorFacts(**{**base, **over})


def test_every_reason_a_person_cannot_guarantee_is_given():
    assert guarantor_problems(facts(), 2) == []
    # the docstring's example: 70 years old, already guaranteeing 2 of 2
    assert len(guarantor_problems(facts(age=70, guaranteeing=2), 2)) == 2
    cases = {
        "kind": facts(kind="uncle"),
        "年满 18": facts(age=17),
        "本户": facts(borrowers_household=True),
        "违约或已核销": facts(bad_loans=1),
        "失信": facts(defaulter=True),
        "上限 2 笔": facts(guaranteeing=2),
        "承诺书的日期": facts(consent_on=None),
        "不能晚于今天": facts(consent_on=dt.date(2026, 5, 3)),
    }
    for words, f in cases.items():
        [problem] = guarantor_problems(f, 2)
        assert words in problem or words == "kind", (words, problem)


def _seasonal(rt, hh):
    """A P-SEASONAL application approved by the bank, with no guarantor yet."""
    return approved(rt, hh, amount=1_000_000, product="seasonal", term=6, guarantors=False)


def test_no_seasonal_contract_without_a_guarantor_who_qualifies(rt, hh):
    officer = rt.world.user("loan_officer")
    app = _seasonal(rt, hh)
    with pytest.raises(Conflict) as e:
        disbursement.loan_contract(acting_user=officer, application=app)
    assert e.value.code == "guarantor_required" and "1+1" in e.value.message

    def add(**over):
        return guarantor_add(
            acting_user=officer,
            application=app,
            **{
                "kind": "member",
                "name": "李担保",
                "id_number": id_number(),
                "consent_on": TODAY,
                **over,
            },
        )

    # a member of the borrower's own household
    own = vault().decrypt(hh.members.filter(left_on__isnull=True).first().id_cipher)
    with pytest.raises(ValidationFailed, match="本户"):
        add(id_number=own)
    # a shop owner who guarantees two loans already (the county's limit: 2) — one of them the loan
    # of a household now in default, the other an application of a defaulter household
    busy = id_number()
    other, third = rt.households[1], rt.households[2]
    bad = approved(rt, other, amount=500_000, guarantors=False)
    waiting = approved(rt, third, amount=500_000, guarantors=False)
    for application in (bad, waiting):
        guarantor_add(
            acting_user=officer,
            application=application,
            kind="shop_owner",
            name="王店主",
            id_number=busy,
            consent_on=TODAY,
        )
    loan = disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=bad)
    )
    Servicing.objects.filter(loan=loan).update(late_since=TODAY - dt.timedelta(days=120))
    Reputation.objects.create(
        household=third,
        village_code=third.village_id,
        kind=Reputation.Kind.DEFAULTER,
        reason="恶意逃废债",
        decision="村民代表会议决定",
        decided_by=officer,
        published_on=TODAY,
    )
    with pytest.raises(ValidationFailed, match="上限 2 笔"):
        add(kind="shop_owner", id_number=busy)
    member = vault().decrypt(other.members.filter(left_on__isnull=True).first().id_cipher)
    with pytest.raises(ValidationFailed, match="1 笔违约或已核销"):
        add(id_number=member)
    member = vault().decrypt(third.members.filter(left_on__isnull=True).first().id_cipher)
    with pytest.raises(ValidationFailed, match="失信"):
        add(id_number=member)
    with pytest.raises(ValidationFailed, match="年满 18"):
        add(id_number=id_number(born=TODAY.replace(year=TODAY.year - 16) - dt.timedelta(days=3)))
    with pytest.raises(ValidationFailed, match="承诺书"):
        add(consent_on=None)
    assert Guarantor.objects.filter(application=app).count() == 0

    g = add(kind="shop_owner", name="赵店主", phone="13912345678", relationship="同村")
    assert (g.id_masked[:6], g.id_masked[-4:], g.phone_masked) == ("530322", g.id_masked[-4:], "139****5678")
    assert g.household is None and vault().decrypt(g.id_cipher) != g.id_masked
    loan = disbursement.loan_contract(acting_user=officer, application=app)
    pdf = rt.world.client("loan_officer").get(f"/loans/{loan.pk}/contract.pdf").content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "保证人" in text and "赵店主" in text and g.id_masked in text
    with pytest.raises(Conflict):  # contracted: the guarantors are fixed
        add(kind="shop_owner", name="钱店主")


def test_the_application_page_registers_a_guarantor_and_the_notice_lists_them(rt, hh):
    app = _seasonal(rt, hh)
    c = rt.world.client("loan_officer")
    page = c.get(f"/loans/applications/{app.pk}/").content.decode()
    assert "本产品须 1 名保证人" in page and "尚未登记保证人" in page
    number = id_number()
    c.post(
        f"/loans/applications/{app.pk}/guarantors/",
        {"name": "孙店主", "kind": "shop_owner", "id_number": number, "consent_on": TODAY.isoformat()},
    )
    page = c.get(f"/loans/applications/{app.pk}/").content.decode()
    assert "孙店主" in page and number not in page and number[-4:] in page
    refused = c.post(
        f"/loans/applications/{app.pk}/guarantors/",
        {"name": "孙店主", "kind": "shop_owner", "id_number": number, "consent_on": TODAY.isoformat()},
        follow=True,
    ).content.decode()
    assert "已登记在这笔申请上" in refused and Guarantor.objects.filter(application=app).count() == 1
    pdf = c.get(f"/loans/notices/{app.notice_id}/notice.pdf").content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "保证人" in text and "孙店主" in text
    api = c.get(f"/api/v1/applications/{app.pk}/guarantors").json()
    assert [(g["name"], g["kind"], g["id_masked"][-4:]) for g in api] == [
        ("孙店主", "shop_owner", number[-4:])
    ]


def test_a_loan_in_arrears_is_collected_from_its_guarantor(rt, hh):
    """保证人代偿: allocated and posted as the borrower's own payment would be, and recorded as the
    guarantor's; refused while nothing is overdue, and for a guarantor of another loan."""
    officer = rt.world.user("loan_officer")
    app = approved(rt, hh, amount=1_000_000, product="seasonal", term=6)
    [g] = app.guarantors.all()
    loan = disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )
    with pytest.raises(Conflict) as e:
        repayment_post(acting_user=officer, loan=loan, amount=10_000, key="g-early-0001", guarantor=g)
    assert e.value.code == "guarantor_not_due"
    first = Installment.objects.get(loan=loan, seq=1)
    Installment.objects.filter(pk=first.pk).update(due_date=TODAY - dt.timedelta(days=5))
    other = approved(rt, rt.households[1], amount=1_000_000, product="seasonal", term=6)
    with pytest.raises(ValidationFailed) as e:
        repayment_post(
            acting_user=officer,
            loan=loan,
            amount=10_000,
            key="g-other-0001",
            guarantor=other.guarantors.get(),
        )
    assert e.value.code == "guarantor_other_loan"
    r, created = repayment_post(
        acting_user=officer, loan=loan, amount=first.interest, key="g-pays-00001", guarantor=g
    )
    assert created and r.guarantor == g and r.allocation == [[1, "overdue_interest", first.interest]]
    assert r.entry.memo.startswith("保证人代偿") and {
        (p.account_id, p.debit) for p in r.entry.postings.all()
    } >= {("1011", first.interest)}
    again, created = repayment_post(
        acting_user=officer, loan=loan, amount=first.interest, key="g-pays-00001", guarantor=g
    )
    assert (again.pk, created) == (r.pk, False)
    with pytest.raises(Conflict):  # the same key for the borrower's own payment is another body
        repayment_post(acting_user=officer, loan=loan, amount=first.interest, key="g-pays-00001")
    assert Repayment.objects.filter(loan=loan).count() == 1
