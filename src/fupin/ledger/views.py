"""Ledger pages: the trial balance, the chart of accounts, an account statement, one entry."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.ledger import KINDS
from fupin.divisions.selectors import institution_choices, institution_pick
from fupin.ledger import selectors, services
from fupin.ledger.models import Account
from fupin.web.responses import act, date_param


@requires("ledger.view")
def trial_balance(request):
    """The trial balance of the reader's jurisdiction, of every institution's books or one's (issue 25)."""
    on = date_param(request.GET.get("on"), timezone.localdate())
    lender = institution_pick(request.user, "ledger.view", request.GET.get("institution"))
    pk = lender.pk if lender else None
    return render(
        request,
        "ledger/trial_balance.html",
        {
            "tb": selectors.trial_balance(request.user, on=on, institution=pk),
            "subledgers": selectors.subledgers(request.user, institution=pk),
            "institutions": institution_choices(request.user, "ledger.view"),
            "institution": lender,
        },
    )


@requires("ledger.view")
def accounts(request):
    if request.method == "POST":
        if not access.may(request.user, "ledger.chart"):
            return render(
                request,
                "error.html",
                {"message": "只有总社可以修改会计科目", "code": "forbidden"},
                status=403,
            )
        f = request.POST
        return act(
            request,
            lambda: services.account_save(
                acting_user=request.user,
                code=f.get("code", "")[:8],
                name=f.get("name", "")[:40],
                kind=f.get("kind", ""),
                active=f.get("active", "1") == "1",
            ),
            "会计科目已保存",
            "ledger_accounts",
        )
    return render(
        request,
        "ledger/accounts.html",
        {
            "accounts": Account.objects.all(),
            "kinds": list(KINDS.items()),
            "may_edit": access.may(request.user, "ledger.chart"),
        },
    )


@requires("ledger.view")
def statement(request, code: str):
    today = timezone.localdate()
    end = date_param(request.GET.get("end"), today)
    start = date_param(request.GET.get("start"), end.replace(day=1))
    return render(
        request,
        "ledger/statement.html",
        {"st": selectors.statement(request.user, code[:8], start=start, end=end), "start": start, "end": end},
    )


@requires("ledger.view")
def entry(request, pk: int):
    e = selectors.entry_get(request.user, pk)
    return render(
        request,
        "ledger/entry.html",
        {
            "e": e,
            "postings": e.postings.select_related("account"),
            "reversed_by": getattr(e, "reversed_by", None),
            "may_reverse": access.may(request.user, "ledger.reverse", e)
            and e.created_by_id != request.user.pk,
        },
    )


@require_POST
@requires("ledger.reverse")
def entry_reverse(request, pk: int):
    e = selectors.entry_get(request.user, pk)
    return act(
        request,
        lambda: services.entry_reverse(
            acting_user=request.user, entry=e, reason=request.POST.get("reason", "")
        ),
        "已做冲正分录",
        "ledger_entry",
        pk=e.pk,
    )
