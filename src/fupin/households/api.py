import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import (
    MAX_ID,
    Amount,
    Choice,
    DivisionCode,
    IsoDate,
    Pagination,
    Text,
    ordering,
    responses,
    uploaded,
)
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.registry import TAGS
from fupin.households import entry, importer, selectors
from fupin.households.models import Household, Labour, RegistryStatus, Visit
from fupin.households.visits import visit_record, visits_of

router = Router(tags=["农户档案 Registry"])
Id = Path(..., ge=1, le=MAX_ID)
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


def _detail(reader, household_id: int) -> Household:
    ctx = selectors.household_archive(reader, household_id)
    hh = ctx["household"]
    hh.heads = [m for m in ctx["members"] if m.is_head]
    hh.members_shown = ctx["members"]
    hh.events_shown = ctx["events"][:50]
    return hh


@router.get(
    "/{int:household_id}",
    response=responses(HouseholdDetail, 404),
    summary="一户的档案：成员（脱敏）与变更记录",
)
def household_detail(request, household_id: int = Id):
    return _detail(request.auth, household_id)


class MemberPatch(Schema):
    name: Text(64, 1) | None = None
    relationship: Text(16, 1) | None = Field(None, description="与户主关系：户主、配偶、之子……")
    labour: Choice(Labour.values) | None = Field(None, description="劳动能力：full 有、weak 弱、none 无")
    health: Text(32) | None = Field(None, description="健康状况")
    education: Text(32) | None = Field(None, description="文化程度")
    phone: Text(12) | None = Field(None, description="联系电话（7–12 位数字）")


class MemberIn(MemberPatch):
    name: Text(64, 1)
    id_number: Text(18, 15) = Field(
        ..., description="居民身份证号码（18 位，或旧的 15 位）", examples=["522601199001011234"]
    )
    relationship: Text(16, 1) = Field(..., description="与户主关系：户主、配偶、之子……（户主写“户主”）")


class HouseholdPatch(Schema):
    village_code: DivisionCode | None = Field(None, description="行政村代码（迁往本辖区的另一个村）")
    registry_no: Text(40, 1) | None = Field(None, description="户编号（本县唯一）")
    status: StatusCode | None = Field(None, description="户类型")
    status_year: int | None = Field(None, ge=1980, le=2100, description="建档年份")
    lifted_year: int | None = Field(None, ge=1980, le=2100, description="脱贫年度")
    income_total: Amount | None = Field(None, description="家庭年收入（元）")
    income_per_capita: Amount | None = Field(None, description="人均纯收入（元）", examples=["2300.00"])
    income_sources: Text(120) | None = None
    main_cause: Text(32) | None = Field(None, description="主要致贫原因")
    bank_name: Text(64) | None = None
    bank_account: Text(19) | None = Field(None, description="银行卡号（12–19 位数字）")
    tags: list[Choice(sorted(TAGS))] | None = Field(None, max_length=3, description="重点标签")
    registered_on: IsoDate | None = Field(None, description="登记日期")


class HouseholdIn(HouseholdPatch):
    village_code: DivisionCode = Field(..., description="行政村代码", examples=["522601101201"])
    registry_no: Text(40, 1) = Field(..., description="户编号（本县唯一）")
    members: list[MemberIn] = Field(
        ..., min_length=1, max_length=30, description="全部在册成员，恰有一位户主；未列出的原有成员记为迁出"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "village_code": "529901001001",
                    "registry_no": "5299010010010999",
                    "status": "poor",
                    "status_year": 2016,
                    "income_per_capita": "2300.00",
                    "tags": ["重点村"],
                    "members": [
                        {
                            "name": "王大山",
                            "id_number": "530322198001010011",
                            "relationship": "户主",
                            "labour": "full",
                            "phone": "13800001234",
                        },
                        {
                            "name": "李小梅",
                            "id_number": "530322198203040024",
                            "relationship": "配偶",
                            "labour": "weak",
                        },
                    ],
                }
            ]
        }
    }


def _fields(payload: Schema) -> dict:
    return payload.dict(exclude_unset=True, exclude={"members"})


SAVED = (404, 409, 422)


@router.post(
    "",
    response=responses(HouseholdDetail, *SAVED, ok_status=201),
    summary="新建一户（与导入同样的检查；列出全部问题，有问题不保存）",
)
def household_create(request, payload: HouseholdIn):
    hh = entry.household_save(
        acting_user=request.auth,
        fields=_fields(payload),
        members=[m.dict() for m in payload.members],
        action="household.create",
    )
    return Status(201, _detail(request.auth, hh.pk))


def _mine(request, household_id: int) -> Household:
    return access.get_visible(request.auth, Household, "registry.import", pk=household_id)


@router.put(
    "/{int:household_id}",
    response=responses(HouseholdDetail, *SAVED),
    summary="更新一户及其全部成员（只比较给出的字段；未列出的成员记为迁出）",
)
def household_replace(request, payload: HouseholdIn, household_id: int = Id):
    hh = entry.household_save(
        acting_user=request.auth,
        fields=_fields(payload),
        members=[m.dict() for m in payload.members],
        household=_mine(request, household_id),
    )
    return _detail(request.auth, hh.pk)


@router.patch(
    "/{int:household_id}",
    response=responses(HouseholdDetail, *SAVED),
    summary="修改一户的字段（成员不变；字段给 null 即清空）",
)
def household_update(request, payload: HouseholdPatch, household_id: int = Id):
    hh = _mine(request, household_id)
    entry.household_save(
        acting_user=request.auth, fields=_fields(payload), members=entry.stored_members(hh), household=hh
    )
    return _detail(request.auth, hh.pk)


@router.post(
    "/{int:household_id}/members",
    response=responses(HouseholdDetail, *SAVED, ok_status=201),
    summary="一户迁入（新增）一名成员",
)
def member_add(request, payload: MemberIn, household_id: int = Id):
    hh = _mine(request, household_id)
    members = entry.stored_members(hh)
    entry.household_save(
        acting_user=request.auth, fields={}, members=[*members, payload.dict()], household=hh
    )
    return Status(201, _detail(request.auth, hh.pk))


def _member_of(hh: Household, members: list[dict], person_id: int) -> dict:
    found = next((m for m in members if m["_pk"] == person_id), None)
    if found is None:
        raise NotFound("该户没有这名在册成员", code="not_found")
    return found


@router.patch(
    "/{int:household_id}/members/{int:person_id}",
    response=responses(HouseholdDetail, *SAVED),
    summary="修改一名成员（证件号码不能改：换人请迁出后再迁入）",
)
def member_update(
    request,
    payload: MemberPatch,
    household_id: int = Id,
    person_id: int = Id,
):
    hh = _mine(request, household_id)
    members = entry.stored_members(hh)
    _member_of(hh, members, person_id).update(payload.dict(exclude_unset=True))
    entry.household_save(acting_user=request.auth, fields={}, members=members, household=hh)
    return _detail(request.auth, hh.pk)


@router.delete(
    "/{int:household_id}/members/{int:person_id}",
    response=responses(HouseholdDetail, *SAVED),
    summary="一名成员迁出（记录保留在档案历史中；户主不能迁出，请先变更户主）",
)
def member_leave(
    request,
    household_id: int = Id,
    person_id: int = Id,
):
    hh = _mine(request, household_id)
    members = entry.stored_members(hh)
    gone = _member_of(hh, members, person_id)
    entry.household_save(
        acting_user=request.auth, fields={}, members=[m for m in members if m is not gone], household=hh
    )
    return _detail(request.auth, hh.pk)


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
def registry_import_get(request, batch_id: int = Id):
    importer.batches_expire()
    batch = selectors.batches_visible(request.auth).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("导入批次不存在或不在您的辖区内", code="not_found")
    return _batch_out(batch)


class VisitIn(Schema):
    visited_on: IsoDate = Field(..., description="走访日期")
    kind: Choice(Visit.Kind.values) = Field(
        ..., description="走访类型：" + "、".join(f"{k} {v}" for k, v in Visit.Kind.choices)
    )
    note: Text(300, 1) = Field(..., description="走访情况")
    idempotency_key: Text(64, 8) = Field(
        ..., description="幂等键：手机离线时记下、来信号后发送；同一键重复发送只记一次，内容不同则拒绝"
    )


class VisitOut(Schema):
    id: int
    household_id: int
    visited_on: dt.date
    kind: str
    kind_label: str
    note: str
    by: str
    by_name: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username

    @staticmethod
    def resolve_by_name(obj) -> str:
        return obj.by.get_full_name()


@router.post(
    "/{int:household_id}/visits",
    response={**responses(VisitOut, 404, 409, 422, ok_status=201), 200: VisitOut},
    summary="记录一次走访（村级离线包离线记下后补发；幂等）",
)
def visit_post(request, payload: VisitIn, household_id: int = Id):
    hh = access.get_visible(request.auth, Household, "visit.record", pk=household_id)
    v, created = visit_record(
        acting_user=request.auth,
        household=hh,
        visited_on=payload.visited_on,
        kind=payload.kind,
        note=payload.note,
        key=payload.idempotency_key,
    )
    return Status(201 if created else 200, v)


@router.get(
    "/{int:household_id}/visits",
    response=responses(list[VisitOut], 404),
    summary="一户最近的走访记录",
)
def visit_list(request, household_id: int = Id):
    hh = access.get_visible(request.auth, Household, "visit.view", pk=household_id)
    return list(visits_of(request.auth, hh))
