"""Origination pages: the applications inbox, a new application from the household archive,
one application with its chain, public notices (with the printable list) and quotas."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.accounts.roles import ROLES
from fupin.core.errors import DomainError, ValidationFailed
from fupin.core.money import from_fen, money, to_fen
from fupin.core.origination import CHAIN, GUARANTOR_KINDS, PURPOSES, STATES, STEP_LABELS, approver_role
from fupin.core.products import PRESETS, lead_amount
from fupin.core.schedule.prepay import METHODS
from fupin.core.servicing import BUCKETS
from fupin.divisions.models import Division
from fupin.divisions.selectors import lender_choices
from fupin.households.models import Household
from fupin.households.selectors import name_heads
from fupin.loans import collections, disbursement, exports, groups, selectors, services
from fupin.loans.events import authority, event_decide, event_request, named
from fupin.loans.guarantors import guarantor_add
from fupin.loans.models import Application, Group, LoanEvent, Notice, Objection, Quota
from fupin.loans.repayments import loan_payoff as pay_off
from fupin.loans.repayments import loan_prepay as prepay
from fupin.loans.repayments import repayment_post
from fupin.loans.standing import arrears, loan_servicing, payoff_figures
from fupin.ratings.selectors import heads
from fupin.web import verify
from fupin.web.responses import act, date_param, int_param, pdf_inline

# 脱贫人口小额信贷 first: the programme most applications are for
PRODUCTS = sorted(
    ((code, p.name) for code, p in PRESETS.items() if code != "custom"), key=lambda x: x[0] != "subsidy"
)


@requires("application.view")
def application_list(request):
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    mine = request.GET.get("mine") == "1"
    qs = (
        selectors.awaiting(request.user)
        if mine
        else selectors.applications_visible(request.user, state=state)
    )
    page = Paginator(qs.prefetch_related(_heads()), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/applications.html",
        {
            "page": page,
            "state": state,
            "states": list(STATES.items()),
            "mine": mine,
            "query": urlencode({k: v for k, v in (("state", state), ("mine", "1" if mine else "")) if v}),
            "may_publish": access.may(request.user, "notice.publish"),
        },
    )


def _heads():
    return _heads_of("household__members")


@requires("application.create")
def application_new(request, pk: int):
    hh = access.get_visible(
        request.user, Household.objects.select_related("village"), "application.create", pk=pk
    )
    f = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            app = services.application_create(
                acting_user=request.user,
                household=hh,
                product=f.get("product", ""),
                purpose=f.get("purpose", ""),
                project=f.get("project", ""),
                amount=to_fen(money(f.get("amount", ""), field="申请金额")),
                term=int_param(f.get("term"), 0, high=10_000),
                institution=int_param(f.get("institution")),
            )
        except DomainError as e:
            problems = [p.get("message", "") for p in e.details] if isinstance(e.details, list) else []
            return render(
                request,
                "loans/application_new.html",
                {"hh": hh, "f": f, "error": e.message, "problems": problems, **_choices(request.user, hh)},
                status=422,
            )
        to = f"至{app.institution.name}" if app.institution else ""
        messages.success(request, f"申请已提交{to}，等待村委会与银行联合审查")
        return redirect("application_detail", pk=app.pk)
    return render(request, "loans/application_new.html", {"hh": hh, "f": f, **_choices(request.user, hh)})


def _choices(user, hh) -> dict:
    """The form's choices: products, purposes and the lenders serving the household's village
    (issue 25; the default first)."""
    return {
        "products": PRODUCTS,
        "purposes": list(PURPOSES.items()),
        "lenders": lender_choices(user, hh.village_id),
    }


@requires("application.view")
def application_detail(request, pk: int):
    app = selectors.application_get(request.user, pk)
    name_heads([app.household])
    steps = list(app.steps.select_related("actor"))
    for s in steps:
        s.role_label = ROLES[s.role].label if s.role in ROLES else s.role
    return render(
        request,
        "loans/application.html",
        {
            "app": app,
            "amount": from_fen(app.amount),
            "steps": steps,
            "objections": app.objections.select_related("filed_by", "resolved_by"),
            "state_label": STATES.get(app.state, app.state),
            "step_labels": STEP_LABELS,
            "approver": ROLES[
                approver_role(app.amount, services.bands_for(app.village_code, app.institution))
            ].label,
            "product": PRESETS.get(app.product),
            "purpose": PURPOSES.get(app.purpose, app.purpose),
            "may_review": access.may(request.user, "application.review", app)
            and app.state not in ("township_reviewed", "approved", "contracted", "disbursed", "rejected"),
            "may_object": access.may(request.user, "objection.file", app) and app.state == "in_notice",
            "may_resolve": access.may(request.user, "objection.resolve", app),
            "may_contract": app.state == "approved" and access.may(request.user, "loan.contract", app),
            "loan": getattr(app, "loan", None) if app.state in ("contracted", "disbursed") else None,
            "guarantors": list(app.guarantors.all()),
            "guarantors_needed": getattr(PRESETS.get(app.product), "guarantors", 0),
            "guarantor_kinds": GUARANTOR_KINDS.items(),
            "may_guarantee": app.state not in ("contracted", "disbursed", "rejected")
            and access.may(request.user, "application.create", app),
        },
    )


@require_POST
@requires("application.create")
def guarantor_new(request, pk: int):
    """A guarantor registered on the application with their signed consent (issue 24 (11))."""
    app = selectors.application_get(request.user, pk)
    f = request.POST
    return act(
        request,
        lambda: guarantor_add(
            acting_user=request.user,
            application=app,
            kind=f.get("kind", ""),
            name=f.get("name", "")[:64],
            id_number=f.get("id_number", "")[:40],
            phone=f.get("phone", "")[:20],
            relationship=f.get("relationship", "")[:32],
            consent_on=date_param(f.get("consent_on") or None, strict=True),
        ),
        "保证人已登记，合同和公示上将列明",
        "application_detail",
        pk=app.pk,
    )


@require_POST
@requires("application.review")
def application_review(request, pk: int):
    app = selectors.application_get(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        lambda: services.application_review(
            acting_user=request.user, application=app, approve=approve, reason=request.POST.get("reason", "")
        ),
        (lambda _: what_next(app.pk)) if approve else "已否决",
        "application_detail",
        pk=app.pk,
    )


def what_next(pk: int) -> str:
    """What a step's success says (issue 27 (3)): where the application stands now, the next step
    and who takes it."""
    state = Application.objects.values_list("state", flat=True).get(pk=pk)
    step = CHAIN.get(state)
    if step is None:
        return f"已办理，申请{STATES.get(state, state)}"
    action, _, role = step
    who = ROLES[role].label if role in ROLES else "贷款银行（按审批权限）"
    return f"已办理，申请{STATES[state]}。下一步：{STEP_LABELS[action]}，由{who}办理"


@require_POST
@requires("objection.file")
def objection_file(request, pk: int):
    app = selectors.application_get(request.user, pk)
    return act(
        request,
        lambda: services.objection_file(
            acting_user=request.user, application=app, text=request.POST.get("text", "")
        ),
        "异议已登记，处理前不能审批",
        "application_detail",
        pk=app.pk,
    )


@require_POST
@requires("objection.resolve")
def objection_resolve(request, pk: int):
    o = access.get_visible(request.user, Objection, "objection.resolve", pk=pk)
    return act(
        request,
        lambda: services.objection_resolve(
            acting_user=request.user,
            objection=o,
            upheld=request.POST.get("upheld") == "1",
            decision=request.POST.get("decision", ""),
        ),
        "异议已处理",
        "application_detail",
        pk=o.application_id,
    )


@requires("application.view")
def notice_list(request):
    notices = access.visible(request.user, Notice, "application.view").select_related("village")[:200]
    ready, days = [], None
    if access.may(request.user, "notice.publish"):
        ready = list(
            selectors.applications_visible(request.user, state="township_reviewed").prefetch_related(
                _heads()
            )[:500]
        )
        days = services.notice_days(ready[0].village_code) if ready else None
    return render(
        request,
        "loans/notices.html",
        {
            "notices": notices,
            "ready": ready,
            "today": timezone.localdate(),
            "notice_days": days,
            "may_approve": access.may(request.user, "roster.approve"),
        },
    )


@require_POST
@requires("notice.publish")
def notice_publish(request):
    ids = [int_param(x, 0) for x in request.POST.getlist("application")]
    apps = list(selectors.applications_visible(request.user, state="township_reviewed").filter(pk__in=ids))
    villages = {a.village_code for a in apps}

    def run():
        if len(villages) != 1:
            raise ValidationFailed("请选择同一个村的待公示申请", code="notice_village")
        services.notice_publish(acting_user=request.user, village_code=villages.pop(), applications=apps)

    return act(
        request,
        run,
        "公示已发布（自今天起），请打印张贴在村务公开栏；期满后由县扶贫办审批名单",
        "notice_list",
    )


@require_POST
@requires("roster.approve")
def roster_approve(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    try:
        approved = services.roster_approve(acting_user=request.user, notice=notice)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("notice_list")
    messages.success(request, f"名单已审批：{len(approved)} 笔，下一步由银行按审批权限审批")
    return redirect("notice_list")


@requires("application.view")
def notice_pdf(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    url = request.build_absolute_uri(reverse("verify", args=[verify.token("notice", notice.pk)]))
    return pdf_inline(
        exports.notice_pdf(notice, verify_url=url), f"公示-{notice.village.name}-{notice.start:%Y%m%d}.pdf"
    )


@requires("application.view")
def lender_list(request):
    """贷款机构: the county's lenders, their offices and their loans in the reader's jurisdiction."""
    rows = selectors.lenders_overview(request.user)
    for r in rows:  # the county, or the lender's own head office, sets its products and authority
        i = r["institution"]
        r["may_configure"] = access.may(
            request.user, "institution.manage", code=i.county_id, institution=i.pk
        )
    context = {
        "rows": rows,
        "may_import": access.may(request.user, "loanbook.import"),  # a bank's head office brings its book in
        "may_register": access.may(request.user, "institution.register"),
        "may_feeds": access.may(request.user, "feed.view"),
    }
    return render(request, "loans/lenders.html", context)


@requires("application.view")
def quota_list(request):
    year = int_param(request.GET.get("year"), timezone.localdate().year, low=2000, high=2100)
    towns = access.visible(request.user, Division.objects.filter(level=4), "application.view").order_by(
        "code"
    )
    # the quota for every lender (a lender's own quotas are set and read through the API)
    quotas = {q.township_id: q for q in Quota.objects.filter(township__in=towns, year=year, institution=None)}
    rows = []
    towns = list(towns[:200])
    usage = services.quotas_used([t.code for t in towns], year)
    for t in towns:
        used = usage.get(t.code, {"amount": 0, "lead": 0, "households": 0})
        q = quotas.get(t.code)
        rows.append(
            {
                "town": t,
                "quota": q,
                "used": from_fen(used["amount"]),
                "households": used["households"],
                "lead": from_fen(used["lead"]),
                "pct": round(100 * used["amount"] / q.amount, 1) if q and q.amount else None,
            }
        )
    return render(
        request,
        "loans/quotas.html",
        {"rows": rows, "year": year, "may_manage": access.may(request.user, "quota.manage")},
    )


@require_POST
@requires("quota.manage")
def quota_set(request):
    f = request.POST

    def run():
        amount = f.get("amount", "").strip()
        households = f.get("households", "").strip()
        deadline = f.get("deadline", "").strip()
        try:
            d = dt.date.fromisoformat(deadline) if deadline else None
        except ValueError:
            raise ValidationFailed("截止日期格式应为 YYYY-MM-DD", code="quota_invalid") from None
        lead = f.get("lead_amount", "").strip()
        services.quota_set(
            acting_user=request.user,
            township_code=f.get("township", "")[:12],
            year=int_param(f.get("year"), timezone.localdate().year, low=2000, high=2100),
            amount=to_fen(money(amount, field="额度")) if amount else None,
            households=int_param(households, 0, high=10_000_000) if households else None,
            deadline=d,
            lead_amount=to_fen(money(lead, field="带动主体额度")) if lead else None,
        )

    return act(request, run, "额度已保存", "quota_list")


@require_POST
@requires("loan.contract")
def loan_contract(request, pk: int):
    app = selectors.application_get(request.user, pk)
    return act(
        request,
        lambda: disbursement.loan_contract(acting_user=request.user, application=app),
        lambda loan: f"合同 {loan.contract_no} 已生成，请打印后由借款人签字",
        "application_detail",
        pk=app.pk,
        then=lambda loan: ("loan_detail", {"pk": loan.pk}),
    )


@requires("application.view")
def loan_detail(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    name_heads([loan.household])
    parts = selectors.loan_parts(
        loan
    )  # the schedule (which the standing and the quote read too) and the rest
    standing = arrears(loan, timezone.localdate()) if loan.state == "active" else None
    return render(
        request,
        "loans/loan.html",
        {
            "loan": loan,
            "installments": parts["installments"],
            "principal": from_fen(loan.principal),
            "repayments": parts["repayments"],
            "key": uuid.uuid4().hex,
            "standing": standing,
            # what is due today (overdue and today's, with the penalty posted): the form's amount
            "due_now": _due_now(parts["installments"], standing),
            "receipt": request.session.pop("receipt", None),
            "today": timezone.localdate(),
            "quote": _quote(loan),
            "servicing": loan_servicing(loan),
            "events": parts["events"],
            "event_kinds": LoanEvent.Kind.choices,
            "may_request": access.may(request.user, "loan.event.request", loan),
            "may_decide": access.may(request.user, "loan.event.approve", loan),
            "may_repay": loan.state in ("active", "written_off")
            and access.may(request.user, "repayment.post", loan),
            "may_disburse": loan.state == "contracted" and access.may(request.user, "loan.disburse", loan),
            "may_claim": loan.state == "active" and access.may(request.user, "fundclaim.submit", loan),
            "regulator": selectors.regulator_flag(loan),  # R-RPT-1a
            "stated_rate": getattr(PRESETS.get(loan.product), "stated_rate", None),
            "guarantors": selectors.guarantors_of(loan) if loan.state == "active" else [],
            "prepay_methods": [(m, METHODS[m]) for m in getattr(PRESETS.get(loan.product), "prepayment", ())],
            "fund_claims": parts["fund_claims"],
            "subsidy_lines": parts["subsidy_lines"],
        },
    )


@requires("application.view")
def loan_contract_pdf(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    return pdf_inline(exports.contract_pdf(loan), f"借款合同-{loan.contract_no}.pdf")


@require_POST
@requires("loan.disburse")
def loan_disburse(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    return act(
        request,
        lambda: disbursement.loan_disburse(acting_user=request.user, loan=loan),
        "已放款，并已记账",
        "loan_detail",
        pk=loan.pk,
    )


def _household_by_number(village: str, number: str):
    return Household.objects.filter(village_id=village, registry_no=number.strip()[:40]).first()


@requires("application.view")
def group_list(request):
    """Joint-liability groups in scope with their members and arrears; a form to form one."""
    qs = (
        access.visible(request.user, Group, "application.view")
        .filter(dissolved_on__isnull=True)
        .select_related("village", "leader")
        .prefetch_related("members__household")[:300]
    )
    members = {g.pk: [m.household for m in g.members.all() if m.left_on is None] for g in qs}
    name_heads([g.leader for g in qs] + [h for ms in members.values() for h in ms])
    late = groups.households_in_arrears([h.pk for ms in members.values() for h in ms], timezone.localdate())
    rows = [
        {"group": g, "members": members[g.pk], "late": [h.pk for h in members[g.pk] if h.pk in late]}
        for g in qs
    ]
    may_manage = access.may(request.user, "group.manage")
    if request.method == "POST":
        if not may_manage:
            return render(
                request, "error.html", {"message": "您没有权限组建联保小组", "code": "forbidden"}, status=403
            )
        f = request.POST
        village = f.get("village", "")[:12]

        def run():
            numbers = [n for n in f.getlist("member") if n.strip()]
            found = [_household_by_number(village, n) for n in numbers]
            missing = [n for n, h in zip(numbers, found, strict=True) if h is None]
            if missing:
                raise ValidationFailed(f"本村没有户编号 {'、'.join(missing)}", code="group_members")
            leader = _household_by_number(village, f.get("leader", "")) or (found[0] if found else None)
            if leader is None:
                raise ValidationFailed("请填写小组长和成员的户编号", code="group_members")
            groups.group_create(
                acting_user=request.user,
                village_code=village,
                name=f.get("name", ""),
                leader=leader,
                households=[h for h in found if h is not None],
            )

        return act(request, run, "联保小组已成立", "group_list")
    return render(
        request,
        "loans/groups.html",
        {
            "rows": rows,
            "may_manage": may_manage,
            "villages": access.visible(
                request.user, Division.objects.filter(level=5), "group.manage"
            ).values_list("code", "name")[:500],
            "concentrated": groups.concentrated_groups(request.user),
            "slots": range(5),
        },
    )


@require_POST
@requires("loan.contract")
def actual_use(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    f = request.POST

    def run():
        user = _household_by_number(loan.village_code, f.get("household", ""))
        if user is None:
            raise ValidationFailed("本村没有这个户编号", code="use_household")
        groups.actual_use_record(
            acting_user=request.user,
            loan=loan,
            user_household=user,
            amount=to_fen(money(f.get("amount", ""), field="金额")),
        )

    return act(request, run, "实际用款人已登记", "loan_detail", pk=loan.pk)


@requires("application.view")
def lead_agreements(request, pk: int):
    """A lead household's agreements with driven households: the roster (附表7) and a form."""
    lead = access.get_visible(
        request.user, Household.objects.select_related("village"), "application.view", pk=pk
    )
    if request.method == "POST":
        if not access.may(request.user, "group.manage", lead):
            return render(
                request, "error.html", {"message": "您没有权限签订带动协议", "code": "forbidden"}, status=403
            )
        f = request.POST

        def run():
            driven = Household.objects.filter(
                village__code__startswith=lead.village_id[:6], registry_no=f.get("driven", "").strip()[:40]
            ).first()
            if driven is None:
                raise ValidationFailed("本县没有这个户编号", code="agreement_driven")
            groups.lead_agreement_sign(
                acting_user=request.user, lead=lead, driven=driven, terms=f.get("terms", "")
            )

        return act(request, run, "带动协议已登记", "lead_agreements", pk=lead.pk)
    agreements = lead.lead_agreements.select_related("driven", "driven__village").prefetch_related(
        _heads_of("driven__members")
    )
    active = [a for a in agreements if a.ended_on is None]
    allowance = PRESETS["lead"].lead
    return render(
        request,
        "loans/lead.html",
        {
            "lead": lead,
            "agreements": agreements,
            "count": len(active),
            "limit": from_fen(lead_amount(allowance.per_household, len(active), allowance.ceiling)),
            "per": from_fen(allowance.per_household),
            "may_manage": access.may(request.user, "group.manage", lead),
        },
    )


def _heads_of(path: str):
    return heads(path)


@require_POST
@requires("repayment.post")
def loan_repay(request, pk: int):
    """The form carries a key made when the page was shown: a double submit records once."""

    loan = selectors.loan_get(request.user, pk)

    def run():
        payer = request.POST.get("guarantor", "")
        r, created = repayment_post(
            acting_user=request.user,
            loan=loan,
            amount=to_fen(money(request.POST.get("amount", ""), field="还款金额")),
            key=request.POST.get("key", "")[:64],
            on=date_param(request.POST.get("on"), timezone.localdate()),
            guarantor=loan.application.guarantors.filter(pk=int(payer)).first() if payer.isdigit() else None,
        )
        if not created:
            messages.info(request, "这笔还款已经登记过，没有重复记账")
        request.session["receipt"] = r.pk  # the loan's page offers its receipt to print

    return act(request, run, "还款已登记并记账，可打印收据交给农户", "loan_detail", pk=loan.pk)


def _applied(allocation: list) -> list[tuple[str, int]]:
    """How a repayment was applied, by kind in Chinese: an ordinary one's (seq, bucket, fen) lines
    summed by bucket; a recovery after write-off; a payoff's principal and interest."""
    sums: dict[str, int] = {}
    for line in allocation:
        if line[0] == "recovery":
            parts = [("核销后收回", line[1])]
        elif line[0] == "payoff":
            parts = [("本金", line[1]), ("利息", line[2])]
        else:
            parts = [(BUCKETS.get(line[1], line[1]), line[2])]
        for label, fen in parts:
            sums[label] = sums.get(label, 0) + fen
    return [(label, fen) for label, fen in sums.items() if fen]


@requires("application.view")
def repayment_receipt(request, pk: int):
    """A repayment's receipt (还款收据), printable, for the household (issue 27 (5))."""
    r = selectors.repayment_get(request.user, pk)
    head = r.loan.household.members.filter(is_head=True, left_on__isnull=True).first()
    return render(
        request,
        "loans/receipt.html",
        {
            "r": r,
            "head": head,
            "lines": _applied(r.allocation),
        },
    )


def _due_now(installments, standing) -> int:
    """Fen due by today on an active loan: unpaid principal and interest of instalments due, and
    the penalty the nightly batch posted; 0 otherwise."""
    if standing is None:
        return 0
    today = timezone.localdate()
    owed = sum(
        i.principal - i.principal_paid + i.interest - i.interest_paid
        for i in installments
        if i.due_date <= today
    )
    return owed + standing["penalty"]


def _quote(loan):
    """Today's payoff figure for the page, or None when it cannot be paid off today."""

    if loan.state != "active":
        return None
    try:
        return payoff_figures(loan, timezone.localdate())
    except DomainError:
        return None


@require_POST
@requires("repayment.post")
def loan_payoff(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    return act(
        request,
        lambda: pay_off(acting_user=request.user, loan=loan, key=request.POST.get("key", "")[:64]),
        "已提前还清，贷款已结清",
        "loan_detail",
        pk=loan.pk,
    )


@require_POST
@requires("repayment.post")
def loan_prepay(request, pk: int):
    """Part of the principal paid early, the rest re-amortised (部分提前还款); a double submit
    records once."""
    loan = selectors.loan_get(request.user, pk)

    def run():
        _, created = prepay(
            acting_user=request.user,
            loan=loan,
            amount=to_fen(money(request.POST.get("amount", ""), field="提前还本金额")),
            method=request.POST.get("method", ""),
            key=request.POST.get("key", "")[:64],
        )
        if not created:
            messages.info(request, "这笔提前还款已经登记过，没有重复记账")

    return act(request, run, "部分提前还款已记账，剩余本金的还款计划已重新计算", "loan_detail", pk=loan.pk)


# --- servicing: extension, rollover, write-off, refund (R-REP-4); group collection (P-GROUP) ----


@require_POST
@requires("loan.event.request")
def loan_event_request(request, pk: int):
    loan = selectors.loan_get(request.user, pk)
    f = request.POST

    def run():
        maturity = f.get("new_maturity") or None
        amount = f.get("amount", "").strip()
        return event_request(
            acting_user=request.user,
            loan=loan,
            kind=f.get("kind", ""),
            reason=f.get("reason", ""),
            new_maturity=date_param(maturity, strict=True),
            amount=to_fen(money(amount, field="金额")) if amount else None,
        )

    return act(
        request, run, lambda e: f"{e.get_kind_display()}申请已提交，待另一人审批", "loan_detail", pk=loan.pk
    )


@require_POST
@requires("loan.event.approve")
def loan_event_decide(request, pk: int):
    event = access.get_visible(
        request.user, LoanEvent.objects.select_related("loan"), "loan.event.approve", pk=pk
    )
    approve = request.POST.get("approve") == "1"
    return act(
        request,
        lambda: event_decide(
            acting_user=request.user, event=event, approve=approve, note=request.POST.get("note", "")
        ),
        "已批准并记账" if approve else "已驳回",
        "loan_events",
    )


@requires("application.view")
def loan_events(request):
    events = list(
        access.visible(request.user, LoanEvent, "application.view")
        .select_related("loan__institution", "requested_by", "decided_by")
        .order_by("state", "-requested_at")[:300]
    )
    waiting = [e for e in events if e.state == LoanEvent.State.REQUESTED]
    prefetch_related_objects(waiting, "loan__installments")  # what is at stake, one query
    for e in waiting:  # who may decide what waits (R-APP-3): the form only for them
        roles = authority(e)
        e.deciders = named(roles)
        e.mine = access.role_over(request.user, roles, e.village_code, e.loan.institution_id) is not None
    return render(request, "loans/events.html", {"events": events})


@requires("application.view")
def group_collect(request, pk: int):
    """The group meeting's collection sheet (P-GROUP): members' amounts entered together."""
    group = access.get_visible(
        request.user, Group.objects.select_related("village"), "application.view", pk=pk
    )
    today = timezone.localdate()
    week_of = date_param(
        request.GET.get("week") or request.POST.get("week"), today - dt.timedelta(days=today.weekday())
    )
    if request.method == "POST":
        access.require(request.user, "repayment.post", group)

        def run():
            amounts = {
                int(name[5:]) if name[5:].isdigit() else -1: to_fen(money(value, field="金额"))
                for name, value in request.POST.items()
                if name.startswith("loan-") and value.strip()
            }
            return collections.collection_post(
                acting_user=request.user,
                group=group,
                week_of=week_of,
                amounts=amounts,
                key=request.POST.get("key", ""),
            )

        return act(request, run, lambda done: f"已登记 {len(done)} 笔还款", "group_collect", pk=group.pk)
    rows = collections.collection_sheet(group, week_of)
    name_heads([r["household"] for r in rows])
    return render(
        request,
        "loans/group_collect.html",
        {
            "group": group,
            "week_of": week_of,
            "week_end": week_of + dt.timedelta(days=6),
            "rows": rows,
            "key": f"g{group.pk}-{uuid.uuid4().hex[:20]}",
            "may_post": access.may(request.user, "repayment.post", group),
            "due": sum(r["due"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows),
        },
    )
