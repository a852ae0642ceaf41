"""Risk fund pages: the county fund with its position and contributions, claims with their proofs
through review and payout, the blacklist and legal actions."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core import riskfund as core
from fupin.core.errors import ValidationFailed
from fupin.core.money import money, to_fen
from fupin.divisions.models import Division
from fupin.households.models import Household
from fupin.households.selectors import name_heads
from fupin.loans.selectors import loan_get
from fupin.riskfund import selectors, services
from fupin.riskfund.models import Blacklist, Claim, Fund, LegalAction
from fupin.web.responses import act, date_param, int_param

REVIEW_STEP = {
    Claim.State.SUBMITTED: "fundclaim.village",
    Claim.State.VILLAGE: "fundclaim.township",
    Claim.State.TOWNSHIP: "fundclaim.approve",
}


@requires("riskfund.view")
def riskfund_overview(request):
    funds = selectors.funds(request.user)
    counties = [] if funds else [d for d in access.visible(request.user, _counties(), "riskfund.manage")]
    return render(
        request,
        "riskfund/overview.html",
        {
            "funds": [(f, pos, f.contributions.all()[:30]) for f, pos in funds],
            "claims": selectors.claims(request.user),
            "presets": list(core.SHARING),
            "counties": counties,
            "may_contribute": access.may(request.user, "riskfund.contribute"),
        },
    )


def _counties():
    return Division.objects.filter(level=3)


@require_POST
@requires("riskfund.manage")
def riskfund_create(request):
    post = request.POST
    return act(
        request,
        lambda: services.fund_create(
            acting_user=request.user,
            county_code=post.get("county", "")[:12],
            name=post.get("name", ""),
            preset=post.get("preset", ""),
            insurance_first=post.get("insurance_first") == "1",
            overdue_days=int_param(post.get("overdue_days") or "90", 0),
        ),
        "已设立风险补偿金",
        "riskfund_overview",
    )


@require_POST
@requires("riskfund.contribute")
def riskfund_contribute(request, pk: int):
    fund = access.get_visible(request.user, Fund.objects.all(), "riskfund.contribute", pk=pk)
    post = request.POST
    return act(
        request,
        lambda: services.contribution_post(
            acting_user=request.user,
            fund=fund,
            source=post.get("source", ""),
            amount=to_fen(money(post.get("amount", ""), field="金额")),
            on=date_param(post.get("on"), timezone.localdate(), strict=True),
        ),
        "已记入注资",
        "riskfund_overview",
    )


def _proofs(request) -> list[tuple[str, str, bytes]]:
    return [
        (f.name, f.content_type or "", f.read(services.MAX_PROOF + 1))
        for f in request.FILES.getlist("proofs")
    ][:10]


@requires("fundclaim.submit")
def claim_new(request, pk: int):
    loan = loan_get(request.user, pk)
    subject = {
        "contract_no": loan.contract_no,
        "amount": loan.principal,
        "back": reverse("loan_detail", args=[pk]),
    }
    return _claim_form(
        request,
        subject,
        lambda post: services.claim_submit(
            acting_user=request.user,
            loan=loan,
            cause=post.get("cause", ""),
            description=post.get("description", ""),
            proofs=_proofs(request),
        ),
        "claim_new",
        pk,
    )


@requires("fundclaim.submit")
def bank_claim_new(request, pk: int):
    """A claim on a loan of a bank that keeps its own core system (issue 25 (3))."""
    x = selectors.bank_loan_get(request.user, pk)
    subject = {
        "contract_no": x.contract_no,
        "amount": x.amount,
        "lender": x.feed.institution.name,
        "as_of": x.feed.month,
        "balance": x.balance,
        "days_overdue": x.days_overdue,
        "back": reverse("household_detail", args=[x.household_id]) if x.household_id else "",
    }
    return _claim_form(
        request,
        subject,
        lambda post: services.claim_submit_bank(
            acting_user=request.user,
            institution=x.feed.institution_id,
            contract_no=x.contract_no,
            cause=post.get("cause", ""),
            description=post.get("description", ""),
            proofs=_proofs(request),
        ),
        "bank_claim_new",
        pk,
    )


def _claim_form(request, subject: dict, submit, name: str, pk: int):
    if request.method != "POST":
        return render(request, "riskfund/claim_new.html", {"subject": subject, "causes": core.CAUSES})
    return act(
        request,
        lambda: submit(request.POST),
        "已提出代偿申请",
        name,
        pk=pk,
        then=lambda c: ("claim_detail", {"pk": c.pk}),
    )


@requires("fundclaim.view")
def claim_detail(request, pk: int):
    claim = selectors.claim_get(request.user, pk)
    step = REVIEW_STEP.get(claim.state)
    return render(
        request,
        "riskfund/claim.html",
        {
            "claim": claim,
            "proofs": claim.proofs.defer("data"),
            "recoveries": selectors.recoveries(claim),
            "may_review": step is not None and access.may(request.user, step, claim),
            "may_pay": claim.state == Claim.State.APPROVED
            and access.may(request.user, "fundclaim.pay", claim),
            "may_add": claim.state not in (Claim.State.PAID, Claim.State.REJECTED)
            and access.may(request.user, "fundclaim.submit", claim),
        },
    )


@require_POST
@requires("fundclaim.review")
def claim_review(request, pk: int):
    claim = selectors.claim_get(request.user, pk)
    return act(
        request,
        lambda: services.claim_review(
            acting_user=request.user,
            claim=claim,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        ),
        lambda c: f"已办理：{c.get_state_display()}",
        "claim_detail",
        pk=pk,
    )


@require_POST
@requires("fundclaim.pay")
def claim_pay(request, pk: int):
    claim = selectors.claim_get(request.user, pk)
    return act(
        request,
        lambda: services.claim_pay(
            acting_user=request.user,
            claim=claim,
            insurance=to_fen(money(request.POST.get("insurance") or "0", field="保险赔付")),
        ),
        "已代偿并核销",
        "claim_detail",
        pk=pk,
    )


@require_POST
@requires("fundclaim.submit")
def claim_proof_add(request, pk: int):
    claim = selectors.claim_get(request.user, pk)

    def add():
        files = _proofs(request)
        if not files:
            raise ValidationFailed("请选择文件", code="proof_missing")
        return [
            services.proof_add(acting_user=request.user, claim=claim, name=n, content_type=t, data=d)
            for n, t, d in files
        ]

    return act(request, add, "已上传证明材料", "claim_detail", pk=pk)


@requires("fundclaim.view")
def proof_download(request, pk: int):
    proof = selectors.proof_get(request.user, pk)
    r = HttpResponse(bytes(proof.data), content_type=proof.content_type)
    r["Content-Disposition"] = "inline"
    r["X-Content-Type-Options"] = "nosniff"
    return r


@requires("household.view")
def blacklist_list(request):
    rows = selectors.blacklist(request.user)
    name_heads([b.household for b in rows])
    return render(
        request,
        "riskfund/blacklist.html",
        {"rows": rows, "may_lift": access.may(request.user, "blacklist.decide")},
    )


@require_POST
@requires("blacklist.decide")
def blacklist_decide(request, pk: int):
    hh = access.get_visible(request.user, Household, "blacklist.decide", pk=pk)
    return act(
        request,
        lambda: services.blacklist_decide(
            acting_user=request.user,
            household=hh,
            reason=request.POST.get("reason", ""),
            decision_no=request.POST.get("decision_no", ""),
        ),
        "已列入失信黑名单",
        "household_detail",
        pk=pk,
    )


@require_POST
@requires("blacklist.decide")
def blacklist_lift(request, pk: int):
    b = access.get_visible(request.user, Blacklist.objects.all(), "blacklist.decide", pk=pk)
    return act(
        request,
        lambda: services.blacklist_lift(
            acting_user=request.user, blacklisting=b, reason=request.POST.get("reason", "")
        ),
        "已撤销失信黑名单",
        "household_detail",
        pk=b.household_id,
    )


@require_POST
@requires("legal.record")
def legal_record(request, pk: int):
    hh = access.get_visible(request.user, Household, "legal.record", pk=pk)
    post = request.POST
    return act(
        request,
        lambda: services.legal_action_record(
            acting_user=request.user,
            household=hh,
            kind=post.get("kind", ""),
            note=post.get("note", ""),
            on=date_param(post.get("on"), timezone.localdate(), strict=True),
        ),
        "已登记法律措施",
        "household_detail",
        pk=pk,
    )


LEGAL_KINDS = LegalAction.Kind.choices
