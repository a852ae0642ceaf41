"""A five-household group's weekly collection (P-GROUP): the meeting's sheet, and the members'
amounts posted together, one repayment per loan."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fupin.accounts import access
from fupin.core.errors import ProblemList, ValidationFailed
from fupin.loans.models import Group, Installment
from fupin.loans.repayments import repayment_post


def collection_sheet(group: Group, week_of: dt.date) -> list[dict]:
    """The group's sheet for the week starting ``week_of``: each member's active loans with what
    falls due that week and what is overdue."""
    end = week_of + dt.timedelta(days=6)
    members = [m.household for m in group.members.select_related("household") if m.left_on is None]
    rows = []
    for hh in members:
        for loan in hh.loans.filter(state="active").order_by("pk"):
            due = overdue = 0
            for i in Installment.objects.filter(loan=loan, due_date__lte=end):
                left = i.principal - i.principal_paid + i.interest - i.interest_paid
                if i.due_date < week_of:
                    overdue += left
                else:
                    due += left
            rows.append({"household": hh, "loan": loan, "due": due, "overdue": overdue})
    return rows


def collection_post(
    *, acting_user, group: Group, week_of: dt.date, amounts: dict[int, int], key: str
) -> list:
    """The members' amounts of one meeting entered together: one repayment per loan, each with
    an idempotency key made from the sheet's key and the loan — the sheet sent twice records
    each repayment once. Every amount is checked before any is posted."""
    access.require(acting_user, "repayment.post", group)
    key = (key or "").strip()
    if not 8 <= len(key) <= 40:
        raise ValidationFailed("收款单须带 8–40 个字符的幂等键", code="idempotency_key")
    on_sheet = {r["loan"].pk: r["loan"] for r in collection_sheet(group, week_of)}
    problems = ProblemList()
    for loan_id, amount in amounts.items():
        if loan_id not in on_sheet:
            problems.add(f"贷款 #{loan_id} 不在本小组的收款单上", field=str(loan_id))
        elif type(amount) is not int or amount < 0:
            problems.add(f"贷款 #{loan_id} 的金额应为非负数", field=str(loan_id))
    problems.raise_if_any("收款单有误，未登记任何还款", code="collection_invalid")
    out = []
    with transaction.atomic():
        for loan_id, amount in sorted(amounts.items()):
            if amount:
                out.append(
                    repayment_post(
                        acting_user=acting_user, loan=on_sheet[loan_id], amount=amount, key=f"{key}-{loan_id}"
                    )
                )
    return out
