"""Official tables, indicators and rankings through /api/v1 (R-RPT-1 … 6), for a division in the
reader's jurisdiction."""

from typing import Any

from ninja import Field, Path, Query, Router, Schema

from fupin.accounts import access
from fupin.api.common import DivisionCode, Text, responses
from fupin.core import reports as core
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import institution_for
from fupin.replica import on_replica
from fupin.reports.dashboard import dashboard
from fupin.reports.rankings import rankings
from fupin.reports.tables import build

router = Router(tags=["报表 Reports"])


class ReportQuery(Schema):
    division: DivisionCode = Field(..., description="区划代码（县、乡镇或村），须在辖区内")
    period: Text(7, 7) = Field(..., description="YYYY-MM 或 YYYY-Qn")
    institution: str | None = Field(
        None, max_length=20, description="贷款机构代码：只看该机构的数（银行用户总是本机构；默认全部机构）"
    )


class ReportColumnOut(Schema):
    key: str
    header: str
    kind: str = Field(..., description="text / int / money（元） / pct（百分比） / date")


class ReportTableOut(Schema):
    table: str
    title: str
    division: str
    division_name: str
    period: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None
    notes: list[str]


def _division(request, q: ReportQuery) -> tuple[Division, core.Period, Institution | None]:
    access.require(request.auth, "report.view")
    division = access.get_visible(
        request.auth, Division.objects.filter(level__gte=3), "report.view", code=q.division
    )
    return division, core.period(q.period), institution_for(request.auth, "report.view", q.institution)


@router.get(
    "/reports/tables/{table}",
    response=responses(ReportTableOut, 404, 422),
    summary="官方报表：fu2 附表2、fu3 附表3、fu4 附表4、fu8 附表8（金额以元计）",
)
@on_replica
def report_table(request, q: Query[ReportQuery], table: str = Path(..., pattern="^(fu2|fu3|fu4|fu8)$")):
    division, period, lender = _division(request, q)
    return build(table, division, period, lender).as_json()


@router.get(
    "/reports/indicators",
    response=responses(dict[str, Any], 404, 422),
    summary="组合指标（R-RPT-2）与分布（R-RPT-3）：金额以分计，比率带分子分母",
)
@on_replica
def report_indicators(request, q: Query[ReportQuery]):
    division, period, lender = _division(request, q)
    return dashboard(division, period, request.auth, lender.pk if lender else None)


@router.get(
    "/reports/rankings",
    response=responses(dict[str, Any], 404, 422),
    summary="排名通报（R-RPT-5）：放款进度与日、周、月还款率，网点排名，暂停放款的村",
)
@on_replica
def report_rankings(request, q: Query[ReportQuery]):
    division, period, lender = _division(request, q)
    r = rankings(division, period, institution=lender.pk if lender else None)
    return {**r, "closed": r["closed"].isoformat(), "spans": [list(s) for s in r["spans"]]}
