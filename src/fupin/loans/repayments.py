"""Repayments (R-REP-1): allocated in the product's order, posted as one balanced entry,
recorded once per idempotency key.

The entry of a repayment of A (R-REP-6), paid from cash (1011) — or from the household's
deposit (2011) or credit balance (2251) when the batch sets those against what is due:
  Dr 1011 A / Cr 1132 应收利息 (interest the batch has accrued, and posted penalty),
  Cr 6011 利息收入 (interest paid before it was accrued), Cr 1301 贷款本金,
  Cr 2251 溢缴款 (anything over what is due: held for the household, never lost);
and when the loan is thereby repaid in full, its deposit goes back: Dr 2011 / Cr 1011. Under
S-HALF (篇3) an on-time payment that settles the current instalment but half its interest is
completed by the subsidy: Dr 1221 应收财政贴息 that half (:func:`fupin.subsidies.services.relief`).
A payment on a written-off loan is a recovery: Dr 1011 / Cr 6013 (beyond what was written off:
2251); on a loan the risk fund paid for, the recovery goes back to the parties in their shares.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from fupin import compiled
from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.cob.day import open_day
from fupin.core import cob
from fupin.core import postings as postings_core
from fupin.core import servicing as servicing_core
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.money import fmt
from fupin.core.products import preset
from fupin.core.schedule import prepay as prepay_core
from fupin.core.schedule.terms import terms_from_dict
from fupin.ledger.services import entry_post
from fupin.loans import ports
from fupin.loans.models import Guarantor, Installment, Loan, LoanEvent, Prepayment, Repayment, Servicing
from fupin.loans.standing import (
    accruing,
    deferred_left,
    lock,
    nothing_due,
    owed_of,
    payoff_figures,
    receivable_of,
    recoverable,
    segment_of,
)
from fupin.once import once
from fupin.products import calendar
from fupin.ratings.rules import non_accrual_order_of
from fupin.ratings.selectors import programme_rules

PAID_FIELDS = (
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "principal_days",
    "pd_from",
)  # what a payment moves


def repayment_post(
    *,
    acting_user,
    loan: Loan,
    amount: int,
    key: str,
    on: dt.date | None = None,
    source: str = "1011",
    guarantor: Guarantor | None = None,
) -> tuple[Repayment, bool]:
    """Record a repayment; returns (repayment, created). The same ``key`` again with the same
    loan, amount, date and payer returns the first repayment and records nothing; with anything
    different it is refused (409). ``guarantor``: paid by the loan's guarantor for a borrower in
    arrears (保证人代偿, issue 24 (11)) — allocated and posted as any repayment, and recorded so."""
    access.require(acting_user, "repayment.post", loan)
    on = on or timezone.localdate()
    payer = guarantor.pk if guarantor else None
    return once(
        key,
        lambda r: (
            r.loan_id == loan.pk and r.amount == amount and r.received_on == on and r.guarantor_id == payer
        ),
        lambda: repayment_apply(acting_user, loan, amount, key.strip(), on, source, guarantor=guarantor),
        model=Repayment,
    )


def repayment_apply(
    acting_user,
    loan: Loan,
    amount: int,
    key: str,
    on: dt.date,
    source: str,
    within_run: bool = False,
    guarantor: Guarantor | None = None,
) -> Repayment:
    """Apply ``amount`` from ``source`` (1011 cash, 2011 the deposit, 2251 the credit balance) to the
    loan on the open business day — allocated, posted, audited — with no idempotency check of its
    own: :func:`repayment_post` (a person's payment) and the nightly batch's set-offs call it
    under a key they hold. ``within_run``: the batch's own set-offs, inside its run."""
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed("还款金额必须大于零", code="repayment_amount")
    closed = open_day(on, within_run=within_run)
    loan, sv = lock(loan)
    if loan.state == Loan.State.WRITTEN_OFF:
        return _recover(acting_user, loan, amount, key, on, source)
    if loan.state != Loan.State.ACTIVE or sv is None:
        raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能还款", code="loan_not_active")
    rows = {i.seq: i for i in compiled.rows(Installment, where={"loan": loan.pk}, order=("seq",))}
    owed = owed_of(rows.values(), sv, closed)
    if guarantor is not None:
        _guarantor_may_pay(loan, guarantor, owed, on)
    _within_bound(amount, sum(o.unpaid for o in owed), "该笔贷款尚欠的全部本息和罚息")
    behind = any(
        i.due_date < on and (i.principal_paid < i.principal or i.interest_paid < i.interest)
        for i in rows.values()
    )
    granted = ports.relief(loan, rows, amount, on, behind) if source == "1011" else None  # S-HALF (篇3)
    order = (  # a non-accrual loan's payments in the order the county's policy sets (issue 24 (13))
        non_accrual_order_of(programme_rules(loan.village_code[:6] + "000000", on)[1])
        if sv.non_accrual
        else servicing_core.DEFAULT_ORDER
    )
    a = servicing_core.allocate(amount + (granted.fen if granted else 0), owed, on, order)
    credit = {"1132": 0, "6011": 0, "6012": 0, "1301": 0, "2251": a.overpayment}
    for seq, bucket, fen in a.lines:
        i = rows[seq]
        if bucket == "penalty":
            i.penalty_paid += fen
            credit["6012"] += fen  # posted by the batch: receivable (or off balance)
        elif bucket.endswith("interest"):
            credit["1132"] += (accrued := _interest_paid(sv, i, fen, closed))
            credit["6011"] += fen - accrued  # paid before it was earned: income now
        else:
            if i.due_date < on:  # overdue: the principal-days so far are fixed before the principal drops
                i.principal_days = cob.principal_days_at(
                    i.principal_days, i.principal - i.principal_paid, i.pd_from, on - dt.timedelta(days=1)
                )
                i.pd_from = max(i.pd_from, on - dt.timedelta(days=1))
            i.principal_paid += fen
            credit["1301"] += fen
    for seq in sorted({seq for seq, _, _ in a.lines}):  # the one or two instalments the payment touched
        compiled.update(rows[seq], PAID_FIELDS)
    fields = ["credit_balance"] if a.overpayment or source == "2251" else []
    loan.credit_balance += a.overpayment - (amount if source == "2251" else 0)
    if source == "2011":
        loan.deposit_held -= amount
        fields.append("deposit_held")
    late = [
        i.due_date
        for i in rows.values()
        if i.due_date < on and (i.principal_paid < i.principal or i.interest_paid < i.interest)
    ]
    sv.late_since = min(late) if late else None
    sv.ever_late = sv.ever_late or bool(late)
    owed = owed_of(rows.values(), sv, closed)
    deposit_back = 0
    if all(o.unpaid == 0 for o in owed):
        loan.state, loan.closed_on = Loan.State.CLOSED, on
        fields += ["state", "closed_on"]
        sv.active = False
        if loan.deposit_held:  # the deposit goes back with the last payment
            deposit_back, loan.deposit_held = loan.deposit_held, 0
            fields.append("deposit_held")
    held = credit["1132"] + credit["6012"]  # what the batch had posted: on the books, or off (非应计)
    off = sv.non_accrual  # nothing of it is on the books: income as it is paid, and off 7011
    postings = postings_core.repayment_postings(
        loan=loan.pk,
        amount=amount,
        source=source,
        receivable=0 if off else held,
        income=credit["6011"] + (credit["1132"] if off else 0),
        penalty=credit["6012"] if off else 0,
        off_balance=held if off else 0,
        principal=credit["1301"],
        overpayment=credit["2251"],
        relief=granted.fen if granted else 0,
        deposit_back=deposit_back,
    )
    if not sv.active:  # repaid in full: the interest taken upfront is all earned
        postings += postings_core.deferred_postings(change=deferred_left(sv, closed), loan=loan.pk)
    compiled.update(sv, ("active", "cur_paid", "interest_due", "late_since", "ever_late"))  # what it moves
    entry = entry_post(
        acting_user=acting_user,
        date=on,
        memo=f"{'保证人代偿' if guarantor else '还款'} {loan.contract_no}",
        division_code=loan.village_code,
        institution=loan.institution_id,
        postings=postings,
        source=f"loan.repay:{loan.pk}",
    )
    if fields:
        compiled.update(loan, sorted(set(fields)))
    r = Repayment(
        loan=loan,
        key=key,
        amount=amount,
        received_on=on,
        overpayment=a.overpayment,
        allocation=[[s, b, f] for s, b, f in a.lines],
        entry=entry,
        village_code=loan.village_code,
        guarantor=guarantor,
        created_by=acting_user,
    )
    compiled.insert([r])
    if granted:
        granted.record(r)
    audit_record(
        actor=acting_user,
        action="repayment.post",
        obj=r,
        division_code=loan.village_code,
        after={
            "loan": loan.pk,
            "amount": fmt(amount),
            "key": key,
            "entry": entry.pk,
            "source": source,
            "overpayment": fmt(a.overpayment),
            "subsidy": fmt(granted.fen) if granted else None,
            "guarantor": guarantor.name if guarantor else None,
        },
    )
    return r


def _guarantor_may_pay(loan: Loan, guarantor: Guarantor, owed, on: dt.date) -> None:
    """A guarantor pays for the loan they guarantee, and only what the borrower has failed to."""
    if guarantor.application_id != loan.application_id:
        raise ValidationFailed("该保证人不是这笔贷款的保证人", code="guarantor_other_loan")
    if not any(o.due_date < on and o.unpaid for o in owed):
        raise Conflict("借款人没有逾期款项，不能向保证人追偿", code="guarantor_not_due")


def _within_bound(amount: int, owed: int, what: str) -> None:
    """A payment is at most what the loan can absorb plus the overpayment allowance
    (``FUPIN_OVERPAYMENT_ALLOWANCE``): beyond that it is a typing error, not money to hold."""
    allowance = settings.FUPIN_OVERPAYMENT_ALLOWANCE * 100
    if amount > owed + allowance:
        raise ValidationFailed(
            f"还款金额 {fmt(amount)} 元超过{what}（{fmt(owed)} 元）加允许的溢缴额（{fmt(allowance)} 元），"
            "请核对金额",
            code="repayment_too_large",
            details={"owed": fmt(owed), "allowance": fmt(allowance)},
        )


def _interest_paid(sv: Servicing, i: Installment, fen: int, closed: dt.date | None) -> int:
    """Record ``fen`` of interest paid on instalment ``i``; returns the part the batch had
    accrued (to come off 1132) — the rest is income when paid."""
    i.interest_paid += fen
    if sv.cur_seq and i.seq > sv.cur_seq:
        return 0  # not earning yet: the batch picks up what was paid when its period begins
    if sv.cur_seq and i.seq == sv.cur_seq:
        room = (
            0
            if closed is None
            else max(0, cob.accrual_target(sv.cur_interest, sv.cur_start, sv.cur_due, closed) - sv.cur_paid)
        )
        sv.cur_paid += fen
        return min(fen, room)
    sv.interest_due -= fen  # an instalment whose period has ended: its interest is all receivable
    return fen


def _recover(acting_user, loan: Loan, amount: int, key: str, on: dt.date, source: str) -> Repayment:
    """A recovery after write-off: income (6013) up to what was written off, the rest held."""
    left = recoverable(loan)
    _within_bound(amount, left, "核销贷款尚未收回的本息")
    take, over = min(amount, left), max(amount - left, 0)
    shared = ports.recovery_shares(
        loan, take
    )  # a loan the risk fund paid for: back in the same shares (R-RSK-3)
    postings = postings_core.recovery_postings(
        loan=loan.pk, amount=amount, source=source, recovered=take, shares=shared.postings if shared else ()
    )
    entry = entry_post(
        acting_user=acting_user,
        date=on,
        memo=f"核销后收回 {loan.contract_no}",
        division_code=loan.village_code,
        institution=loan.institution_id,
        postings=postings,
        source=f"loan.recover:{loan.pk}",
    )
    loan.credit_balance += over
    loan.save(update_fields=["credit_balance"])
    r = Repayment.objects.create(
        loan=loan,
        key=key,
        amount=amount,
        received_on=on,
        overpayment=over,
        allocation=[["recovery", take]],
        entry=entry,
        village_code=loan.village_code,
        created_by=acting_user,
    )
    if shared:
        shared.record(r)
    audit_record(
        actor=acting_user,
        action="loan.recover",
        obj=r,
        division_code=loan.village_code,
        after={"loan": loan.pk, "amount": fmt(amount), "recovered": fmt(take), "entry": entry.pk},
    )
    return r


def loan_payoff(*, acting_user, loan: Loan, key: str, on: dt.date | None = None) -> tuple[Repayment, bool]:
    """Pay a loan off early (R-REP-1, P-SEASONAL) with an idempotency key: principal
    outstanding plus interest recomputed to the day (prepaid interest refunded), the deposit
    (保证金) and any credit balance set against it; one balanced entry; the loan is closed."""
    access.require(acting_user, "repayment.post", loan)
    on = on or timezone.localdate()
    return once(
        key,
        lambda r: (
            r.loan_id == loan.pk
            and r.received_on == on
            and bool(r.allocation)
            and r.allocation[0][0] == "payoff"
        ),
        lambda: _payoff(acting_user, loan, key.strip(), on),
        model=Repayment,
    )


def _settle_instalments(loan: Loan, on: dt.date, interest: int) -> None:
    """The instalments a payoff settles record what was really paid on them: all the principal,
    and of the interest what the payoff recomputed to the day (with what was paid ahead), not
    the schedule's (:func:`fupin.core.servicing.settled_by_payoff`)."""
    rows = [i for i in loan.installments.all() if i.due_date > on]
    owed = [servicing_core.Owed(i.seq, i.due_date, i.principal, i.interest) for i in rows]
    settled = servicing_core.settled_by_payoff(owed, on, interest + sum(i.interest_paid for i in rows))
    for i in rows:
        i.principal_paid = i.principal
        i.interest = i.interest_paid = settled[i.seq]
    Installment.objects.bulk_update(rows, ["principal_paid", "interest", "interest_paid"])


def _early(loan: Loan, on: dt.date) -> tuple[dt.date | None, Loan, Servicing]:
    """An early repayment's start (a payoff, a partial prepayment): the open business day, the
    loan and its servicing row locked, refused unless active and accruing."""
    closed = open_day(on)
    loan, sv = lock(loan)
    if loan.state != Loan.State.ACTIVE or sv is None:
        raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能提前还款", code="loan_not_active")
    accruing(sv)
    return closed, loan, sv


def _payoff(acting_user, loan: Loan, key: str, on: dt.date) -> Repayment:
    closed, loan, sv = _early(loan, on)
    f = payoff_figures(loan, on)
    principal, interest, cash = f["principal"], f["interest"], f["cash"]
    receivable = receivable_of(sv, closed)
    income = (
        interest - f["refund"] - receivable
    )  # interest earned to the day beyond what was accrued (or less)
    postings = postings_core.payoff_postings(
        loan=loan.pk,
        principal=principal,
        receivable=receivable,
        income=income,
        cash=cash,
        deposit=f["deposit"],
        credit=f["credit"],
    ) + postings_core.deferred_postings(change=deferred_left(sv, closed), loan=loan.pk)
    entry = entry_post(
        acting_user=acting_user,
        date=on,
        memo=f"提前还款 {loan.contract_no}",
        division_code=loan.village_code,
        institution=loan.institution_id,
        postings=postings,
        source=f"loan.payoff:{loan.pk}",
    )
    _settle_instalments(loan, on, f["interest"])
    Servicing.objects.filter(pk=sv.pk).update(
        active=False, interest_due=0, cur_seq=0, cur_interest=0, cur_paid=0, late_since=None
    )
    held = loan.deposit_held
    loan.state, loan.closed_on, loan.deposit_held, loan.credit_balance = Loan.State.CLOSED, on, 0, 0
    loan.save(update_fields=["state", "closed_on", "deposit_held", "credit_balance"])
    r = Repayment.objects.create(
        loan=loan,
        key=key,
        amount=max(f["total"], 1),
        received_on=on,
        entry=entry,
        village_code=loan.village_code,
        allocation=[["payoff", principal, interest, f["refund"], held]],
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="loan.payoff",
        obj=r,
        division_code=loan.village_code,
        after={
            "principal": fmt(principal),
            "interest": fmt(interest),
            "refund": fmt(f["refund"]),
            "deposit": fmt(held),
            "cash": fmt(cash),
            "entry": entry.pk,
        },
    )
    return r


def loan_prepay(
    *, acting_user, loan: Loan, amount: int, method: str, key: str, on: dt.date | None = None
) -> tuple[Repayment, bool]:
    """Prepay ``amount`` fen of the principal (部分提前还款, :mod:`fupin.core.schedule.prepay`) with
    an idempotency key: the household pays it with the interest on it to the day; the rest is
    re-amortised by ``method`` (``reduce`` 减额, ``shorten`` 缩期) as the product allows. One
    balanced entry — Dr 1011 / Cr 1301 the principal, Cr 1132 what the batch had accrued on it,
    Cr 6011 the rest of the interest (:func:`fupin.core.postings.payoff_postings`)."""
    access.require(acting_user, "repayment.post", loan)
    on = on or timezone.localdate()
    return once(
        key,
        lambda r: (
            r.loan_id == loan.pk
            and r.received_on == on
            and bool(r.allocation)
            and r.allocation[0][0] == "prepay"
            and r.allocation[0][1] == amount
            and r.allocation[0][3] == method
        ),
        lambda: _prepay(acting_user, loan, amount, method, key.strip(), on),
        model=Repayment,
    )


def _prepay(acting_user, loan: Loan, amount: int, method: str, key: str, on: dt.date) -> Repayment:
    closed, loan, sv = _early(loan, on)
    product = preset(loan.product)
    if method not in product.prepayment:
        offered = "、".join(prepay_core.METHODS[m][:2] for m in product.prepayment)
        raise ValidationFailed(
            f"产品“{product.name}”"
            + (f"的部分提前还款只能{offered}" if offered else "不办理部分提前还款（可提前全部还清）"),
            code="prepay_method",
        )
    if loan.events.filter(kind=LoanEvent.Kind.EXTENSION, state=LoanEvent.State.APPROVED).exists():
        raise Conflict("已展期的贷款不办理部分提前还款", code="prepay_extended")
    rows = list(Installment.objects.filter(loan_id=loan.pk).order_by("seq"))
    nothing_due(rows, sv, on)
    calendar.sync()
    q = prepay_core.partial(terms_from_dict(loan.terms), segment_of(loan), on, amount, method)
    later = [i for i in rows if i.seq > q.segment.first]  # the period ``on`` falls in and after
    if any(i.principal_paid or i.interest_paid for i in later):
        raise Conflict(
            "本期已有提前还入的款项，请在本期还款日之后再办理部分提前还款", code="prepay_paid_ahead"
        )
    before = receivable_of(sv, closed)
    kept, dropped = later[: q.segment.periods], later[q.segment.periods :]
    for i, p, x in zip(kept, q.schedule.principal, q.schedule.interest, strict=True):
        i.principal, i.interest = p, x
    Installment.objects.bulk_update(kept, ["principal", "interest"])
    Installment.objects.filter(pk__in=[i.pk for i in dropped]).delete()
    if sv.cur_seq == kept[0].seq:
        sv.cur_interest = kept[0].interest
        sv.save(update_fields=["cur_interest"])
    accrued = before - receivable_of(sv, closed)
    entry = entry_post(
        acting_user=acting_user,
        date=on,
        memo=f"部分提前还款 {loan.contract_no}",
        division_code=loan.village_code,
        institution=loan.institution_id,
        postings=postings_core.payoff_postings(
            loan=loan.pk,
            principal=amount,
            receivable=accrued,
            income=q.interest - accrued,
            cash=q.total,
            deposit=0,
            credit=0,
        ),
        source=f"loan.prepay:{loan.pk}",
    )
    if dropped:
        loan.maturity = kept[-1].due_date
        loan.save(update_fields=["maturity"])
    r = Repayment.objects.create(
        loan=loan,
        key=key,
        amount=q.total,
        received_on=on,
        entry=entry,
        village_code=loan.village_code,
        allocation=[["prepay", amount, q.interest, method]],
        created_by=acting_user,
    )
    Prepayment.objects.create(
        loan=loan,
        repayment=r,
        method=method,
        prepaid=amount,
        interest=q.interest,
        first=q.segment.first,
        periods=q.segment.periods,
        principal=q.segment.principal,
    )
    audit_record(
        actor=acting_user,
        action="loan.prepay",
        obj=r,
        division_code=loan.village_code,
        after={
            "principal": fmt(amount),
            "interest": fmt(q.interest),
            "method": method,
            "periods": q.segment.periods,
            "maturity": str(loan.maturity),
            "entry": entry.pk,
        },
    )
    return r
