from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from fupin.accounts import access
from fupin.api.common import DivisionCode, Pagination, Text, responses
from fupin.divisions import selectors

router = Router(tags=["行政区划 Divisions"])


class DivisionOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    parent_code: str | None = Field(None, alias="parent_id")


class DivisionFilter(Schema):
    parent: DivisionCode | None = Field(None, description="上级区划代码（12位）")
    level: int | None = Field(None, ge=1, le=5, description="级别：1省 2市 3县 4乡镇 5村")
    q: Text(32) | None = Field(None, description="名称包含")


@router.get("", response=responses(list[DivisionOut]), summary="辖区内的行政区划列表")
@paginate(Pagination)
def division_list(request, filters: Query[DivisionFilter]):
    return selectors.divisions_visible(
        request.auth, parent=filters.parent, level=filters.level, name=filters.q
    )


@router.get("/{code}", response=responses(DivisionOut, 404), summary="一个行政区划")
def division_detail(request, code: str = Path(..., pattern=r"^\d{12}$", description="12位区划代码")):
    return access.get_visible(request.auth, selectors.Division, "division.view", code=code)
