"""The loan's page naming its borrower (issue 27 (1)); the repayment form and its receipt (issue
27 (5)): what is due today filled in, the date received, a printable receipt naming the borrower
and how the money was applied. Pages only: run once, on the pinned day (the close of business's
own tests run on other days and databases)."""

from __future__ import annotations

import datetime as dt
import re

from fupin.core.money import from_fen
from fupin.loans.models import Repayment
from fupin.loans.standing import arrears
from fupin.web.templatetags.fupin import yuan
from tests.cob.conftest import close_days, past_loan, today

DAY = dt.timedelta(days=1)


def test_the_repayment_form_prefills_what_is_due_and_prints_a_receipt(rt, hh):
    """Issue 27 (5): the loan's page says what is due today and fills it in, with today's date;
    after posting it offers the receipt, which names the borrower and how the money was applied."""
    start = today() - 100 * DAY
    loan = past_loan(rt, hh, start)  # three months, unpaid: late
    close_days(start, today() - DAY)
    c = rt.world.client("loan_officer")
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    due = (
        sum(
            i.principal - i.principal_paid + i.interest - i.interest_paid
            for i in loan.installments.filter(due_date__lte=today())
        )
        + arrears(loan, today())["penalty"]
    )
    assert due > 0 and f'name="amount" inputmode="decimal" required value="{from_fen(due)}"' in page
    assert f'name="on" type="date" value="{today()}"' in page and "今天应还" in page
    head = hh.members.get(is_head=True, left_on__isnull=True)
    assert head.name in page  # people by their names, not their numbers (issue 27 (1))
    assert head.name in c.get(f"/loans/applications/{loan.application_id}/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    r = c.post(f"/loans/{loan.pk}/repay/", {"key": key, "amount": str(from_fen(due)), "on": str(today())})
    assert r.status_code == 302
    paid = Repayment.objects.get(key=key)
    assert paid.amount == due and paid.received_on == today()
    # the morning's collection list shows the payment at once, beside what was due (issue 27 (5))
    listed = c.get("/cob/collections/", {"date": str(today())}).content.decode()
    row = listed[listed.index(loan.contract_no) :]
    row = row[: row.index("</tr>")]
    assert f'<td class="num">{yuan(due)}</td><td></td>' in row and "当日已收" in listed
    after = c.get(f"/loans/{loan.pk}/").content.decode()
    assert f"/loans/repayments/{paid.pk}/receipt/" in after and "打印还款收据" in after
    receipt = c.get(f"/loans/repayments/{paid.pk}/receipt/").content.decode()
    assert head.name in receipt and loan.contract_no in receipt and "逾期本金" in receipt
    assert rt.world.client("household").get(f"/loans/repayments/{paid.pk}/receipt/").status_code == 403
