"""Report pages: the official tables on screen with their Excel and PDF, the indicators and
distributions as charts with their numbers beside them, rankings of townships — every one for a
division in the reader's jurisdiction (R-RPT-6)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core import reports as core
from fupin.core.errors import NotFound
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import institution_choices, institution_for, picker
from fupin.replica import on_replica
from fupin.reports import exports, simulate, warning
from fupin.reports.dashboard import dashboard
from fupin.reports.rankings import rankings
from fupin.reports.tables import BUILDERS, TABLES, build
from fupin.subsidies.views import aging_bars
from fupin.web import verify
from fupin.web.responses import attachment, int_param, pdf_inline

XLSX_NAME = "{title}-{division}-{period}.{fmt}"


def _division(request, action: str, levels: tuple[int, ...] = (3, 4, 5)) -> tuple[Division, list]:
    """The division asked for (the picker's first when none), one the reader may see for
    ``action``, and the picker of them by name in groups (issue 27 (7))."""
    options = picker(request.user, action, levels=levels)
    first = next((code for _, group in options for code, _ in group), "")
    code = (request.GET.get("division") or first)[:12]
    return access.get_visible(
        request.user, Division.objects.filter(level__in=levels), action, code=code
    ), options


def _params(request, default_period: str) -> tuple[Division, core.Period, dict]:
    """The division and period asked for, and the page's pickers of both: divisions by name in
    groups, periods as months and quarters (issue 27 (7))."""
    division, options = _division(request, "report.view")
    period = core.period(request.GET.get("period") or default_period)
    return division, period, {"options": options, "periods": periods(timezone.localdate(), period.label)}


def periods(today, current: str, months: int = 24, quarters: int = 8) -> list[tuple[str, list]]:
    """The reporting periods to pick from: this month and the 23 before it, this quarter and the 7
    before it, and ``current`` if it is older — [(group, [(value, label)])]."""
    month = [(today.year, today.month)]
    for _ in range(months - 1):
        y, m = month[-1]
        month.append((y - 1, 12) if m == 1 else (y, m - 1))
    quarter = [(today.year, (today.month - 1) // 3 + 1)]
    for _ in range(quarters - 1):
        y, q = quarter[-1]
        quarter.append((y - 1, 4) if q == 1 else (y, q - 1))
    by_month = [(f"{y}-{m:02d}", f"{y} 年 {m} 月") for y, m in month]
    by_quarter = [(f"{y}-Q{q}", f"{y} 年第 {q} 季度") for y, q in quarter]
    if current not in {v for v, _ in by_month + by_quarter}:
        (by_quarter if "Q" in current else by_month).append((current, current))
    return [("月报", by_month), ("季报", by_quarter)]


def _lender(request) -> tuple[Institution | None, dict]:
    """The lending institution the report is of (issue 25: a bank's staff always their own) and
    the page's choice of institutions."""
    lender = institution_for(request.user, "report.view", request.GET.get("institution", "")[:20])
    return lender, {"institution": lender, "institutions": institution_choices(request.user, "report.view")}


def _month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def _quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


@requires("report.view")
@on_replica
def report_table(request):
    table = request.GET.get("table") if request.GET.get("table") in BUILDERS else "fu3"
    division, period, pickers = _params(request, _quarter() if table == "fu4" else _month())
    lender, pick = _lender(request)
    t = build(table, division, period, lender)
    return render(
        request,
        "reports/table.html",
        {"t": t, "tables": TABLES, "table": table, "period": period.label, **pickers, **pick},
    )


@requires("report.view")
@on_replica
def report_download(request, table: str, fmt: str):
    if table not in BUILDERS or fmt not in ("xlsx", "pdf"):
        raise NotFound("报表不存在", code="not_found")
    division, period, _ = _params(request, _quarter() if table == "fu4" else _month())
    lender = _lender(request)[0]
    t = build(table, division, period, lender)
    t.ledger = exports.ledger_line(division, period, lender)
    name = XLSX_NAME.format(title=t.title.split()[0], division=division.name, period=period.label, fmt=fmt)
    if fmt == "xlsx":
        return attachment(exports.table_xlsx(t), name)
    scope = f"{table}|{division.code}|{period.label}|{lender.code if lender else ''}"
    url = request.build_absolute_uri(reverse("verify", args=[verify.token("table", 0, scope)]))
    return pdf_inline(exports.table_pdf(t, qr=verify.qr(url)), name)


@requires("report.view")
@on_replica
def report_indicators(request):
    division, period, pickers = _params(request, _month())
    lender, pick = _lender(request)
    data = dashboard(division, period, request.user, lender.pk if lender else None)
    if request.GET.get("format") == "xlsx":
        sheet = exports.indicators_xlsx(data, exports.ledger_line(division, period, lender))
        return attachment(sheet, f"指标与分布-{division.name}-{period.label}.xlsx")

    return render(
        request,
        "reports/indicators.html",
        {
            "d": data,
            **pickers,
            "division": division,
            "period": period.label,
            "charts": charts(data),
            "bars": aging_bars(data["receivable"]) if data["receivable"] else [],
            **pick,
        },
    )


def charts(d: dict) -> list[dict]:
    """The chart specifications the page draws (ECharts), each from the numbers shown beside it."""
    dist = d["distributions"]
    extra = [
        {
            "id": "par",
            "title": "风险贷款（PAR，元）",
            "type": "bar",
            "x": list(d["par"]),
            "series": [{"name": "贷款余额", "data": [v / 100 for v in d["par"].values()]}],
        },
        {
            "id": "classes",
            "title": "五级分类（元）",
            "type": "bar",
            "x": list(d["classes"]),
            "series": [{"name": "贷款余额", "data": [v / 100 for v in d["classes"].values()]}],
        },
    ]
    if d.get("progress"):
        extra.append(
            {
                "id": "progress",
                "title": "放款进度（%）",
                "type": "bar",
                "x": [r["name"] for r in d["progress"]],
                "series": [{"name": "进度", "data": [float(r["progress"] or 0) for r in d["progress"]]}],
            }
        )
    years = sorted(dist["purpose_by_year"])
    purposes = sorted({p for y in years for p in dist["purpose_by_year"][y]})
    return extra + [
        {
            "id": "monthly",
            "title": "每月到期与收回（元）",
            "type": "bar",
            "x": [m["month"] for m in dist["monthly"]],
            "series": [
                {"name": "到期", "data": [m["due"] / 100 for m in dist["monthly"]]},
                {"name": "收回", "data": [m["collected"] / 100 for m in dist["monthly"]]},
            ],
        },
        {
            "id": "sizes",
            "title": "贷款金额分布（笔）",
            "type": "bar",
            "x": list(dist["size_bands"]),
            "series": [{"name": "笔数", "data": list(dist["size_bands"].values())}],
        },
        {
            "id": "times",
            "title": "借款次数（笔）",
            "type": "bar",
            "x": list(dist["times_borrowed"]),
            "series": [{"name": "笔数", "data": list(dist["times_borrowed"].values())}],
        },
        {
            "id": "purposes",
            "title": "各年贷款用途（笔）",
            "type": "stack",
            "x": [str(y) for y in years],
            "series": [
                {"name": p, "data": [dist["purpose_by_year"][y].get(p, 0) for y in years]} for p in purposes
            ],
        },
        {
            "id": "sexage",
            "title": "借款人性别与年龄（笔）",
            "type": "bar",
            "x": list(dist["sex_by_age"]),
            "series": [
                {"name": s, "data": [dist["sex_by_age"][a].get(s, 0) for a in dist["sex_by_age"]]}
                for s in ("男", "女")
            ],
        },
    ]


@requires("report.view")
@on_replica
def report_rankings(request):
    division, period, pickers = _params(request, _month())
    lender, pick = _lender(request)
    r = rankings(division, period, institution=lender.pk if lender else None)
    if request.GET.get("format") == "xlsx":
        sheet = exports.rankings_xlsx(r, exports.ledger_line(division, period, lender))
        return attachment(sheet, f"排名通报-{division.name}-{period.label}.xlsx")
    return render(
        request,
        "reports/rankings.html",
        {"r": r, "division": division, "period": period.label, **pickers, **pick},
    )


@requires("report.view")
@on_replica
def report_warning(request):
    """Early warning (issue 28 (1)): the villages at the next month-ends, the risk funds' leverage
    ahead, and how often the village forecast was right."""
    division, options = _division(request, "report.view")
    today = timezone.localdate()
    v = warning.villages(request.user, division, today)
    funds = warning.funds(request.user, division, today)
    return render(
        request,
        "reports/warning.html",
        {
            "division": division,
            "options": options,
            "v": v,
            "funds": funds,
            "limit": warning.limit(),
            "charts": warning_charts(v, funds, warning.limit()),
        },
    )


def warning_charts(v: dict, funds: list[dict], limit) -> list[dict]:
    """The early warning's charts: each village's expected rate at the next month-end against
    98 %, and each fund's leverage ahead against its limit."""
    out = []
    if v["rows"]:
        out.append(
            {
                "id": "villages",
                "title": "下一月末预计回收率（%）",
                "type": "bar",
                "min": "dataMin",
                "x": [r["name"] for r in v["rows"]],
                "series": [
                    {"name": "预计回收率", "data": [_pct(r["ahead"][0][0].rate) for r in v["rows"]]},
                    {"name": "98% 线", "data": [98.0] * len(v["rows"]), "line": True},
                ],
            }
        )
    for n, f in enumerate(funds):
        out.append(
            {
                "id": f"fund{n}",
                "title": "放大倍数（倍）",
                "type": "line",
                "x": [f"{m.month:%Y-%m}" for m in f["months"]],
                "series": [
                    {"name": "预计放大倍数", "data": [_times(m.leverage) for m in f["months"]]},
                    {"name": "上限", "data": [float(limit)] * len(f["months"])},
                ],
            }
        )
    return out


def _pct(rate) -> float | None:
    return None if rate is None else round(float(rate) * 100, 2)


def _times(leverage) -> float | None:
    return None if leverage is None else round(float(leverage), 2)


@requires("simulate.run")
@on_replica
def report_simulate(request):
    """The policy simulator (issue 28 (2)): the portfolio replayed under a proposed change, side by
    side with today's; as Excel too."""
    county, options = _division(request, "simulate.run", levels=(3,))
    g = request.GET
    proposal = simulate.Proposal(
        income_line=decimal_param(g.get("income_line")),
        max_age=int_param(g.get("max_age"), low=18, high=100),
        policy=int_param(g.get("policy")),
        share=decimal_param(g.get("share"), high=1),
        rate=decimal_param(g.get("rate"), high=1),
        fund_share=int_param(g.get("fund_share"), low=0, high=100),
        lpr_1y=decimal_param(g.get("lpr_1y"), high=1),
        lpr_5y=decimal_param(g.get("lpr_5y"), high=1),
    )
    result = simulate.simulate(county, proposal, timezone.localdate())
    if g.get("format") == "xlsx":
        return attachment(exports.simulation_xlsx(county, proposal, result), f"政策模拟-{county.name}.xlsx")
    return render(
        request,
        "reports/simulate.html",
        {"county": county, "options": options, "p": proposal, "r": result, "policies": simulate.policies()},
    )


def decimal_param(value: str | None, high: int = 10**9) -> Decimal | None:
    """A non-negative decimal from a form (at most two places for money, six for a share), else None."""
    text = (value or "").strip()
    if not re.fullmatch(r"\d{1,10}(\.\d{1,6})?", text):
        return None
    d = Decimal(text)
    return d if d <= high else None
