import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, DivisionCode, Pagination, Text, ordering, responses, uploaded
from fupin.core.errors import NotFound, ValidationFailed
from fupin.households import importer, selectors
from fupin.households.models import Household, RegistryStatus

router = Router(tags=["农户档案 Registry"])
StatusCode = Literal[tuple(RegistryStatus.values)]  # type: ignore[valid-type]


class HouseholdOut(Schema):
    id: int
    registry_no: str
    village_code: str = Field(..., alias="village_id")
    village_name: str
    status: str
    status_label: str
    member_count: int
    income_per_capita: Decimal | None = None
    head_name: str = ""
    head_id_masked: str = ""

    @staticmethod
    def resolve_village_name(obj: Household) -> str:
        return obj.village.name

    @staticmethod
    def resolve_status_label(obj: Household) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_head_name(obj: Household) -> str:
        return obj.heads[0].name if getattr(obj, "heads", None) else ""

    @staticmethod
    def resolve_head_id_masked(obj: Household) -> str:
        return obj.heads[0].id_masked if getattr(obj, "heads", None) else ""


class MemberOut(Schema):
    name: str
    relationship: str
    is_head: bool
    id_masked: str = Field(..., description="证件号码（脱敏）")
    sex: str
    birth_date: dt.date
    labour: str
    health: str
    education: str
    phone_masked: str


class EventOut(Schema):
    at: dt.datetime
    kind: str
    field: str
    before: str
    after: str
    person_name: str


class HouseholdDetail(HouseholdOut):
    lifted_year: int | None = None
    status_year: int | None = None
    main_cause: str
    income_total: Decimal | None = None
    tags: list[str]
    members: list[MemberOut]
    events: list[EventOut]

    @staticmethod
    def resolve_members(obj: Household) -> list:
        return obj.members_shown  # type: ignore[attr-defined]

    @staticmethod
    def resolve_events(obj: Household) -> list:
        return obj.events_shown  # type: ignore[attr-defined]


class HouseholdFilter(Schema):
    q: Text(40) | None = Field(None, description="姓名、完整证件号码、完整电话或户编号")
    village: DivisionCode | None = Field(None, description="行政村代码")
    status: StatusCode | None = Field(None, description="户类型")


HouseholdOrder, household_order = ordering(
    "HouseholdOrder",
    {
        "registry_no": ("village_id", "registry_no"),
        "village": ("village_id", "registry_no"),
        "income_per_capita": ("income_per_capita", "id"),
        "updated_at": ("updated_at", "id"),
    },
    "registry_no",
)


@router.get("", response=responses(list[HouseholdOut]), summary="辖区内的农户（一户一档）")
@paginate(Pagination)
def household_list(request, filters: Query[HouseholdFilter], sort: Query[HouseholdOrder]):  # type: ignore[valid-type]
    return selectors.households_visible(
        request.auth, q=filters.q or "", village=filters.village or "", status=filters.status or ""
    ).order_by(*household_order(sort.order))


@router.get(
    "/{int:household_id}",
    response=responses(HouseholdDetail, 404),
    summary="一户的档案：成员（脱敏）与变更记录",
)
def household_detail(request, household_id: int = Path(..., ge=1, le=MAX_ID)):
    ctx = selectors.household_archive(request.auth, household_id)
    hh = ctx["household"]
    hh.heads = [m for m in ctx["members"] if m.is_head]
    hh.members_shown = ctx["members"]
    hh.events_shown = ctx["events"][:50]
    return hh


class RegistryImportIn(Schema):
    file_name: Text(200, 1)
    content_base64: str = Field(
        ..., max_length=40_000_000, description="xlsx 文件内容（base64，约 30 MB 以内）"
    )
    dry_run: bool = Field(False, description="只检查，不导入")


class ImportBatchOut(Schema):
    id: int
    file_name: str
    state: str = Field(
        ...,
        description=(
            "running 处理中 / imported 已导入 / checked 检查通过（试导入） / "
            "failed 有错误或已中断，未导入任何数据"
        ),
    )
    dry_run: bool
    rows: int
    summary: dict
    problems: list[dict] = Field(..., description="每一处错误：行、列、值、问题（最多 500 条）")


def _batch_out(batch) -> dict:
    return {
        "id": batch.pk,
        "file_name": batch.file_name,
        "state": batch.state,
        "dry_run": batch.dry_run,
        "rows": batch.rows,
        "summary": batch.summary,
        "problems": batch.problems[:500],
    }


@router.post(
    "/imports",
    response=responses(ImportBatchOut, 422, ok_status=201),
    summary="导入扶贫开发信息系统人员表或系统模板（全部正确才导入；同一文件再导入不改变任何数据）",
)
def registry_import(request, payload: RegistryImportIn):
    access.require(request.auth, "registry.import")
    with uploaded(payload.content_base64) as path:
        batch = importer.registry_import(
            acting_user=request.auth, path=path, file_name=payload.file_name, dry_run=payload.dry_run
        )
    if batch.state == "failed":
        raise ValidationFailed(
            f"发现 {len(batch.problems)} 处问题，未导入任何数据",
            code="registry_invalid",
            details=batch.problems[:500],
        )
    return Status(201, _batch_out(batch))


@router.get("/imports/{batch_id}", response=responses(ImportBatchOut, 404), summary="一次导入的结果")
def registry_import_get(request, batch_id: int = Path(..., ge=1, le=MAX_ID)):
    importer.batches_expire()
    batch = selectors.batches_visible(request.auth).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("导入批次不存在或不在您的辖区内", code="not_found")
    return _batch_out(batch)
