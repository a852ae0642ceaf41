"""The accounting recipes (R-REP-6): which accounts each business event moves, and by how much.

Every entry the loan book posts is built here, as a pure function of figures the services have
worked out; the services load the rows, call the recipe, check and save the entry
(:func:`fupin.core.ledger.check_entry` — always balanced) and write the audit row. Amounts are
fen; a posting with ``loan`` belongs to that loan's sub-ledger (1301, 1132 and the household's
money with the bank). Zero lines are left out. The chart is :data:`fupin.core.ledger.CHART`.

==========================  =====================================================================
event                       entry
==========================  =====================================================================
disbursement                Dr 1301 P / Cr 1011 net, Cr 2401 upfront interest, Cr 2241 fee, Cr 2011 deposit
nightly accrual             Dr 1132 / Cr 6011 interest accrued, Cr 6012 penalty (reversed if negative);
                            Dr 2401 / Cr 6011 the upfront interest earned that day
deferred interest released  Dr 2401 / Cr 6011 what is left when a loan ends early (payoff, write-off, …)
off balance (非应计)         Dr 7011 / Cr 7012 interest and penalty of non-accrual loans (reversed as they
                            are collected or cured); a repayment on such a loan: Cr 6011 / 6012 (cash basis)
repayment                   Dr source (+ Dr 1221 S-HALF relief) / Cr 1132, 6011, 1301, 2251;
                            repaid in full: Dr 2011 / Cr 1011 (the deposit goes back)
extension                   Dr 1132 / Cr 6011 the accrued interest restated (reversed if less)
rollover                    Dr 1301 new loan / Cr 1301 old loan
refund of a credit balance  Dr 2251 / Cr 1011
payoff                      Dr 1011 cash, 2011 deposit, 2251 credit / Cr 1301, 1132, 6011 (± to the day)
partial prepayment          Dr 1011 / Cr 1301 the principal, Cr 1132 accrued on it, 6011 the rest (payoff's)
write-off                   Dr 6701 (or the risk fund's shares) / Cr 1301, Cr 1132
recovery after write-off    Dr source / Cr 6013 (or the shares of the parties who bore it), Cr 2251 beyond
loan-loss provision         Dr 6702 / Cr 1304 the change at a month end (reversed when it falls)
==========================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from fupin.core.ledger import Posting

SOURCES = {"1011": "收到还款", "2011": "保证金抵扣", "2251": "溢缴款抵扣"}  # what a repayment is paid from


def _lines(
    debits: Sequence[tuple[str, int, str]], credits: Sequence[tuple[str, int, str]], loan: int | None
) -> list[Posting]:
    """Debits then credits, each (account, fen, memo); a negative debit is a credit and the other
    way round; zero lines are left out."""
    out = [
        Posting(a, debit=x, loan=loan, memo=m) if x > 0 else Posting(a, credit=-x, loan=loan, memo=m)
        for a, x, m in debits
        if x
    ]
    out += [
        Posting(a, credit=x, loan=loan, memo=m) if x > 0 else Posting(a, debit=-x, loan=loan, memo=m)
        for a, x, m in credits
        if x
    ]
    return out


def disbursement_postings(
    *, loan: int, principal: int, upfront_interest: int = 0, fees: int = 0, deposit: int = 0
) -> list[Posting]:
    """A disbursement (R-APP-5): the principal lent; the household's account receives it less the
    interest taken upfront (deferred: earned over the loan, not yet income), the guarantee fee
    (保障金) and the deposit (保证金).

    Worked example: 10 000.00 lent with 300.00 interest upfront, a 50.00 fee and a 1 000.00
    deposit — Dr 1301 10 000.00 / Cr 1011 8 650.00, Cr 2401 300.00, Cr 2241 50.00, Cr 2011 1 000.00.
    """
    net = principal - upfront_interest - fees - deposit
    return [
        Posting("1301", debit=principal, loan=loan, memo="贷款本金"),
        Posting("1011", credit=net, loan=loan, memo="转入农户账户"),
        *_lines(
            (),
            (("2401", upfront_interest, "预收利息"), ("2241", fees, "保障金"), ("2011", deposit, "保证金")),
            loan,
        ),
    ]


def accrual_postings(
    *, interest: int, penalty: int, amortised: int = 0, off_balance: int = 0
) -> list[Posting]:
    """A village's nightly accrual (R-REP-2): the interest earned today (negative when a period
    was restated downwards) and the penalty on overdue principal, both receivable; and the part
    of the interest taken upfront earned today (``amortised``, out of 2401); and the change in the
    interest and penalty of non-accrual loans kept off balance (``off_balance``, 7011) — a loan
    turning non-accrual leaves 1132 through ``interest`` and ``penalty`` and arrives here.

    Worked example: 123.45 interest and 6.78 penalty — Dr 1132 130.23 / Cr 6011 123.45,
    Cr 6012 6.78; −20.00 interest and 5.00 penalty — Cr 1132 15.00, Dr 6011 20.00 / Cr 6012 5.00;
    2.24 of upfront interest earned — Dr 2401 2.24 / Cr 6011 2.24; a loan turning non-accrual
    with 85.00 receivable and 4.00 of penalty, nothing else — Cr 1132 89.00, Dr 6011 85.00,
    Dr 6012 4.00; Dr 7011 89.00 / Cr 7012 89.00.
    """
    postings = _lines(
        (("1132", interest + penalty, "应收利息及罚息"),),
        (
            ("6011", interest, "计提利息" if interest > 0 else "冲减计提利息"),
            ("6012", penalty, "计提罚息" if penalty > 0 else "冲减计提罚息（转入表外）"),
        ),
        None,
    )
    return (
        postings
        + deferred_postings(change=amortised, memo="预收利息摊销")
        + off_balance_postings(change=off_balance)
    )


def deferred_postings(
    *, change: int, loan: int | None = None, memo: str = "结转未摊销预收利息"
) -> list[Posting]:
    """Interest taken upfront becoming income (Dr 2401 / Cr 6011): day by day as it is earned, and
    what is left when a loan ends before its maturity. Worked example: 575.91 left at a payoff —
    Dr 2401 575.91 / Cr 6011 575.91."""
    return _lines((("2401", change, memo),), (("6011", change, memo),), loan)


def repayment_postings(
    *,
    loan: int,
    amount: int,
    source: str = "1011",
    receivable: int = 0,
    income: int = 0,
    principal: int = 0,
    overpayment: int = 0,
    relief: int = 0,
    deposit_back: int = 0,
    penalty: int = 0,
    off_balance: int = 0,
) -> list[Posting]:
    """A repayment of ``amount`` from ``source`` (1011 cash, 2011 the deposit, 2251 the credit
    balance), as the allocation split it: ``receivable`` — penalty and interest the nightly batch
    had accrued (off 1132); ``income`` — interest paid before it was accrued (6011 now);
    ``principal`` (1301); ``overpayment`` held for the household (2251). Under S-HALF the county
    completes the instalment's interest: ``relief`` is receivable from the finance bureau (1221).
    ``deposit_back``: the loan is repaid in full and its deposit returns to the household. On a
    non-accrual loan nothing is receivable on the books: the interest is ``income``, the penalty
    ``penalty`` (6012), and ``off_balance`` — what was kept off balance for them — leaves 7011.

    Worked example: 980.00 paid in cash and 20.00 of relief, allocated as 30.00 accrued interest,
    5.00 interest not yet accrued, 960.00 principal and 5.00 over; the loan is thereby repaid and
    its 500.00 deposit returns — Dr 1011 980.00, Dr 1221 20.00 / Cr 1132 30.00, Cr 6011 5.00,
    Cr 1301 960.00, Cr 2251 5.00; Dr 2011 500.00 / Cr 1011 500.00.
    """
    postings = [Posting(source, debit=amount, loan=loan, memo=SOURCES[source])]
    postings += _lines(
        (("1221", relief, "按时还款贴息，向财政申报"),),
        (
            ("1132", receivable, "应收利息及罚息"),
            ("6011", income, "利息"),
            ("6012", penalty, "罚息"),
            ("1301", principal, "本金"),
            ("2251", overpayment, "溢缴款"),
        ),
        loan,
    )
    postings += off_balance_postings(change=-off_balance, loan=loan, memo="非应计贷款收回表外利息")
    if deposit_back:
        postings += [
            Posting("2011", debit=deposit_back, loan=loan, memo="退还保证金"),
            Posting("1011", credit=deposit_back, loan=loan, memo="保证金转入农户账户"),
        ]
    return postings


def payoff_postings(
    *, loan: int, principal: int, receivable: int, income: int, cash: int, deposit: int, credit: int
) -> list[Posting]:
    """An early payoff (P-SEASONAL): the principal owed, the interest accrued so far (off 1132) and
    ``income`` — the interest to the day beyond what was accrued (negative: less, so 6011 is
    reduced) — settled by the deposit, the credit balance and ``cash`` (negative: the bank pays
    the household back).

    Worked example: 5 000.00 principal, 40.00 accrued, 2.50 more interest to the day, a 1 000.00
    deposit and no credit balance: the household pays 4 042.50 — Dr 1011 4 042.50, Dr 2011
    1 000.00 / Cr 1301 5 000.00, Cr 1132 40.00, Cr 6011 2.50.
    """
    debits = [("1011", cash, "收到提前还款")] if cash > 0 else []
    debits += [("2011", deposit, "保证金抵扣"), ("2251", credit, "溢缴款抵扣")]
    debits += [("6011", -income, "冲减利息（计至还款日）")] if income < 0 else []
    credits = [("1301", principal, "提前还本"), ("1132", receivable, "应收利息")]
    credits += [("6011", income, "利息（计至还款日）")] if income > 0 else []
    credits += [("1011", -cash, "退还农户")] if cash < 0 else []
    return _lines(debits, credits, loan)


def write_off_postings(
    *, loan: int, principal: int, interest: int, borne_by: Sequence[Posting] = (), off_balance: bool = False
) -> list[Posting]:
    """A write-off (R-REP-4): the principal and the receivable interest and penalty leave the
    books; the loss is the bank's (Dr 6701) unless ``borne_by`` gives the debits that share it (a
    risk-fund claim, R-RSK-3). On a non-accrual loan (``off_balance``) the interest and penalty
    were off balance: they leave 7011, and what covers them is income (Cr 6011) as it is paid.

    Worked example: 8 000.00 principal and 123.40 interest and penalty, the bank's loss —
    Dr 6701 8 123.40 / Cr 1301 8 000.00, Cr 1132 123.40; non-accrual — Dr 6701 8 123.40 /
    Cr 1301 8 000.00, Cr 6011 123.40; Dr 7012 123.40 / Cr 7011 123.40.
    """
    postings = list(borne_by) or [Posting("6701", debit=principal + interest, loan=loan, memo="核销")]
    if off_balance:
        postings += _lines(
            (), (("1301", principal, "核销本金"), ("6011", interest, "核销表外利息及罚息")), loan
        )
        return postings + off_balance_postings(change=-interest, loan=loan, memo="核销表外利息及罚息")
    return postings + _lines(
        (), (("1301", principal, "核销本金"), ("1132", interest, "核销应收利息及罚息")), loan
    )


def off_balance_postings(
    *, change: int, loan: int | None = None, memo: str = "非应计贷款表外利息"
) -> list[Posting]:
    """Interest and penalty of non-accrual loans kept off balance (表外, issue 24 (13)): up,
    Dr 7011 / Cr 7012; down (collected, cured, written off), the reverse. Worked example: a loan
    turning non-accrual with 85.00 receivable and 4.00 of penalty — Dr 7011 89.00 / Cr 7012 89.00."""
    return _lines((("7011", change, memo),), (("7012", change, memo),), loan)


def recovery_postings(
    *, loan: int, amount: int, source: str, recovered: int, shares: Sequence[Posting] = ()
) -> list[Posting]:
    """Money received on a written-off loan: up to what was written off (``recovered``) it is
    income (Cr 6013) or, on a loan the risk fund paid for, goes back to the parties in ``shares``;
    the rest is held for the household (Cr 2251).

    Worked example: 1 200.00 received, 1 000.00 still written off, the bank's own loss —
    Dr 1011 1 200.00 / Cr 6013 1 000.00, Cr 2251 200.00.
    """
    back = list(shares) if shares else _lines((), (("6013", recovered, "已核销贷款收回"),), loan)
    return [
        Posting(source, debit=amount, loan=loan, memo="核销后收回"),
        *back,
        *_lines((), (("2251", amount - recovered, "溢缴款"),), loan),
    ]


def extension_postings(*, loan: int, change: int) -> list[Posting]:
    """An extension (展期, R-REP-4) restates the interest accrued so far over the longer period:
    ``change`` more (or, negative, less) is receivable.

    Worked example: 12.34 more — Dr 1132 12.34 / Cr 6011 12.34; 5.00 less — Dr 6011 5.00 / Cr 1132 5.00.
    """
    if change > 0:
        return [
            Posting("1132", debit=change, loan=loan, memo="展期重算应收利息"),
            Posting("6011", credit=change, memo="展期重算利息"),
        ]
    return [
        Posting("6011", debit=-change, memo="展期重算利息"),
        Posting("1132", credit=-change, loan=loan, memo="展期重算应收利息"),
    ]


def rollover_postings(*, old: int, new: int, new_contract: str, principal: int) -> list[Posting]:
    """A rollover (转据, R-REP-4): the old loan's unpaid principal becomes the new loan's.

    Worked example: 3 000.00 — Dr 1301 3 000.00 (new loan) / Cr 1301 3 000.00 (old loan).
    """
    return [
        Posting("1301", debit=principal, loan=new, memo=f"转据新贷 {new_contract}"),
        Posting("1301", credit=principal, loan=old, memo="转据收回原贷本金"),
    ]


def refund_postings(*, loan: int, amount: int) -> list[Posting]:
    """A credit balance paid back to the household's account.

    Worked example: 50.00 — Dr 2251 50.00 / Cr 1011 50.00.
    """
    return [
        Posting("2251", debit=amount, loan=loan, memo="退还溢缴款"),
        Posting("1011", credit=amount, loan=loan, memo="转入农户账户"),
    ]


def provision_postings(*, change: int) -> list[Posting]:
    """A village's 贷款损失准备 moved at a month end (:mod:`fupin.core.provisioning`): up,
    Dr 6702 / Cr 1304; down, reversed. Worked example: 6 400.00 required against 5 000.00 set
    aside → Dr 6702 1 400.00 / Cr 1304 1 400.00."""
    return _lines((("6702", change, "计提贷款损失准备"),), (("1304", change, "贷款损失准备"),), None)
