"""The API of bringing a lender's existing loan book in (issue 25 (2)): the same check and import as
``fupin import-loans`` and the page, for a file sent as base64."""

from __future__ import annotations

from ninja import Field, Router, Schema
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import IsoDate, Text, responses, uploaded
from fupin.core.errors import ValidationFailed
from fupin.loans import book_import

router = Router(tags=["存量贷款迁入 Loan book import"])


class LoanImportIn(Schema):
    file_name: Text(200, 1)
    content_base64: str = Field(
        ..., max_length=40_000_000, description="xlsx 文件内容（base64，约 30 MB 以内），格式见导入模板"
    )
    institution: Text(16) | None = Field(None, description="贷款机构代码；银行人员为本机构，可不填")
    cutover: IsoDate | None = Field(
        None, description="迁移截至日：须为最近一次日终处理的营业日；系统尚未日终处理时必填"
    )
    dry_run: bool = Field(False, description="只检查，不导入")


class LoanImportOut(Schema):
    state: str = Field(..., description="imported 已导入 / checked 检查通过（试导入，未写入）")
    institution: str
    cutover: IsoDate
    rows: int = Field(..., description="文件中的贷款行数")
    loans: int = Field(..., description="迁入（试导入时：将迁入）的贷款笔数")
    already_imported: int = Field(..., description="此前已迁入、本次跳过的笔数（同一文件再导入不重复建立）")
    outstanding_principal: str = Field(
        ..., description="迁入贷款的本金余额（元，两位小数）", examples=["1234567.89"]
    )
    overdue_loans: int = Field(..., description="其中截至迁移日有到期未还的笔数")


@router.post(
    "/loan-imports",
    response=responses(LoanImportOut, 404, 422, ok_status=201),
    summary="迁入贷款机构的存量贷款（全部正确才导入，列出每一处错误；同一文件再导入不改变任何数据）",
)
def loan_import(request, payload: LoanImportIn):
    access.require(request.auth, book_import.ACTION)
    with uploaded(payload.content_base64) as path:
        out = book_import.loans_import(
            acting_user=request.auth,
            path=path,
            institution=payload.institution,
            cutover=payload.cutover,
            dry_run=payload.dry_run,
        )
    result = out.as_dict()
    if out.state == "failed":
        raise ValidationFailed(
            f"发现 {len(out.problems)} 处问题，未导入任何贷款",
            code="loan_book_invalid",
            details=result["problems"][:500],
        )
    return Status(201, result)
