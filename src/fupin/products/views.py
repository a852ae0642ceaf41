"""The products' policy data: the holiday arrangement (R-PRD-2) — a year as the schedules see
it, the days of a year the calendar package does not know entered by the system administrator —
and the benchmark rates (LPR) with their history, entered by the head office."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.money import money
from fupin.products import benchmarks, calendar
from fupin.web.responses import act, date_param, int_param


@requires("calendar.view")
def calendar_year(request):
    today = timezone.localdate()
    shown = int_param(request.GET.get("year"), today.year, low=2004, high=9999)
    ctx = calendar.year(request.user, shown)
    ctx["may_manage"] = access.may(request.user, "calendar.manage")
    ctx["years"] = range(today.year - 1, today.year + 3)
    return render(request, "products/calendar.html", ctx)


@require_POST
@requires("calendar.manage")
def calendar_enter(request):
    on = date_param(request.POST.get("date"), strict=True)
    answer = act(
        request,
        lambda: calendar.day_enter(
            acting_user=request.user,
            date=on,
            working=request.POST.get("working") == "1",
            name=request.POST.get("name", ""),
        ),
        lambda day: f"已登记 {day}；此后签订的贷款按此安排顺延还款日",
        "calendar_year",
    )
    if on is not None:
        answer["Location"] += f"?year={on.year}"  # back to the year entered
    return answer


@require_POST
@requires("calendar.manage")
def calendar_remove(request, pk: int):
    return act(
        request, lambda: calendar.day_remove(acting_user=request.user, pk=pk), "已删除", "calendar_year"
    )


@requires("benchmark.view")
def benchmark_list(request):
    today = benchmarks.in_force(timezone.localdate())
    return render(
        request,
        "products/benchmarks.html",
        {
            "rates": benchmarks.history(request.user),
            "in_force": today,
            "one_year": percent(today.one_year),
            "five_year": percent(today.five_year),
            "may_manage": access.may(request.user, "benchmark.manage"),
        },
    )


@require_POST
@requires("benchmark.manage")
def benchmark_enter(request):
    return act(
        request,
        lambda: benchmarks.rate_enter(
            acting_user=request.user,
            effective=date_param(request.POST.get("effective"), strict=True),
            one_year=money(request.POST.get("one_year", ""), field="一年期 LPR（%）"),
            five_year=money(request.POST.get("five_year", ""), field="五年期以上 LPR（%）"),
            note=request.POST.get("note", ""),
        ),
        lambda r: f"已录入 {r.effective:%Y-%m-%d} 起的贷款市场报价利率；此后签订的贷款按此执行",
        "benchmark_list",
    )


def percent(rate) -> str:
    """0.0300 → 3.00 (a rate as published)."""
    return f"{Decimal(rate.numerator) / Decimal(rate.denominator) * 100:.2f}"
