import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from fupin.api.common import MAX_ID, DivisionCode, Pagination, Text, ordering, responses
from fupin.households import selectors
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


HouseholdOrder, household_order = ordering("HouseholdOrder", {
    "registry_no": ("village_id", "registry_no"), "village": ("village_id", "registry_no"),
    "income_per_capita": ("income_per_capita", "id"), "updated_at": ("updated_at", "id")}, "registry_no")


@router.get("", response=responses(list[HouseholdOut]), summary="辖区内的农户（一户一档）")
@paginate(Pagination)
def household_list(request, filters: Query[HouseholdFilter], sort: Query[HouseholdOrder]):  # type: ignore[valid-type]
    return selectors.households_visible(
        request.auth, q=filters.q or "", village=filters.village or "", status=filters.status or ""
    ).order_by(*household_order(sort.order))


@router.get("/{household_id}", response=responses(HouseholdDetail, 404), summary="一户的档案：成员（脱敏）与变更记录")
def household_detail(request, household_id: int = Path(..., ge=1, le=MAX_ID)):
    ctx = selectors.household_archive(request.auth, household_id)
    hh = ctx["household"]
    hh.heads = [m for m in ctx["members"] if m.is_head]
    hh.members_shown = ctx["members"]
    hh.events_shown = ctx["events"][:50]
    return hh
