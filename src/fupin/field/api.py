"""The village kit's download (issue 27 (8)): what the phone keeps to work with no signal. The
entries it queues go to the endpoints every client uses — sheets, group collections, visits —
each with its idempotency key."""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Router, Schema

from fupin.accounts import access
from fupin.api.common import responses
from fupin.field import selectors

router = Router(tags=["村级离线包 Village kit"])


class KitUser(Schema):
    username: str
    name: str


class KitItem(Schema):
    code: str
    label: str
    method: str = Field(..., description="option 选项；range / formula 填数值")
    max: str = Field(..., description="满分")
    options: list[list[str]] | None = Field(None, description="[选项, 分值]")


class KitRating(Schema):
    rating: int
    household: int
    registry_no: str
    name: str = Field(..., description="户主姓名")
    prefill: dict[str, str] = Field(..., description="由登记信息预填的指标")


class KitRound(Schema):
    id: int
    village: str
    year: int
    scorecard: str
    items: list[KitItem]
    households: list[KitRating] = Field(..., description="本人尚未评分的农户")


class KitRow(Schema):
    loan: int
    household: int
    registry_no: str
    name: str
    due: str = Field(..., description="本周应还（元）")
    overdue: str = Field(..., description="此前逾期未还（元）")


class KitGroup(Schema):
    id: int
    name: str
    village: str
    week_of: str
    rows: list[KitRow]


class KitHousehold(Schema):
    id: int
    registry_no: str
    village: str
    name: str


class KitOut(Schema):
    user: KitUser
    today: str = Field(..., description="下载之日")
    made_at: str
    rounds: list[KitRound] = Field(..., description="本人任评议小组成员、正在评分的整村评级")
    groups: list[KitGroup] = Field(..., description="本人可登记收款的联保小组及本周收款单")
    households: list[KitHousehold] = Field(..., description="本人可走访的农户")
    visit_kinds: list[list[str]]


@router.get("/field/kit", response=responses(KitOut), summary="村级离线包：下载到手机、无信号时使用的数据")
def field_kit(request):
    access.require(request.auth, "field.use")
    return selectors.kit(request.auth, timezone.localdate())
