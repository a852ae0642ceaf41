"""Contracts and disbursement (R-APP-5): the contract fixes the terms, the schedule and the
disclosed rates; the disbursement posts one balanced entry and makes the loan active.

The entry (R-REP-6), for principal P with upfront interest I, fee F (保障金) and deposit D:
  Dr 1301 贷款本金 P / Cr 1011 结算（到农户账户）P − I − F − D, Cr 6011 利息收入 I,
  Cr 2241 代收担保费 F, Cr 2011 农户保证金存款 D.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.cob.day import open_day
from fupin.core.apr import disclose
from fupin.core.cob import penalty_rate, period_starts
from fupin.core.errors import Conflict, NotPermitted
from fupin.core.money import fmt
from fupin.core.origination import advance, maker_checker_problem
from fupin.core.postings import disbursement_postings
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.core.schedule.terms import terms_to_dict
from fupin.ledger.services import entry_post
from fupin.loans.guarantors import guarantors_missing
from fupin.loans.models import Application, Installment, Loan, ReviewStep, Servicing
from fupin.loans.services import quota_check
from fupin.products import benchmarks, calendar
from fupin.ratings.rules import servicing_of
from fupin.ratings.selectors import programme_rules


def loan_contract(*, acting_user, application: Application, start: dt.date | None = None) -> Loan:
    """The contract of an approved application: terms from its product preset, the schedule
    and the nominal rate, APR and EAR it discloses (R-APP-5)."""
    access.require(acting_user, "loan.contract", application)
    start = start or timezone.localdate()
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("household").get(pk=application.pk)
        new_state = advance(app.state, "contract")
        guarantors_missing(app)  # P-SEASONAL: "1+1" (issue 24 (11))
        p = preset(app.product)
        calendar.sync()  # the holiday arrangement as entered (R-PRD-2)
        lpr = benchmarks.in_force(start)  # the benchmark rate in force on the contract date
        own = app.institution.rate_of(p.code) if app.institution_id else None  # the lender's version
        terms = p.terms(principal=app.amount, start=start, term=app.term, benchmark=lpr, annual_rate=own)
        schedule = generate(terms)
        d = disclose(schedule)
        loan = Loan.objects.create(
            application=app,
            household=app.household,
            village_code=app.village_code,
            institution_id=app.institution_id,
            contract_no=f"FP{start:%Y%m%d}{app.pk:06d}",
            product=p.code,
            product_version=f"{p.version}/{app.institution.code}"[:16] if own is not None else p.version,
            principal=app.amount,
            terms=terms_to_dict(terms),
            start=start,
            maturity=schedule.maturity,
            nominal_rate=d.nominal,
            apr=d.apr,
            ear=d.ear,
            upfront_interest=schedule.upfront_interest,
            upfront_fees=schedule.upfront_fees,
            deposit=schedule.deposit,
            contracted_by=acting_user,
        )
        installments_create(loan, schedule)
        ReviewStep.objects.create(
            application=app,
            action="contract",
            actor=acting_user,
            role="loan_officer",
            approve=True,
            reason=f"合同 {loan.contract_no}",
            from_state=app.state,
            to_state=new_state,
        )
        app.state = new_state
        app.save(update_fields=["state"])
        audit_record(
            actor=acting_user,
            action="loan.contract",
            obj=loan,
            division_code=loan.village_code,
            after={
                "contract_no": loan.contract_no,
                "principal": fmt(loan.principal),
                "apr": str(loan.apr),
                "installments": len(schedule),
            },
        )
    return loan


def loan_disburse(*, acting_user, loan: Loan) -> Loan:
    """Pay out a contracted loan on its contract date: only inside the roster (an application
    that went through the whole chain) and the township's quota; posts the balanced entry.
    Whoever approved the loan at the bank does not also pay it out (maker-checker)."""
    access.require(acting_user, "loan.disburse", loan)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().select_related("application").get(pk=loan.pk)
        app = loan.application
        new_state = advance(app.state, "disburse")
        approver = (
            ReviewStep.objects.filter(application=app, action="bank_approve", approve=True)
            .values_list("actor_id", flat=True)
            .first()
        )
        problem = maker_checker_problem(approver, acting_user.pk)
        if problem:
            raise NotPermitted("审批人不能同时办理放款（审贷分离）", code="maker_checker")
        today = timezone.localdate()
        if today != loan.start:
            raise Conflict(
                f"合同约定的放款日是 {loan.start:%Y-%m-%d}，今天不能放款；请重新签订合同",
                code="disbursement_date",
            )
        quota_check(app, counting_self=True)
        open_day(today)
        entry = entry_post(
            acting_user=acting_user,
            date=today,
            memo=f"放款 {loan.contract_no}",
            division_code=loan.village_code,
            institution=loan.institution_id,
            postings=disbursement_postings(
                loan=loan.pk,
                principal=loan.principal,
                upfront_interest=loan.upfront_interest,
                fees=loan.upfront_fees,
                deposit=loan.deposit,
            ),
            source=f"loan.disburse:{loan.pk}",
        )
        loan.state, loan.disbursed_by, loan.disbursed_at, loan.disbursement = (
            Loan.State.ACTIVE,
            acting_user,
            timezone.now(),
            entry,
        )
        loan.deposit_held = loan.deposit
        loan.save(update_fields=["state", "disbursed_by", "disbursed_at", "disbursement", "deposit_held"])
        servicing_start(loan)
        ReviewStep.objects.create(
            application=app,
            action="disburse",
            actor=acting_user,
            role="loan_officer",
            approve=True,
            reason=f"分录 #{entry.pk}",
            from_state=app.state,
            to_state=new_state,
        )
        app.state = new_state
        app.save(update_fields=["state"])
        audit_record(
            actor=acting_user,
            action="loan.disburse",
            obj=loan,
            division_code=loan.village_code,
            after={"entry": entry.pk, "principal": fmt(loan.principal)},
        )
    return loan


def servicing_start(loan: Loan) -> Servicing:
    """The loan's running state (:class:`Servicing`): earning interest on its first instalment
    that carries any, at the penalty rate its contract fixed (R-REP-2); the interest taken
    upfront deferred to be earned evenly until maturity (:mod:`fupin.core.cob`)."""
    rows = loan.installments.order_by("seq")
    first = rows.filter(interest__gt=0).first() or rows.first()
    last = rows.last() if loan.upfront_interest else None  # earned by the last instalment's day
    _, rules = programme_rules(loan.village_code[:6] + "000000", loan.start)
    uplift, _ = servicing_of(rules)
    return Servicing.objects.create(
        loan=loan,
        village_code=loan.village_code,
        institution_id=loan.institution_id,
        penalty_rate=penalty_rate(loan.nominal_rate, uplift),
        cur_seq=first.seq,
        cur_start=first.period_start,
        cur_due=first.due_date,
        cur_interest=first.interest,
        deferred=loan.upfront_interest,
        deferred_from=loan.start if last else None,
        deferred_to=last.due_date if last else None,
    )


def installments_create(loan: Loan, schedule) -> None:
    """The schedule's rows; each instalment earns its interest from the previous due date of one
    that carries interest (the first from the disbursement) to its own (:mod:`fupin.core.cob`)."""
    starts = period_starts(schedule.terms.start, schedule.due_dates, schedule.interest)
    Installment.objects.bulk_create(
        [
            Installment(
                loan=loan,
                seq=k + 1,
                due_date=schedule.due_dates[k],
                period_start=starts[k],
                pd_from=schedule.due_dates[k],
                principal=schedule.principal[k],
                interest=schedule.interest[k],
                fees=schedule.fees[k],
            )
            for k in range(len(schedule))
        ]
    )
