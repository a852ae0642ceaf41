"""Changes to a loan outside normal repayment, each requested by a loan officer and approved by
someone else at the bank (R-REP-4; DOMAIN §14 maker-checker) — a director whose authority covers
the principal at stake, by the loan approval bands (R-APP-3) — posted on approval:

* **extension (展期)** — before maturity and not in arrears, once, by at most the original term
  (贷款通则 §12): the final instalment falls due on the new date and carries interest for the
  added days at the contract rate on its principal, ``round_half_up(P × rate × days / 360)``;
  whatever the batch had accrued is restated (Dr/Cr 1132 against 6011);
* **rollover (转据, 借新还旧)** — from the final due date, interest and penalty paid: the
  principal still owed becomes a new loan of the same product (no cash: Dr 1301 new / Cr 1301
  old), reported apart from new lending;
* **write-off (核销)** — a loan more than 90 days past due (次级 or worse): the deposit and any
  credit balance are set against it first, then Dr 6701 / Cr 1301 principal, Cr 1132 interest
  and penalty; recoveries later are repayments of the written-off loan (Dr 1011 / Cr 6013);
* **refund (退还溢缴款)** — the household's credit balance paid back: Dr 2251 / Cr 1011.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fupin.accounts import access
from fupin.accounts.roles import ROLES
from fupin.audit.services import audit_record
from fupin.cob.day import closed_through, open_day
from fupin.core import cob
from fupin.core.apr import disclose
from fupin.core.calendar import add_months
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed, reason_required
from fupin.core.ledger import Posting
from fupin.core.money import fmt
from fupin.core.origination import deciders, maker_checker_problem
from fupin.core.postings import (
    deferred_postings,
    extension_postings,
    refund_postings,
    rollover_postings,
    write_off_postings,
)
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.core.schedule.terms import terms_to_dict
from fupin.ledger.services import entry_post
from fupin.loans.disbursement import installments_create, servicing_start
from fupin.loans.models import Application, Installment, Loan, LoanEvent, Servicing
from fupin.loans.repayments import repayment_apply
from fupin.loans.services import bands_for
from fupin.loans.standing import accruing, deferred_left, lock, owed_of, receivable_of
from fupin.products import benchmarks, calendar

WRITE_OFF_DPD = 90


def event_request(
    *,
    acting_user,
    loan: Loan,
    kind: str,
    reason: str,
    new_maturity: dt.date | None = None,
    amount: int | None = None,
) -> LoanEvent:
    """Ask for an extension, rollover, write-off or refund; checked now and again at approval."""
    access.require(acting_user, "loan.event.request", loan)
    reason = reason_required(reason, "理由")
    if kind not in LoanEvent.Kind.values:
        raise ValidationFailed(f"未知的事项“{kind}”", code="event_kind")
    on = timezone.localdate()
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if LoanEvent.objects.filter(loan=loan, kind=kind, state=LoanEvent.State.REQUESTED).exists():
            raise Conflict("该贷款已有一笔同类事项待审批", code="event_open")
        event = LoanEvent(
            loan=loan,
            kind=kind,
            reason=reason[:200],
            village_code=loan.village_code,
            requested_by=acting_user,
            new_maturity=new_maturity,
            amount=amount or 0,
        )
        _check(event, loan, on)
        event.save()
        audit_record(
            actor=acting_user,
            action=f"loan.event.{kind}",
            obj=event,
            division_code=loan.village_code,
            after={
                "loan": loan.pk,
                "kind": kind,
                "new_maturity": new_maturity,
                "amount": fmt(event.amount),
                "reason": reason,
            },
        )
    return event


def _check(event: LoanEvent, loan: Loan, on: dt.date) -> None:
    """The conditions of each kind (see the module); fills the amounts the approval will post."""
    sv = Servicing.objects.filter(loan=loan).first()
    final = loan.installments.order_by("-seq").first()
    if event.kind == LoanEvent.Kind.REFUND:
        if loan.credit_balance <= 0:
            raise Conflict("该贷款没有溢缴款可退", code="no_credit_balance")
        event.amount = min(event.amount or loan.credit_balance, loan.credit_balance)
        if event.amount <= 0:
            raise ValidationFailed("退款金额必须大于零", code="event_amount")
        return
    if loan.state != Loan.State.ACTIVE or sv is None:
        raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能办理", code="loan_not_active")
    if event.kind == LoanEvent.Kind.EXTENSION:
        accruing(sv)
        if event.new_maturity is None or event.new_maturity <= loan.maturity:
            raise ValidationFailed("展期后的到期日须晚于原到期日", code="new_maturity")
        if on >= final.due_date or sv.late_since is not None:
            raise Conflict("展期须在到期前申请，且贷款没有逾期", code="extension_refused")
        if LoanEvent.objects.filter(
            loan=loan, kind=LoanEvent.Kind.EXTENSION, state=LoanEvent.State.APPROVED
        ).exists():
            raise Conflict("该贷款已经展期过一次", code="extension_refused")
        months = loan.application.term
        limit = add_months(loan.maturity, months if months <= 12 else max(1, months // 2))
        if event.new_maturity > limit:
            raise ValidationFailed(f"展期不能超过原贷款期限（最晚 {limit:%Y-%m-%d}）", code="new_maturity")
        days = (event.new_maturity - final.due_date).days
        outstanding = final.principal - final.principal_paid
        event.amount = outstanding
        event.interest = cob.half_up(outstanding * int(loan.nominal_rate * 10**6) * days, 360 * 10**6)
    elif event.kind == LoanEvent.Kind.ROLLOVER:
        rows = list(loan.installments.all())
        if on < final.due_date:
            raise Conflict(
                f"转据须在最后一期到期日（{final.due_date:%Y-%m-%d}）或之后办理", code="rollover_refused"
            )
        if any(i.interest_paid < i.interest for i in rows) or _penalty_unpaid(loan, sv):
            raise Conflict("转据前须先结清全部利息和罚息", code="rollover_refused")
        event.amount = sum(i.principal - i.principal_paid for i in rows)
        if event.amount <= 0:
            raise Conflict("该贷款已无本金可转", code="rollover_refused")
    elif event.kind == LoanEvent.Kind.WRITE_OFF:
        if sv.dpd(on - dt.timedelta(days=1)) <= WRITE_OFF_DPD:
            raise Conflict(
                f"只有逾期超过 {WRITE_OFF_DPD} 天（次级及以下）的贷款可以核销", code="write_off_refused"
            )


def _penalty_unpaid(loan: Loan, sv: Servicing) -> int:
    return sum(o.penalty - o.penalty_paid for o in owed_of(loan.installments.all(), sv, closed_through()))


def event_decide(*, acting_user, event: LoanEvent, approve: bool, note: str = "") -> LoanEvent:
    """Approve (and post) or reject a requested event; the requester cannot decide it."""
    access.require(acting_user, "loan.event.approve", event)
    if maker_checker_problem(event.requested_by_id, acting_user.pk):
        raise NotPermitted("申请人不能审批自己的申请（审贷分离）", code="maker_checker")
    if not approve:
        note = reason_required(note, "驳回理由")
    on = timezone.localdate()
    with transaction.atomic():
        event = LoanEvent.objects.select_for_update().select_related("loan").get(pk=event.pk)
        if event.state != LoanEvent.State.REQUESTED:
            raise Conflict("该事项已经审批过", code="event_decided")
        _authority(acting_user, event)
        event.decided_by, event.decided_on, event.decision_note = acting_user, on, note.strip()[:200]
        if approve:
            closed = open_day(on)
            loan, _ = lock(event.loan)  # as every money path does: loan and servicing together
            _check(event, loan, on)
            event.entry, event.new_loan = APPLY[event.kind](acting_user, event, loan, on, closed)
        event.state = LoanEvent.State.APPROVED if approve else LoanEvent.State.REJECTED
        event.save()
        audit_record(
            actor=acting_user,
            action=f"loan.event.{'approve' if approve else 'reject'}",
            obj=event,
            division_code=event.village_code,
            after={
                "kind": event.kind,
                "entry": event.entry_id,
                "amount": fmt(event.amount),
                "interest": fmt(event.interest),
                "new_loan": event.new_loan_id,
                "note": note,
            },
        )
    return event


def at_stake(event: LoanEvent) -> int:
    """What an event puts at stake, in fen, for the approval bands (R-APP-3): the principal the loan
    still owes (extended, rolled over or written off); a refund's amount (the household's money)."""
    if event.kind == LoanEvent.Kind.REFUND:
        return event.amount
    rows = event.loan.installments.all()
    return sum(i.principal - i.principal_paid for i in rows)


def authority(event: LoanEvent, stake: int | None = None) -> tuple[str, ...]:
    """The roles that may decide ``event``: the loan's lender's approval bands by what is at
    stake (``stake``, when already known), a director at least (issue 24: a branch director may
    not approve a 45 000 rollover)."""
    stake = at_stake(event) if stake is None else stake
    return deciders(stake, bands_for(event.village_code, event.loan.institution), floor="branch_director")


def named(roles: tuple[str, ...]) -> str:
    """Roles as people read them: 网点主任或总社."""
    return "或".join(str(ROLES[r].label) for r in roles)


def _authority(user, event: LoanEvent) -> None:
    stake = at_stake(event)
    roles = authority(event, stake)
    if access.role_over(user, roles, event.village_code, event.loan.institution_id) is None:
        raise NotPermitted(
            f"{event.get_kind_display()}涉及本金 {fmt(stake)} 元，须由{named(roles)}审批"
            "（按贷款审批权限，R-APP-3）",
            code="authority",
            details={"roles": list(roles), "amount": fmt(stake)},
        )


def _post(user, loan: Loan, on: dt.date, memo: str, kind: str, postings: list[Posting]):
    return entry_post(
        acting_user=user,
        date=on,
        memo=f"{memo} {loan.contract_no}",
        division_code=loan.village_code,
        institution=loan.institution_id,
        postings=postings,
        source=f"loan.{kind}:{loan.pk}",
    )


def _extend(user, event: LoanEvent, loan: Loan, on: dt.date, closed):
    sv = Servicing.objects.get(loan=loan)  # locked by event_decide
    final = loan.installments.order_by("-seq").first()
    before = receivable_of(sv, closed)
    final.due_date = final.pd_from = event.new_maturity
    final.interest += event.interest
    final.save(update_fields=["due_date", "pd_from", "interest"])
    if sv.cur_seq == final.seq:
        sv.cur_due, sv.cur_interest = final.due_date, final.interest
        sv.save(update_fields=["cur_due", "cur_interest"])
    after = receivable_of(sv, closed)
    loan.maturity = event.new_maturity
    loan.save(update_fields=["maturity"])
    change = after - before  # the earning period is longer: what was accrued is restated
    if not change:
        return None, None
    return _post(user, loan, on, "展期", "extend", extension_postings(loan=loan.pk, change=change)), None


def loan_write_off(user, event: LoanEvent, loan: Loan, on: dt.date, closed, funding=None):
    """Write the loan off (the loan and its servicing row locked by the caller);
    ``funding(principal, interest, penalty)`` gives the debits that bear the loss (default: the
    bank, Dr 6701; a risk-fund claim shares it, R-RSK-3)."""
    for source, held in (("2251", loan.credit_balance), ("2011", loan.deposit_held)):
        if held > 0:  # what the household has with the bank goes first
            repayment_apply(user, loan, held, f"wo-{source}-{loan.pk}-{on:%Y%m%d}", on, source)
            loan.refresh_from_db()
    if loan.state != Loan.State.ACTIVE:
        return None, None
    sv = Servicing.objects.get(loan=loan)  # locked by the caller
    rows = list(loan.installments.all())
    principal = sum(i.principal - i.principal_paid for i in rows)
    interest = receivable_of(sv, closed)
    penalty = sum(o.penalty - o.penalty_paid for o in owed_of(rows, sv, closed))
    event.amount, event.interest = principal, interest + penalty
    postings = write_off_postings(
        loan=loan.pk,
        principal=principal,
        interest=interest + penalty,
        borne_by=funding(principal, interest, penalty) if funding else (),
        off_balance=sv.non_accrual,
    ) + deferred_postings(change=deferred_left(sv, closed), loan=loan.pk)
    entry = _post(user, loan, on, "核销", "write_off", postings)
    loan.state, loan.closed_on = Loan.State.WRITTEN_OFF, on
    loan.save(update_fields=["state", "closed_on"])
    Servicing.objects.filter(pk=sv.pk).update(active=False)
    return entry, None


def _rollover(user, event: LoanEvent, loan: Loan, on: dt.date, closed):
    old_app = loan.application
    p = preset(loan.product)
    calendar.sync()  # the holiday arrangement as entered (R-PRD-2)
    terms = p.terms(principal=event.amount, start=on, term=old_app.term, benchmark=benchmarks.in_force(on))
    schedule = generate(terms)
    d = disclose(schedule)
    app = Application.objects.create(
        household_id=loan.household_id,
        village_code=loan.village_code,
        institution_id=loan.institution_id,
        product=p.code,
        product_version=p.version,
        purpose=old_app.purpose,
        project=f"转据（原合同 {loan.contract_no}）",
        amount=event.amount,
        term=old_app.term,
        state="disbursed",
        created_by=event.requested_by,
        decided_at=timezone.now(),
    )
    new = Loan.objects.create(
        application=app,
        household_id=loan.household_id,
        village_code=loan.village_code,
        institution_id=loan.institution_id,
        contract_no=f"ZJ{on:%Y%m%d}{loan.pk:06d}",
        product=p.code,
        product_version=p.version,
        principal=event.amount,
        terms=terms_to_dict(terms),
        start=on,
        maturity=schedule.maturity,
        nominal_rate=d.nominal,
        apr=d.apr,
        ear=d.ear,
        state=Loan.State.ACTIVE,
        contracted_by=event.requested_by,
        disbursed_by=user,
        disbursed_at=timezone.now(),
        rollover_of=loan,
    )
    installments_create(new, schedule)
    servicing_start(new)
    entry = _post(
        user,
        loan,
        on,
        "转据",
        "rollover",
        rollover_postings(old=loan.pk, new=new.pk, new_contract=new.contract_no, principal=event.amount)
        + deferred_postings(change=deferred_left(Servicing.objects.get(loan=loan), closed), loan=loan.pk),
    )
    Installment.objects.filter(loan=loan).update(principal_paid=F("principal"))
    new.disbursement = entry
    new.save(update_fields=["disbursement"])
    loan.state, loan.closed_on = Loan.State.CLOSED, on
    loan.save(update_fields=["state", "closed_on"])
    Servicing.objects.filter(loan=loan).update(active=False, late_since=None)
    return entry, new


def _refund(user, event: LoanEvent, loan: Loan, on: dt.date, closed):
    loan.credit_balance -= event.amount
    loan.save(update_fields=["credit_balance"])
    return _post(
        user, loan, on, "退还溢缴款", "refund", refund_postings(loan=loan.pk, amount=event.amount)
    ), None


APPLY = {
    LoanEvent.Kind.EXTENSION: _extend,
    LoanEvent.Kind.WRITE_OFF: loan_write_off,
    LoanEvent.Kind.ROLLOVER: _rollover,
    LoanEvent.Kind.REFUND: _refund,
}
