"""The text-message log over /api/v1 (issue 26 (7)), for the staff who see the recipients."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fupin.accounts import access
from fupin.api.common import MAX_ID, Choice, Pagination, responses
from fupin.sms.models import Message
from fupin.sms.templates import TEMPLATES

router = Router(tags=["短信 SMS"])


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    household_id: int | None = None
    name: str = Field(..., description="收信人")
    phone_masked: str
    text: str
    state: str = Field(
        ...,
        description="queued 待发送 / sent 已发送 / failed 发送失败 / opted_out 已退订 / no_phone 没有手机号",
    )
    state_label: str
    attempts: int
    created_at: dt.datetime
    send_after: dt.datetime = Field(..., description="最早发送时间（静默时段之后）")
    sent_at: dt.datetime | None = None
    error: str

    @staticmethod
    def resolve_kind_label(obj: Message) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_state_label(obj: Message) -> str:
        return obj.get_state_display()


class MessageFilter(Schema):
    household: int | None = Field(None, ge=1, le=MAX_ID, description="农户 id")
    kind: Choice(TEMPLATES) | None = Field(None, description="、".join(TEMPLATES))  # type: ignore[valid-type]
    state: Choice(Message.State.values) | None = None  # type: ignore[valid-type]


@router.get(
    "/sms/messages",
    response=responses(list[MessageOut]),
    summary="短信记录：发给辖区内农户和工作人员的每一条",
)
@paginate(Pagination)
def message_list(request, filters: Query[MessageFilter]):
    access.require(request.auth, "sms.view")
    qs = access.visible(request.auth, Message, "sms.view")
    if filters.household:
        qs = qs.filter(household_id=filters.household)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("-created_at", "-id")
