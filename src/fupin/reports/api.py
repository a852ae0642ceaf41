"""Official tables, indicators and rankings through /api/v1 (R-RPT-1 … 6), for a division in the
reader's jurisdiction."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Path, Query, Router, Schema

from fupin.accounts import access
from fupin.api.common import DivisionCode, Text, Yuan, responses
from fupin.core import reports as core
from fupin.core.money import from_fen
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import institution_for, names
from fupin.replica import on_replica
from fupin.reports.dashboard import dashboard
from fupin.reports.indicators import MONEY_RATES
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


class CountsOut(Schema):
    households_served: int = Field(..., description="获贷户数")
    loans: int = Field(..., description="贷款笔数")
    disbursed: Yuan = Field(..., description="累计发放（元）")
    outstanding: Yuan = Field(..., description="贷款余额（元，总账 1301）")
    defaults: int = Field(..., description="逾期 90 天以上及核销的笔数")
    default_amount: Yuan = Field(..., description="其金额（元）")


class RateOut(Schema):
    label: str
    unit: str = Field(..., description="分子分母的单位：元，或 个（户、笔、件）")
    part: Decimal = Field(..., description="分子")
    whole: Decimal = Field(..., description="分母")
    percent: Decimal | None = Field(None, description="百分比，两位小数；分母为 0 时为空")
    note: str

    @staticmethod
    def resolve_unit(obj: dict) -> str:
        return "元" if obj["label"] in MONEY_RATES else "个"

    @staticmethod
    def resolve_part(obj: dict) -> Decimal:
        return from_fen(obj["part"]) if obj["label"] in MONEY_RATES else Decimal(obj["part"])

    @staticmethod
    def resolve_whole(obj: dict) -> Decimal:
        return from_fen(obj["whole"]) if obj["label"] in MONEY_RATES else Decimal(obj["whole"])


class MonthOut(Schema):
    month: str
    due: Yuan = Field(..., description="当月到期应还本息（元）")
    collected: Yuan = Field(..., description="其中已收回（元）")
    rate: Decimal | None = None


class DistributionsOut(Schema):
    purpose_by_year: dict[str, dict[str, int]] = Field(..., description="各年发放笔数按用途")
    size_bands: dict[str, int] = Field(..., description="笔数按金额档")
    times_borrowed: dict[str, int] = Field(..., description="笔数按第几次贷款")
    sex: dict[str, int]
    age_bands: dict[str, int]
    sex_by_age: dict[str, dict[str, int]]
    monthly: list[MonthOut] = Field(..., description="近 12 个月的到期与收回")

    @staticmethod
    def resolve_purpose_by_year(obj: dict) -> dict[str, dict[str, int]]:
        return {str(year): mix for year, mix in obj["purpose_by_year"].items()}  # years: keys as text


class ProgressOut(Schema):
    code: str = Field(..., description="区划代码")
    name: str = Field(..., description="区划名称")
    lent: Yuan = Field(..., description="本年发放（元）")
    target: Yuan | None = Field(None, description="年度额度（元）")
    progress: Decimal | None = Field(None, description="放款进度（%）")
    rank: int
    suspended: list[str] = Field(..., description="暂停新增贷款的村（R-RPT-4）")


class IndicatorFundOut(Schema):
    name: str
    contributed: Yuan
    paid_out: Yuan
    recovered: Yuan
    balance: Yuan
    loans: int = Field(..., description="担保的在贷笔数")
    outstanding: Yuan = Field(..., description="担保的贷款余额（元）")
    leverage: float | None = Field(None, description="放大倍数（余额 ÷ 基金余额）")


class BatchOwedOut(Schema):
    batch: int
    amount: Yuan
    days: int


class ReceivableOut(Schema):
    on: dt.date
    buckets: dict[str, Yuan] = Field(..., description="应收贴息按账龄（元）")
    total: Yuan
    unclaimed: Yuan = Field(..., description="已扣减、尚未申报的贴息（元）")
    batches: list[BatchOwedOut]


class IndicatorsOut(Schema):
    division: str
    division_name: str
    period: str
    closed: dt.date = Field(..., description="数据截至的日终日")
    counts: CountsOut
    rates: list[RateOut] = Field(..., description="还款率、PAR30 等：每个比率带分子分母")
    par: dict[str, Yuan] = Field(..., description="逾期贷款余额按逾期天数档（元）")
    classes: dict[str, Yuan] = Field(..., description="贷款余额按五级分类（元）")
    distributions: DistributionsOut
    progress: list[ProgressOut] = Field(..., description="下级区划的放款进度排名")
    funds: list[IndicatorFundOut] = Field(..., description="风险补偿金（无权查看时为空）")
    receivable: ReceivableOut | None = Field(None, description="应收贴息（无权查看时为空）")

    @staticmethod
    def resolve_funds(obj: dict) -> list[dict]:
        return [{"name": name, **position} for name, position in obj["funds"]]


@router.get(
    "/reports/indicators",
    response=responses(IndicatorsOut, 404, 422),
    summary="组合指标（R-RPT-2）与分布（R-RPT-3）：金额以元计，比率带分子分母",
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
    shown = names(v for row in r["progress"] for v in row["suspended"])  # codes with their names (26 (4))
    progress = [
        {**row, "suspended_villages": [{"code": v, "name": shown.get(v, "")} for v in row["suspended"]]}
        for row in r["progress"]
    ]
    return {
        **r,
        "progress": progress,
        "closed": r["closed"].isoformat(),
        "spans": [list(s) for s in r["spans"]],
    }
