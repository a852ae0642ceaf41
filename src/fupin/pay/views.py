"""Officer pay pages: the branch's monthly sheet (page, Excel, PDF) and the rules (R-PAY-4)."""

from __future__ import annotations

from fractions import Fraction

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.reports import period as parse_period
from fupin.pay import exports, selectors, services
from fupin.pay.models import PayRules
from fupin.web.responses import act, attachment, date_param, pdf_inline

RULE_FIELDS = [
    ("share_cycle", "周期贷款（联保）提成比例"),
    ("share_short", "短期贷款提成比例"),
    ("current", "在贷期间当月结息提成比例"),
    ("reward", "收回欠款奖励比例"),
    ("director", "网点主任（占信贷员合计）"),
    ("accountant", "会计（占信贷员合计）"),
]


def month(text: str | None):
    p = parse_period(text or f"{timezone.localdate():%Y-%m}")
    if "Q" in p.label:
        raise ValidationFailed("绩效工资按月计算，月份应为 YYYY-MM", code="period")
    return p


def _sheet(request):
    branches = selectors.branches(request.user)
    code = request.GET.get("branch") or (branches[0].code if branches else "")
    if not code:
        raise NotFound("您的辖区内没有网点", code="not_found")
    branch = selectors.branch_get(request.user, code[:20])
    return branches, selectors.sheet(request.user, branch, month(request.GET.get("month")))


@requires("pay.view")
def pay_sheet(request):
    branches, s = _sheet(request)
    return render(
        request,
        "pay/sheet.html",
        {
            "s": s,
            "branches": branches,
            "title": exports.title(s),
            "may_rules": access.may(request.user, "pay.rules"),
        },
    )


@requires("pay.view")
def pay_download(request, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    _, s = _sheet(request)
    name = f"绩效工资-{s.branch.code}-{s.period.label}"
    return (
        attachment(exports.sheet_xlsx(s), f"{name}.xlsx")
        if fmt == "xlsx"
        else pdf_inline(exports.sheet_pdf(s), f"{name}.pdf")
    )


@requires("pay.view")
def pay_rules(request):
    lender = selectors.rules_of(request.user)
    rules, row = selectors.rules_on(timezone.localdate(), lender)
    values = rules.values()
    return render(
        request,
        "pay/rules.html",
        {
            "fields": [(k, label, Fraction(str(values[k])) * 100) for k, label in RULE_FIELDS],
            "bands": [
                (b.low // 100, b.high // 100 if b.high else None, b.principal * 100, b.interest * 100)
                for b in rules.bands
            ],
            "row": row,
            "history": PayRules.objects.filter(institution=lender)[:20],
            "may_rules": access.may(request.user, "pay.rules"),
        },
    )


def _percent(text: str, label: str) -> str:
    try:
        return str(Fraction(text.strip() or "0") / 100)
    except (ValueError, ZeroDivisionError):
        raise ValidationFailed(f"{label}应为百分数，如 25 或 2.5", code="pay_rules_invalid") from None


@require_POST
@requires("pay.rules")
def pay_rules_save(request):
    post = request.POST

    def save():
        values: dict[str, object] = {k: _percent(post.get(k, ""), label) for k, label in RULE_FIELDS}
        bands = []
        for low, high, p, i in zip(
            post.getlist("band_low"),
            post.getlist("band_high"),
            post.getlist("band_principal"),
            post.getlist("band_interest"),
            strict=False,
        ):
            if low.strip():
                try:
                    bands.append(
                        [
                            int(low) * 100,
                            int(high) * 100 if high.strip() else None,
                            _percent(p, "逾期本金扣减比例"),
                            _percent(i, "逾期利息扣减比例"),
                        ]
                    )
                except ValueError:
                    raise ValidationFailed("扣减档次的金额应为整数（元）", code="pay_rules_invalid") from None
        values["bands"] = bands
        return services.rules_save(
            acting_user=request.user,
            values=values,
            note=post.get("note", ""),
            valid_from=date_param(post.get("valid_from"), timezone.localdate(), strict=True),
        )

    return act(request, save, "已保存新版绩效规则", "pay_rules")
