import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fupin.api.common import IsoDate, Pagination, Text, responses
from fupin.audit.selectors import audit_entries

router = Router(tags=["审计日志 Audit"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None = Field(None, description="操作人用户名（系统操作为空）")
    actor_name: str = Field(..., description="操作人姓名（系统操作为“系统”）")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    action: str
    object_type: str
    object_id: str
    object_repr: str
    division_code: str
    before: Any = None
    after: Any = None


class AuditFilter(Schema):
    actor: Text(150) | None = Field(None, description="操作人用户名或姓名")
    action: Text(64) | None = Field(None, description="操作（前缀匹配）")
    object_type: Text(64) | None = None
    object_id: Text(64) | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


@router.get("", response=responses(list[AuditOut]), summary="审计日志（审计、系统管理员）")
@paginate(Pagination)
def audit_list(request, filters: Query[AuditFilter]):
    return audit_entries(request.auth, **filters.dict())
