"""Cooperative writes (R-COOP-1): founding with its lending rules, members, capital, loans and
repayments — each in one transaction with its balanced entry in the cooperatives' book and its
audit row. A repayment is recorded once per idempotency key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.coops.models import BOOK, Capital, Cooperative, CoopLoan, CoopRepayment, Member
from fupin.core import coop as core
from fupin.core.calendar import add_months
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.ledger import Posting as P
from fupin.divisions.models import Division
from fupin.households.models import Household
from fupin.ledger.models import Posting
from fupin.ledger.services import entry_post
from fupin.once import once

CAPITAL_ACCOUNT = {"government": "4001", "member": "4002"}


def coop_create(
    *,
    acting_user,
    village_code: str,
    name: str,
    max_amount: int,
    max_term: int,
    fee_rate: str,
    founded_on: dt.date | None = None,
) -> Cooperative:
    """Found the village's cooperative with its own lending rules (one per village)."""
    access.require(acting_user, "coop.manage", code=village_code)
    village = Division.objects.filter(code=village_code, level=5).first()
    if village is None:
        raise ValidationFailed("请选择一个村", code="village")
    try:
        rate = Decimal(str(fee_rate).strip())
    except InvalidOperation:
        rate = Decimal(-1)
    if not (0 <= rate <= 1) or max_amount <= 0 or not 1 <= max_term <= 60:
        raise ValidationFailed(
            "章程有误：借款上限须大于零，期限 1–60 个月，占用费年率在 0–1 之间", code="coop_rules"
        )
    with transaction.atomic():
        if Cooperative.objects.filter(village_code=village_code).exists():
            raise Conflict("该村已有扶贫互助社", code="coop_exists")
        coop = Cooperative.objects.create(
            village_code=village_code,
            name=name.strip()[:80] or f"{village.name}扶贫互助社",
            founded_on=founded_on or timezone.localdate(),
            max_amount=max_amount,
            max_term=max_term,
            fee_rate=rate,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="coop.create",
            obj=coop,
            division_code=village_code,
            after={"name": coop.name, "max_amount": max_amount, "max_term": max_term, "fee_rate": str(rate)},
        )
    return coop


def member_join(*, acting_user, coop: Cooperative, household: Household, on: dt.date | None = None) -> Member:
    access.require(acting_user, "coop.manage", coop)
    if household.village_id != coop.village_code:
        raise ValidationFailed("只有本村农户可以入社", code="coop_member_village")
    with transaction.atomic():
        if Member.objects.filter(household=household, left_on__isnull=True).exists():
            raise Conflict("该户已是互助社社员", code="coop_member_exists")
        m = Member.objects.create(
            coop=coop,
            household=household,
            village_code=coop.village_code,
            joined_on=on or timezone.localdate(),
        )
        audit_record(
            actor=acting_user,
            action="coop.member_join",
            obj=m,
            division_code=coop.village_code,
            after={"household": household.pk},
        )
    return m


def capital_post(
    *,
    acting_user,
    coop: Cooperative,
    kind: str,
    amount: int,
    on: dt.date | None = None,
    member: Member | None = None,
) -> Capital:
    """Capital paid in: government matching capital (recorded by the county) or a member's
    contribution (recorded by the village). Dr 1011 / Cr 4001 or 4002."""
    if kind not in core.CAPITAL_KINDS:
        raise ValidationFailed("资金来源应为政府配套资金或社员入社互助金", code="coop_capital_kind")
    access.require(acting_user, "coop.matching" if kind == "government" else "coop.manage", coop)
    if amount <= 0:
        raise ValidationFailed("金额必须大于零", code="amount")
    if kind == "member" and (member is None or member.coop_id != coop.pk or member.left_on is not None):
        raise ValidationFailed("社员入社互助金须指明本社在册社员", code="coop_capital_member")
    on = on or timezone.localdate()
    with transaction.atomic():
        entry = entry_post(
            acting_user=acting_user,
            date=on,
            division_code=coop.village_code,
            book=BOOK,
            memo=f"{coop.name} {core.CAPITAL_KINDS[kind]}",
            source=f"coop.capital:{coop.pk}",
            postings=[P("1011", debit=amount), P(CAPITAL_ACCOUNT[kind], credit=amount)],
        )
        row = Capital.objects.create(
            coop=coop,
            kind=kind,
            member=member if kind == "member" else None,
            amount=amount,
            on=on,
            entry=entry,
            village_code=coop.village_code,
            created_by=acting_user,
        )
    return row


def available(coop: Cooperative) -> int:
    """The cash the cooperative holds (1011 in its book): what it can lend."""
    t = Posting.objects.filter(
        entry__book=BOOK, entry__division_code=coop.village_code, account_id="1011"
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (t["d"] or 0) - (t["c"] or 0)


def coop_loan_make(
    *,
    acting_user,
    coop: Cooperative,
    household: Household,
    amount: int,
    term: int,
    purpose: str,
    decision: str,
    on: dt.date | None = None,
) -> CoopLoan:
    """Lend to a member under the cooperative's own rules (every refusal at once). Dr 1311 / Cr 1011."""
    access.require(acting_user, "coop.manage", coop)
    purpose, decision = purpose.strip()[:100], decision.strip()[:100]
    if not purpose or not decision:
        raise ValidationFailed("请填写用途和理事会决定（如会议纪要编号）", code="coop_loan_text")
    on = on or timezone.localdate()
    with transaction.atomic():
        Cooperative.objects.select_for_update().get(pk=coop.pk)  # one loan at a time draws on the fund
        member = Member.objects.filter(coop=coop, household=household, left_on__isnull=True).first()
        owing = (
            member is not None
            and CoopLoan.objects.filter(member=member, state=CoopLoan.State.ACTIVE).exists()
        )
        problems = core.loan_problems(
            coop.rules(),
            member=member is not None,
            amount=amount,
            term=term,
            available=available(coop),
            owing=owing,
        )
        if problems:
            raise ValidationFailed(
                "不能发放互助金借款", code="coop_loan_refused", details=[p.as_dict() for p in problems]
            )
        assert member is not None
        entry = entry_post(
            acting_user=acting_user,
            date=on,
            division_code=coop.village_code,
            book=BOOK,
            memo=f"{coop.name} 互助金借款 {household.registry_no}",
            source=f"coop.loan:{coop.pk}",
            postings=[P("1311", debit=amount), P("1011", credit=amount)],
        )
        loan = CoopLoan.objects.create(
            coop=coop,
            member=member,
            village_code=coop.village_code,
            amount=amount,
            term=term,
            fee=core.fee(amount, coop.fee_rate, term),
            purpose=purpose,
            start=on,
            due=add_months(on, term),
            decision=decision,
            entry=entry,
            created_by=acting_user,
        )
    return loan


def coop_repayment_post(
    *, acting_user, loan: CoopLoan, amount: int, key: str, on: dt.date | None = None
) -> tuple[CoopRepayment, bool]:
    """A member's payment: the fee first, then the principal (never more than owed). Dr 1011 /
    Cr 6021, Cr 1311. The same key again returns the first record."""
    access.require(acting_user, "coop.manage", loan)
    on = on or timezone.localdate()
    if amount <= 0:
        raise ValidationFailed("金额必须大于零", code="amount")

    def post() -> CoopRepayment:
        current = CoopLoan.objects.select_for_update().get(pk=loan.pk)
        owed = current.fee - current.fee_paid + current.amount - current.principal_paid
        if current.state != CoopLoan.State.ACTIVE or amount > owed:
            raise ValidationFailed(f"还款金额超过尚欠的 {owed / 100:,.2f} 元", code="coop_overpaid")
        fee, principal = core.split(
            amount, current.fee - current.fee_paid, current.amount - current.principal_paid
        )
        postings = (
            [P("1011", debit=amount)]
            + ([P("6021", credit=fee)] if fee else [])
            + ([P("1311", credit=principal)] if principal else [])
        )
        entry = entry_post(
            acting_user=acting_user,
            date=on,
            division_code=current.village_code,
            book=BOOK,
            memo=f"互助金还款 借款#{current.pk}",
            source=f"coop.repay:{current.pk}",
            postings=postings,
        )
        current.fee_paid += fee
        current.principal_paid += principal
        if current.fee_paid == current.fee and current.principal_paid == current.amount:
            current.state = CoopLoan.State.CLOSED
        current.save(update_fields=["fee_paid", "principal_paid", "state"])
        return CoopRepayment.objects.create(
            loan=current,
            key=key.strip(),
            amount=amount,
            fee=fee,
            principal=principal,
            on=on,
            entry=entry,
            village_code=current.village_code,
            created_by=acting_user,
        )

    return once(
        key, lambda r: r.loan_id == loan.pk and r.amount == amount and r.on == on, post, model=CoopRepayment
    )
