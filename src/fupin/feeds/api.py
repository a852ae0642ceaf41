"""The API of the banks' monthly data (issue 25 (3)): the months, a month imported (files as base64),
and a month's reconciliation worklist."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath

from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, Text, decoded, responses
from fupin.core.errors import ValidationFailed
from fupin.core.feeds import KINDS
from fupin.core.money import fmt
from fupin.divisions.selectors import institution_code
from fupin.feeds import selectors, services

router = Router(tags=["银行月度数据 Bank feeds"])
Id = Path(..., ge=1, le=MAX_ID)


class FeedIn(Schema):
    institution: Text(16) | None = Field(None, description="贷款机构代码；银行人员为本机构，可不填")
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM", examples=["2026-10"])
    loans_file_name: Text(200, 1) = Field(..., description="借据文件名（.xlsx 或 .csv）")
    loans_base64: str = Field(..., max_length=40_000_000, description="借据文件内容（base64）")
    repayments_file_name: Text(200) = Field("", description="还款文件名（可不报）")
    repayments_base64: str = Field("", max_length=40_000_000, description="还款文件内容（base64）")
    dry_run: bool = Field(False, description="只检查，不导入")


class FeedResultOut(Schema):
    state: str = Field(
        ..., description="imported 已导入 / checked 检查通过（试导入） / unchanged 与已导入的文件相同"
    )
    institution: str
    month: str
    version: int
    loans: int
    repayments: int
    feed: int | None
    diff: dict = Field(
        ..., description="与上一版相比：added 新增、removed 删除的借据号，changed 每个变更字段的 [原值, 新值]"
    )


class FeedOut(Schema):
    id: int
    institution: str
    month: str
    version: int
    loans: int
    balance: str = Field(..., description="贷款余额（元，两位小数）")
    unregistered: int


class ItemOut(Schema):
    kind: str = Field(..., description="、".join(f"{k} {v}" for k, v in KINDS.items()))
    kind_label: str
    contract_no: str
    name: str
    id_masked: str
    village: str
    message: str
    amount: str = Field(..., description="涉及金额（元，两位小数）")


def _file(name: str, content: str, into: FilePath) -> FilePath:
    path = into / FilePath(name).name
    path.write_bytes(decoded(content))
    return path


@router.post(
    "/feeds",
    response=responses(FeedResultOut, 404, 422, ok_status=201),
    summary="导入一家银行一个月的借据与还款数据",
)
def feed_import(request, payload: FeedIn):
    access.require(request.auth, services.ACTION)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = FilePath(tmp) / "a", FilePath(tmp) / "b"
        a.mkdir(), b.mkdir()
        loans = _file(payload.loans_file_name, payload.loans_base64, a)
        repaid = (
            _file(payload.repayments_file_name or "r.xlsx", payload.repayments_base64, b)
            if payload.repayments_base64
            else None
        )
        out = services.feed_import(
            acting_user=request.auth,
            institution=payload.institution,
            month=services.month_of(payload.month),
            loans_path=loans,
            loans_name=payload.loans_file_name,
            repayments_path=repaid,
            repayments_name=payload.repayments_file_name,
            dry_run=payload.dry_run,
        )
    if out.state == "failed":
        raise ValidationFailed(
            f"发现 {len(out.problems)} 处问题，未导入任何数据",
            code="feed_invalid",
            details=out.problems[:500],
        )
    result = out.as_dict()
    del result["problems"]
    return Status(201, result)


@router.get("/feeds", response=responses(list[FeedOut]), summary="辖区内银行报送的月度数据（最近 120 个）")
def feed_list(request):
    access.require(request.auth, selectors.VIEW)
    return [
        {
            "id": f.pk,
            "institution": institution_code(f.institution_id),
            "month": f"{f.month:%Y-%m}",
            "version": f.version,
            "loans": f.summary.get("loans", 0),
            "balance": fmt(f.summary.get("balance", 0)),
            "unregistered": f.summary.get("unregistered", 0),
        }
        for f in selectors.feeds_visible(request.auth)[:120]
    ]


@router.get(
    "/feeds/{feed_id}/worklist", response=responses(list[ItemOut], 404), summary="一个月的借据核对清单"
)
def feed_worklist(request, feed_id: int = Id):
    access.require(request.auth, selectors.VIEW)
    feed = selectors.feed_get(request.auth, feed_id)
    return [{**i, "amount": fmt(i["amount"])} for i in selectors.worklist(feed)]
