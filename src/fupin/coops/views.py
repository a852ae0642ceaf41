"""Cooperative pages: the report of every cooperative in scope (R-COOP-2, with its chart and
Excel), one cooperative with its capital, members, loans and books, and the forms that move money."""

from __future__ import annotations

import secrets

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.coops import selectors, services
from fupin.coops.models import Cooperative, CoopLoan, Member
from fupin.core import coop as core
from fupin.core.errors import ValidationFailed
from fupin.core.money import from_fen, money, to_fen
from fupin.divisions.models import Division
from fupin.households.models import Household
from fupin.reports.exports import sheets_xlsx
from fupin.web.responses import act, attachment, date_param


def _int(text: str | None, label: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise ValidationFailed(f"{label}应为整数", code="number") from None


def _fen(text: str | None) -> int:
    return to_fen(money(text or "", field="金额"))


@requires("coop.view")
def coop_list(request):
    rows = selectors.report(selectors.coops(request.user), timezone.localdate())
    have = {r["coop"].village_code for r in rows}
    villages = [
        d
        for d in access.visible(request.user, Division.objects.filter(level=5), "coop.manage")
        if d.code not in have
    ][:200]
    chart = [
        {
            "id": "rates",
            "x": [r["coop"].name for r in rows],
            "series": [
                {
                    "name": "入社率 %",
                    "data": [round(float(r["membership"].value or 0) * 100, 2) for r in rows],
                },
                {
                    "name": "借款率 %",
                    "data": [round(float(r["borrowing"].value or 0) * 100, 2) for r in rows],
                },
            ],
        }
    ]
    return render(
        request,
        "coops/list.html",
        {"rows": rows, "villages": villages, "chart": chart, "target": int(core.TARGET * 100)},
    )


@requires("coop.view")
def coop_export(request):
    rows = selectors.report(selectors.coops(request.user), timezone.localdate())
    headers = [
        "互助社",
        "村代码",
        "政府配套资金（元）",
        "社员互助金（元）",
        "可用资金（元）",
        "社员户数",
        "低收入户数",
        "入社低收入户数",
        "入社率",
        "借款社员户数",
        "借款率",
        "借款笔数",
        "累计借出（元）",
        "借款余额（元）",
        "占用费收入（元）",
        "到期借款还款率",
        "逾期笔数",
    ]
    body = [
        [
            r["coop"].name,
            r["coop"].village_code,
            float(from_fen(r["government"])),
            float(from_fen(r["member_capital"])),
            float(from_fen(r["cash"])),
            r["members"],
            r["low_income"],
            r["low_income_members"],
            r["membership"].percent(),
            r["borrowing"].part,
            r["borrowing"].percent(),
            r["loans"],
            float(from_fen(r["lent"])),
            float(from_fen(r["outstanding"])),
            float(from_fen(r["fees"])),
            r["repayment_rate"] or "—",
            r["overdue"],
        ]
        for r in rows
    ]
    return attachment(
        sheets_xlsx([("互助社", headers, body)]), f"扶贫互助社-{timezone.localdate():%Y%m%d}.xlsx"
    )


@require_POST
@requires("coop.manage")
def coop_create(request):
    post = request.POST
    return act(
        request,
        lambda: services.coop_create(
            acting_user=request.user,
            village_code=post.get("village", "")[:12],
            name=post.get("name", ""),
            max_amount=_fen(post.get("max_amount")),
            max_term=_int(post.get("max_term"), "最长期限"),
            fee_rate=str(money(post.get("fee_rate", ""), field="占用费年率") / 100),
        ),
        "已成立扶贫互助社",
        "coop_list",
        then=lambda c: ("coop_detail", {"pk": c.pk}),
    )


@requires("coop.view")
def coop_detail(request, pk: int):
    coop = selectors.coop_get(request.user, pk)
    report = selectors.report([coop], timezone.localdate())[0]
    members = list(coop.members.filter(left_on__isnull=True).select_related("household"))
    joined = {m.household_id for m in members}
    candidates = [
        h
        for h in Household.objects.filter(village_id=coop.village_code).order_by("registry_no")[:500]
        if h.pk not in joined
    ]
    return render(
        request,
        "coops/detail.html",
        {
            "coop": coop,
            "r": report,
            "members": members,
            "candidates": candidates,
            "loans": coop.loans.select_related("member__household")[:200],
            "capital": coop.capital.select_related("member__household")[:100],
            "books": selectors.books(coop),
            "key": secrets.token_hex(8),
            "may_manage": access.may(request.user, "coop.manage", coop),
            "may_match": access.may(request.user, "coop.matching", coop),
            "kinds": core.CAPITAL_KINDS,
        },
    )


@require_POST
@requires("coop.manage")
def coop_member_join(request, pk: int):
    coop = access.get_visible(request.user, Cooperative, "coop.manage", pk=pk)

    def join():
        household = access.get_visible(
            request.user, Household, "coop.manage", pk=_int(request.POST.get("household"), "农户")
        )
        return services.member_join(acting_user=request.user, coop=coop, household=household)

    return act(request, join, "已入社", "coop_detail", pk=pk)


@require_POST
@requires("coop.view")
def coop_capital(request, pk: int):
    coop = selectors.coop_get(request.user, pk)
    post = request.POST

    def post_capital():
        member = None
        if post.get("member"):
            member = Member.objects.filter(coop=coop, pk=_int(post.get("member"), "社员")).first()
        return services.capital_post(
            acting_user=request.user,
            coop=coop,
            kind=post.get("kind", ""),
            amount=_fen(post.get("amount")),
            member=member,
            on=date_param(post.get("on"), timezone.localdate(), strict=True),
        )

    return act(request, post_capital, "已入账", "coop_detail", pk=pk)


@require_POST
@requires("coop.manage")
def coop_loan_new(request, pk: int):
    coop = access.get_visible(request.user, Cooperative, "coop.manage", pk=pk)
    post = request.POST

    def make():
        member = access.get_visible(
            request.user, Member, "coop.manage", pk=_int(post.get("member"), "社员"), coop=coop
        )
        return services.coop_loan_make(
            acting_user=request.user,
            coop=coop,
            household=member.household,
            amount=_fen(post.get("amount")),
            term=_int(post.get("term"), "期限"),
            purpose=post.get("purpose", ""),
            decision=post.get("decision", ""),
        )

    return act(request, make, "已发放互助金借款", "coop_detail", pk=pk)


@require_POST
@requires("coop.manage")
def coop_repay(request, pk: int):
    loan = access.get_visible(request.user, CoopLoan, "coop.manage", pk=pk)
    post = request.POST
    return act(
        request,
        lambda: services.coop_repayment_post(
            acting_user=request.user, loan=loan, amount=_fen(post.get("amount")), key=post.get("key", "")
        ),
        "已收款",
        "coop_detail",
        pk=loan.coop_id,
    )
