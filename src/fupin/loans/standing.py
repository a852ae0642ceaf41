"""A loan's standing, as every money path and page reads it: its schedule, what each instalment
still owes (with the penalty the nightly batch has posted), its servicing row — and the two
locked together for a payment. Reads only; the writers are :mod:`fupin.loans.repayments`,
:mod:`fupin.loans.disbursement` and :mod:`fupin.loans.events`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from fupin import compiled
from fupin.cob.day import closed_through
from fupin.core import cob
from fupin.core import servicing as servicing_core
from fupin.core.errors import Conflict
from fupin.core.schedule.payoff import extended, payoff
from fupin.core.schedule.prepay import Segment, in_force
from fupin.core.schedule.terms import terms_from_dict
from fupin.loans.models import Installment, Loan, LoanEvent, Prepayment, Repayment, Servicing
from fupin.products import calendar


def owed_of(
    rows, servicing: Servicing | None = None, closed: dt.date | None = None
) -> list[servicing_core.Owed]:
    """The instalments as the allocation sees them, with the penalty posted up to the close of
    ``closed`` (none before the nightly batch has ever run)."""

    def posted(i) -> int:
        if closed is None or servicing is None or i.due_date >= closed:
            return 0
        return cob.penalty_of(
            cob.principal_days_at(i.principal_days, i.principal - i.principal_paid, i.pd_from, closed),
            servicing.penalty_rate,
        )

    return [
        servicing_core.Owed(
            i.seq,
            i.due_date,
            i.principal,
            i.interest,
            i.principal_paid,
            i.interest_paid,
            posted(i),
            i.penalty_paid,
        )
        for i in rows
    ]


def receivable_of(sv: Servicing, closed: dt.date | None) -> int:
    """The loan's interest receivable (1132, penalty aside) after the close of ``closed``."""
    return cob.receivable(sv.interest_due, sv.cur_interest, sv.cur_paid, sv.cur_start, sv.cur_due, closed)


def accruing(sv: Servicing) -> None:
    """Refuse (409) what restates a loan's interest while it is non-accrual (非应计, issue 24 (13)):
    a payoff, a partial prepayment, an extension wait for the close that cures it."""
    if sv.non_accrual:
        raise Conflict(
            "该笔贷款为非应计贷款（逾期超过规定天数，利息在表外核算）：须还清逾期款项、经日终恢复应计后才能办理",
            code="loan_non_accrual",
        )


def deferred_left(sv: Servicing, closed: dt.date | None) -> int:
    """Interest taken upfront not yet earned after the close of ``closed`` (2401): released to
    income when the loan ends (:func:`fupin.core.postings.deferred_postings`)."""
    return (
        sv.deferred - cob.amortised(sv.deferred, sv.deferred_from, sv.deferred_to, closed)
        if sv.deferred
        else 0
    )


def lock(loan: Loan) -> tuple[Loan, Servicing | None]:
    """The loan and its servicing row, locked together in one statement (every money path
    locks them this way, so two never wait on each other in opposite orders)."""
    sv = compiled.first(Servicing, where={"loan": loan.pk}, related=("loan",), order=(), lock=True)
    if sv is not None:
        sv.loan.servicing_read = sv
        return sv.loan, sv
    bare = compiled.first(Loan, where={"pk": loan.pk}, order=(), lock=True)
    if bare is None:
        raise Loan.DoesNotExist(f"贷款 {loan.pk} 不存在")
    return bare, None


def installments_of(loan: Loan) -> list[Installment]:
    """The loan's instalments in order: those a page read with the loan (``loan.installments_read``,
    :func:`fupin.loans.selectors.loan_parts`), else read now (not kept: a payment changes them)."""
    kept = getattr(loan, "installments_read", None)
    return kept if kept is not None else compiled.rows(Installment, where={"loan": loan.pk})


def loan_servicing(loan: Loan) -> Servicing | None:
    """The loan's servicing row: the one already read with the loan (``lock``, a page that asked
    before) or one query, kept on the loan (``servicing_read``) either way."""
    try:
        return loan.servicing_read
    except AttributeError:
        pass
    sv = compiled.first(Servicing, where={"loan": loan.pk})
    loan.servicing_read = sv
    if sv is not None:
        sv.loan = loan  # (and so ``loan.servicing``, as Django sets a one-to-one's other side)
    return sv


def recoverable(loan: Loan) -> int:
    """What is still to recover on a written-off loan: the principal and interest written off
    less the recoveries so far."""
    written = LoanEvent.objects.filter(
        loan=loan, kind=LoanEvent.Kind.WRITE_OFF, state=LoanEvent.State.APPROVED
    ).first()
    if written is None:
        return 0
    back = Repayment.objects.filter(loan=loan, entry__source__startswith="loan.recover").aggregate(
        n=Sum("amount"), over=Sum("overpayment")
    )
    return written.amount + written.interest - ((back["n"] or 0) - (back["over"] or 0))


def arrears(loan: Loan, on: dt.date) -> dict:
    """A loan's standing on ``on`` (R-REP-2, R-REP-3): days past due, PAR bucket, five-category
    class and the penalty the nightly batch has posted and is still unpaid."""

    owed = owed_of(installments_of(loan), loan_servicing(loan), closed_through())
    dpd = servicing_core.days_past_due(owed, on)
    return {
        "dpd": dpd,
        "bucket": servicing_core.par_bucket(dpd),
        "category": servicing_core.CATEGORIES[servicing_core.category(dpd)],
        "penalty": sum(o.penalty - o.penalty_paid for o in owed),
    }


def nothing_due(rows, sv: Servicing | None, on: dt.date) -> None:
    """An early repayment comes after what is due: refused (409) while an instalment due by
    ``on`` or penalty the nightly batch posted is unpaid."""
    owed = owed_of(rows, sv, closed_through())
    if any((o.due_date <= on and o.unpaid) or o.penalty > o.penalty_paid for o in owed):
        raise Conflict("提前还款前须先还清已到期的各期款项和罚息", code="payoff_arrears")


def payoff_quote(loan: Loan, on: dt.date):
    """What settles ``loan`` on ``on`` (P-SEASONAL: at any time, interest recomputed to that
    day) and the household's deposit that offsets it; refused while an instalment is overdue
    or posted penalty is unpaid."""

    nothing_due(installments_of(loan), loan_servicing(loan), on)
    schedule = loan_schedule(loan)
    if on > schedule.maturity:  # within an extension (before the original maturity it changes nothing)
        ext = LoanEvent.objects.filter(
            loan=loan, kind=LoanEvent.Kind.EXTENSION, state=LoanEvent.State.APPROVED
        ).first()
        if ext is not None and ext.new_maturity is not None:
            if schedule.terms.shape in ("flat", "fixed_percent"):
                raise Conflict("按总额计息的贷款在展期期间请按展期后的还款计划还款", code="payoff_extended")
            schedule = extended(schedule, ext.new_maturity, ext.interest or 0)
    return payoff(schedule, on)


def payoff_figures(loan: Loan, on: dt.date) -> dict:
    """What a payoff on ``on`` settles, in fen: the principal still owed, interest recomputed to
    the day less interest already paid ahead, prepaid interest refunded, and what the deposit
    and the credit balance cover; ``cash`` is what the household pays (negative: gets back)."""
    q = payoff_quote(loan, on)
    rows = installments_of(loan)
    principal = sum(i.principal - i.principal_paid for i in rows)
    interest = q.interest - sum(i.interest_paid for i in rows if i.due_date > on)
    total = principal + interest - q.refund
    return {
        "principal": principal,
        "interest": interest,
        "refund": q.refund,
        "total": total,
        "deposit": loan.deposit_held,
        "credit": loan.credit_balance,
        "cash": total - loan.deposit_held - loan.credit_balance,
    }


def loan_schedule(loan: Loan):
    """The schedule in force, generated from the stored terms and the latest partial prepayment
    (the same, to the fen, as the rows not yet due)."""
    calendar.sync()
    return in_force(terms_from_dict(loan.terms), segment_of(loan))


def segment_of(loan: Loan) -> Segment | None:
    """Where the latest partial prepayment re-amortised the loan (None: never)."""
    row = compiled.first(
        Prepayment, where={"loan": loan.pk}, fields=("first", "periods", "principal"), order=("-id",)
    )
    return Segment(row.first, row.periods, row.principal) if row else None
