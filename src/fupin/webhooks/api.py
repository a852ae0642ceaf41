"""Webhook subscriptions over /api/v1 (issue 26 (6)); the payloads are in docs/webhooks.md."""

import datetime as dt

from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from fupin.api.common import MAX_ID, Choice, DivisionCode, Text, responses
from fupin.divisions.selectors import institution_pick
from fupin.webhooks import services
from fupin.webhooks.models import EVENTS

router = Router(tags=["事件推送 Webhooks"])
Id = Path(..., ge=1, le=MAX_ID)


class SubscriptionIn(Schema):
    name: Text(64, 1) = Field(..., description="名称（如“县数据平台”）")
    url: str = Field(
        ...,
        max_length=500,
        pattern=r"^https?://[^\s]+$",
        description="接收地址",
        examples=["https://data.example.cn/fupin"],
    )
    events: list[Choice(EVENTS)] = Field(  # type: ignore[valid-type]
        ...,
        min_length=1,
        max_length=len(EVENTS),
        description="订阅的事件：" + "；".join(f"{k} {v}" for k, v in EVENTS.items()),
    )
    division: DivisionCode = Field(..., description="区划范围：本区划及其下级的事件")
    institution: str | None = Field(
        None, max_length=20, description="只要这家贷款机构的事件（银行用户总是本机构）"
    )


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    division: str = Field(..., alias="division_code")
    institution: str | None = None
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_institution(obj) -> str | None:
        return obj.institution.code if obj.institution_id else None


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(..., description="签名密钥，仅此一次返回：用它校验 X-Fupin-Signature")


class AttemptOut(Schema):
    at: dt.datetime
    status: int | None = Field(None, description="接收方的 HTTP 状态；没有应答为空")
    ms: int
    error: str


class DeliveryOut(Schema):
    id: int = Field(..., description="即 X-Fupin-Delivery")
    event: str
    state: str = Field(..., description="pending 待发送 / delivered 已送达 / failed 多次失败，已放弃")
    attempts: int
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    delivered_at: dt.datetime | None = None
    payload: dict
    tries: list[AttemptOut]

    @staticmethod
    def resolve_tries(obj) -> list:
        return obj.tries_shown


@router.get("/webhooks", response=responses(list[SubscriptionOut]), summary="事件订阅")
def subscription_list(request):
    return list(services.subscriptions_visible(request.auth).order_by("-id")[:200])


@router.post(
    "/webhooks",
    response=responses(SubscriptionCreated, 404, 409, 422, ok_status=201),
    summary="订阅事件：发生时向接收地址推送带 HMAC 签名的 JSON",
)
def subscription_create(request, payload: SubscriptionIn):
    lender = institution_pick(request.auth, "webhook.manage", payload.institution)
    sub, _ = services.subscription_create(
        acting_user=request.auth,
        name=payload.name,
        url=payload.url,
        events=list(payload.events),
        division_code=payload.division,
        institution=lender,
    )
    return Status(201, sub)  # with its secret, this once


@router.delete("/webhooks/{webhook_id}", response=responses(SubscriptionOut, 404, 409), summary="停用订阅")
def subscription_end(request, webhook_id: int = Id):
    sub = services.subscription_get(request.auth, webhook_id)
    return services.subscription_end(acting_user=request.auth, subscription=sub)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=responses(list[DeliveryOut], 404),
    summary="推送记录：最近 100 个事件及每次尝试的结果",
)
def subscription_deliveries(request, webhook_id: int = Id):
    return services.deliveries(services.subscription_get(request.auth, webhook_id))


@router.post(
    "/webhooks/{webhook_id}/test",
    response=responses(AttemptOut, 404, 409),
    summary="立即推送一个 ping 事件，返回接收方的应答",
)
def subscription_test(request, webhook_id: int = Id):
    sub = services.subscription_get(request.auth, webhook_id)
    return services.subscription_test(acting_user=request.auth, subscription=sub)
