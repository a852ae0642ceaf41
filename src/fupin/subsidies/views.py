"""Subsidy pages: batches with the receivable aged, one batch through its steps with its lines,
the public announcement (PDF, Excel) at county, township and village level, the register (附表8)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core import subsidy as core
from fupin.core.errors import NotFound, ValidationFailed
from fupin.divisions.models import Division
from fupin.divisions.selectors import names as division_names
from fupin.subsidies import exports, selectors, services
from fupin.subsidies.models import Batch, Policy
from fupin.web import verify
from fupin.web.responses import act, attachment, date_param, int_param, pdf_inline

STEP_ACTIONS = {
    "review": "subsidy.review",
    "confirm": "subsidy.confirm",
    "pay": "subsidy.pay",
    "credit": "subsidy.credit",
}


def aging_bars(receivable: dict) -> list[dict]:
    """The aging buckets with their share of the largest, for the bar chart beside the numbers."""
    top = max(receivable["buckets"].values(), default=0) or 1
    return [
        {"label": k, "amount": v, "width": round(100 * v / top)} for k, v in receivable["buckets"].items()
    ]


@requires("subsidy.view")
def subsidy_overview(request):
    receivable = selectors.receivable(request.user, timezone.localdate())
    batches = list(selectors.batches(request.user))
    units = division_names(b.division_code for b in batches)  # the unit's name, not its 12-digit code
    for b in batches:
        b.unit_name = units.get(b.division_code, "")
    return render(
        request,
        "subsidies/overview.html",
        {
            "batches": batches,
            "receivable": receivable,
            "bars": aging_bars(receivable),
            "policies": selectors.policies(),
            "today": timezone.localdate(),
            "divisions": selectors.division_choices(request.user)
            if access.may(request.user, "subsidy.prepare")
            else [],
        },
    )


@require_POST
@requires("subsidy.prepare")
def subsidy_prepare(request):
    post = request.POST

    def prepare():
        policy = Policy.objects.filter(pk=int_param(post.get("policy"))).first()
        if policy is None:
            raise ValidationFailed("请选择贴息政策", code="policy")
        today = timezone.localdate()  # S-RATE: by default its latest settlement date (DOMAIN §7)
        rule = policy.to_domain()
        default = (core.last_settlement(rule, today) or today) if core.settled_in_batches(rule) else today
        cutoff = date_param(post.get("cutoff"), default, strict=True)
        return services.batch_prepare(
            acting_user=request.user,
            policy=policy,
            division_code=post.get("division", "")[:12],
            cutoff=cutoff,
        )

    return act(
        request,
        prepare,
        lambda b: f"已申报贴息 {b.claimed / 100:,.2f} 元",
        "subsidy_overview",
        then=lambda b: ("subsidy_batch", {"pk": b.pk}),
    )


@requires("subsidy.view")
def subsidy_batch(request, pk: int):
    batch = selectors.batch_get(request.user, pk)
    lines = selectors.register(
        request.user, batch=batch.pk, limit=None
    )  # a claim of 10 000 lines shows them all
    step = {
        Batch.State.PREPARED: "review",
        Batch.State.REVIEWED: "confirm",
        Batch.State.CONFIRMED: "pay",
        Batch.State.PAID: "credit",
    }.get(batch.state)
    codes = sorted({ln.village_code for ln in lines} | {ln.village_code[:9] + "000" for ln in lines})
    names = division_names(codes)
    levels = [
        (
            "county" if batch.division_code.endswith("000000") else "township",
            batch.division_code,
            names.get(batch.division_code)
            or Division.objects.filter(code=batch.division_code).values_list("name", flat=True).first(),
        )
    ]
    levels += [
        ("township" if c.endswith("000") else "village", c, names.get(c, c))
        for c in codes
        if c != batch.division_code
    ]
    return render(
        request,
        "subsidies/batch.html",
        {
            "batch": batch,
            "lines": lines,
            "step": step,
            "levels": levels,
            "may_step": step is not None and access.may(request.user, STEP_ACTIONS[step], batch),
        },
    )


def _step(request, pk: int, call):
    batch = selectors.batch_get(request.user, pk)
    return act(
        request,
        lambda: call(batch),
        lambda b: f"已办理，现状态：{b.get_state_display()}",
        "subsidy_batch",
        pk=pk,
    )


@require_POST
@requires("subsidy.review")
def subsidy_review(request, pk: int):
    post = request.POST
    strike = {
        int_param(k[7:], -1): v for k, v in post.items() if k.startswith("strike_") and v.strip()
    }  # -1: no such line
    return _step(
        request,
        pk,
        lambda b: services.batch_review(
            acting_user=request.user,
            batch=b,
            strike=strike,
            approve=post.get("approve") == "1",
            note=post.get("note", ""),
        ),
    )


@require_POST
@requires("subsidy.confirm")
def subsidy_confirm(request, pk: int):
    return _step(request, pk, lambda b: services.batch_confirm(acting_user=request.user, batch=b))


@require_POST
@requires("subsidy.pay")
def subsidy_pay(request, pk: int):
    ref = request.POST.get("payment_ref", "")
    return _step(
        request, pk, lambda b: services.batch_pay(acting_user=request.user, batch=b, payment_ref=ref)
    )


@require_POST
@requires("subsidy.credit")
def subsidy_credit(request, pk: int):
    return _step(request, pk, lambda b: services.batch_credit(acting_user=request.user, batch=b))


@requires("subsidy.view")
def subsidy_announcement(request, pk: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        raise NotFound("格式应为 pdf 或 xlsx", code="not_found")
    batch = selectors.batch_get(request.user, pk)
    code = request.GET.get("division", "")[:12] or batch.division_code
    division = Division.objects.filter(code=code).first()
    if division is None or not division.prefix.startswith(
        Division.objects.get(code=batch.division_code).prefix
    ):
        raise NotFound("该区划不在本批次范围内", code="not_found")
    rows = selectors.announcement(batch, division.prefix)
    level = {3: "县级", 4: "乡镇级", 5: "村级"}.get(division.level, "")
    title = f"{division.name}扶贫小额信贷贴息公示（{level}，第 {batch.pk} 批）"
    if fmt == "xlsx":
        return attachment(
            exports.announcement_xlsx(batch, title, rows), f"贴息公示-{division.name}-{batch.pk}.xlsx"
        )
    url = request.build_absolute_uri(
        reverse("verify", args=[verify.token("subsidy", batch.pk, division.code)])
    )
    return pdf_inline(
        exports.announcement_pdf(batch, title, rows, verify_url=url),
        f"贴息公示-{division.name}-{batch.pk}.pdf",
    )


@requires("subsidy.view")
def subsidy_register(request):
    policy = int_param(request.GET.get("policy"))
    lines = selectors.register(request.user, policy=policy)
    if request.GET.get("format") == "xlsx":
        return attachment(exports.register_xlsx(lines), "附表8-贴息登记簿.xlsx")
    return render(
        request,
        "subsidies/register.html",
        {"lines": lines[:500], "count": len(lines), "policies": selectors.policies(), "policy": policy},
    )
