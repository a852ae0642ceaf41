"""Repayments (R-REP-1): allocated in the product's order, posted as one balanced entry,
recorded once per idempotency key."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core import servicing
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.ledger import Posting
from fupin.core.money import fmt
from fupin.ledger.services import entry_post
from fupin.loans.models import Installment, Loan, Repayment

ACCOUNTS = {"penalty": "6012", "overdue_interest": "6011", "current_interest": "6011", "overdue_principal": "1301",
            "current_principal": "1301"}


def _same(r: Repayment, loan: Loan, amount: int, on: dt.date) -> bool:
    return r.loan_id == loan.pk and r.amount == amount and r.received_on == on


def repayment_post(*, acting_user, loan: Loan, amount: int, key: str, on: dt.date | None = None) -> tuple[Repayment, bool]:
    """Record a repayment; returns (repayment, created). The same ``key`` again with the same
    loan, amount and date returns the first repayment and records nothing; with anything
    different it is refused (409)."""
    access.require(acting_user, "repayment.post", loan)
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise ValidationFailed("每笔还款须带 8–64 个字符的幂等键", code="idempotency_key")
    on = on or timezone.localdate()
    first = Repayment.objects.filter(key=key).first()
    if first is not None:
        if _same(first, loan, amount, on):
            return first, False
        raise Conflict("该幂等键已用于另一笔内容不同的还款", code="idempotency_mismatch")
    try:
        with transaction.atomic():
            return _post(acting_user, loan, amount, key, on), True
    except IntegrityError:  # the same key posted at the same moment: the other one won
        first = Repayment.objects.filter(key=key).first()
        if first is not None and _same(first, loan, amount, on):
            return first, False
        raise Conflict("该幂等键已用于另一笔内容不同的还款", code="idempotency_mismatch") from None


def _post(acting_user, loan: Loan, amount: int, key: str, on: dt.date) -> Repayment:
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.state != Loan.State.ACTIVE:
        raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能还款", code="loan_not_active")
    rows = {i.seq: i for i in Installment.objects.filter(loan=loan).order_by("seq")}
    owed = [servicing.Owed(i.seq, i.due_date, i.principal, i.interest, i.principal_paid, i.interest_paid, i.penalty,
                           i.penalty_paid) for i in rows.values()]
    a = servicing.allocate(amount, owed, on)
    by_account: dict[str, int] = {}
    for seq, bucket, fen in a.lines:
        i = rows[seq]
        if bucket == "penalty":
            i.penalty_paid += fen
        elif bucket.endswith("interest"):
            i.interest_paid += fen
        else:
            i.principal_paid += fen
        by_account[ACCOUNTS[bucket]] = by_account.get(ACCOUNTS[bucket], 0) + fen
    if a.overpayment:
        by_account["2251"] = a.overpayment  # held for the household, never lost
    postings = [Posting("1011", debit=amount, loan=loan.pk, memo="收到还款")]
    postings += [Posting(code, credit=fen, loan=loan.pk, memo=memo) for code, fen, memo in (
        (c, by_account[c], m) for c, m in (("6012", "罚息"), ("6011", "利息"), ("1301", "本金"), ("2251", "溢缴款"))
        if by_account.get(c))]
    entry = entry_post(acting_user=acting_user, date=on, memo=f"还款 {loan.contract_no}", division_code=loan.village_code,
                       postings=postings, source=f"loan.repay:{loan.pk}")
    Installment.objects.bulk_update(list(rows.values()), ["principal_paid", "interest_paid", "penalty_paid"])
    if all(i.principal_paid == i.principal and i.interest_paid == i.interest and i.penalty_paid == i.penalty
           for i in rows.values()):
        loan.state = Loan.State.CLOSED
        loan.save(update_fields=["state"])
    r = Repayment.objects.create(loan=loan, key=key, amount=amount, received_on=on, overpayment=a.overpayment,
                                 allocation=[[s, b, f] for s, b, f in a.lines], entry=entry,
                                 village_code=loan.village_code, created_by=acting_user)
    audit_record(actor=acting_user, action="repayment.post", obj=r, division_code=loan.village_code,
                 after={"loan": loan.pk, "amount": fmt(amount), "key": key, "entry": entry.pk,
                        "overpayment": fmt(a.overpayment)})
    return r


def arrears(loan: Loan, on: dt.date) -> dict:
    """A loan's standing on ``on`` (R-REP-2, R-REP-3), computed from its instalments: days past
    due, PAR bucket, five-category class and the penalty accrued so far (not yet posted: the
    nightly batch posts it)."""
    from fractions import Fraction

    from fupin.core.schedule.terms import terms_from_dict

    owed = [servicing.Owed(i.seq, i.due_date, i.principal, i.interest, i.principal_paid, i.interest_paid, i.penalty,
                           i.penalty_paid) for i in loan.installments.all()]
    dpd = servicing.days_past_due(owed, on)
    rate = Fraction(terms_from_dict(loan.terms).annual_rate)
    return {"dpd": dpd, "bucket": servicing.par_bucket(dpd), "category": servicing.CATEGORIES[servicing.category(dpd)],
            "penalty": servicing.penalty_accrued(owed, annual_rate=rate, on=on) if dpd else 0}


def payoff_quote(loan: Loan, on: dt.date):
    """What settles ``loan`` on ``on`` (P-SEASONAL: at any time, interest recomputed to that
    day) and the household's deposit that offsets it; refused while an instalment is overdue."""
    from fupin.core.schedule.payoff import payoff
    from fupin.loans.disbursement import loan_schedule

    late = loan.installments.filter(due_date__lte=on).filter(
        Q(principal_paid__lt=F("principal")) | Q(interest_paid__lt=F("interest"))).exists()
    if late:
        raise Conflict("提前还款前须先还清已到期的各期款项", code="payoff_arrears")
    return payoff(loan_schedule(loan), on)


def loan_payoff(*, acting_user, loan: Loan, key: str, on: dt.date | None = None) -> tuple[Repayment, bool]:
    """Pay a loan off early (R-REP-1, P-SEASONAL) with an idempotency key: principal
    outstanding plus interest recomputed to the day (prepaid interest refunded), the deposit
    (保证金) released and set against it; one balanced entry; the loan is closed."""
    access.require(acting_user, "repayment.post", loan)
    on = on or timezone.localdate()
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise ValidationFailed("每笔还款须带 8–64 个字符的幂等键", code="idempotency_key")
    first = Repayment.objects.filter(key=key).first()
    if first is not None:
        if first.loan_id == loan.pk and first.received_on == on and first.allocation and first.allocation[0][0] == "payoff":
            return first, False
        raise Conflict("该幂等键已用于另一笔内容不同的还款", code="idempotency_mismatch")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.state != Loan.State.ACTIVE:
            raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能提前还款", code="loan_not_active")
        q = payoff_quote(loan, on)
        cash = q.principal + q.interest - q.refund - loan.deposit
        debit = [("1011", cash, "收到提前还款")] if cash > 0 else []
        debit += [("2011", loan.deposit, "保证金抵扣"), ("6011", q.refund, "退还预收利息")]
        credit = [("1301", q.principal, "提前还本"), ("6011", q.interest, "利息（计至还款日）")]
        credit += [("1011", -cash, "退还农户")] if cash < 0 else []
        postings = [Posting(a, debit=x, loan=loan.pk if a == "1301" else None, memo=m) for a, x, m in debit if x]
        postings += [Posting(a, credit=x, loan=loan.pk if a == "1301" else None, memo=m) for a, x, m in credit if x]
        entry = entry_post(acting_user=acting_user, date=on, memo=f"提前还款 {loan.contract_no}",
                           division_code=loan.village_code, postings=postings, source=f"loan.payoff:{loan.pk}")
        loan.installments.update(principal_paid=F("principal"), interest_paid=F("interest"))
        loan.state = Loan.State.CLOSED
        loan.save(update_fields=["state"])
        r = Repayment.objects.create(
            loan=loan, key=key, amount=q.total, received_on=on, entry=entry, village_code=loan.village_code,
            allocation=[["payoff", q.principal, q.interest, q.refund, loan.deposit]], created_by=acting_user)
        audit_record(actor=acting_user, action="loan.payoff", obj=r, division_code=loan.village_code,
                     after={"principal": fmt(q.principal), "interest": fmt(q.interest), "refund": fmt(q.refund),
                            "deposit": fmt(loan.deposit), "cash": fmt(cash), "entry": entry.pk})
    return r, True
