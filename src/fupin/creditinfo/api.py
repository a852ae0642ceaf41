"""The credit-information service through /api/v1 (R-CRD-1 … 3): the household credit report
(a logged query; another institution needs the household's consent), items and their import,
consents, the query log, the credit file for a county database, entity ratings."""

from typing import Any

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, Choice, IsoDate, Pagination, Text, responses, uploaded
from fupin.coops.models import Cooperative
from fupin.core.creditinfo import CATEGORIES
from fupin.creditinfo import selectors, services
from fupin.creditinfo.models import Consent
from fupin.households.models import Household

router = Router(tags=["农户信用信息 Credit information"])
Id = Path(..., ge=1, le=MAX_ID)


def _household(request, pk: int, action: str) -> Household:
    return access.get_visible(request.auth, Household, action, pk=pk)


class CreditPurpose(Schema):
    purpose: Text(100, 2) = Field(..., description="查询原因（记入查询日志）")


class CreditItemOut(Schema):
    category: str = Field(..., description="basic 基本 / economic 经济 / bank 银行 / nonbank 非银行")
    name: str
    value: str
    source: str = Field(..., description="来源部门")
    on: str
    adverse: bool
    adverse_end: str | None


class CreditRatingOut(Schema):
    year: int
    grade: str
    score: str | None
    credit_line: str | None


class CreditLoanOut(Schema):
    contract_no: str
    start: str
    principal: str
    state: str
    ever_late: bool


class CreditReportOut(Schema):
    household_id: int
    registry_no: str
    village_code: str
    status: str
    blacklisted: bool
    ratings: list[CreditRatingOut]
    loans: list[CreditLoanOut]
    items: list[CreditItemOut] = Field(..., description="仍展示的信用信息（不良记录满 5 年不再展示）")
    hidden: int = Field(..., description="已满 5 年不再展示的不良记录条数")


def _item(i) -> dict:
    return {
        "category": i.category,
        "name": i.name,
        "value": i.value,
        "source": i.source,
        "on": i.on.isoformat(),
        "adverse": i.adverse,
        "adverse_end": i.adverse_end.isoformat() if i.adverse_end else None,
    }


@router.get(
    "/households/{household_id}/credit-report",
    response=responses(CreditReportOut, 404, 422),
    summary="农户信用报告（每次查询记入日志；金融机构须有农户授权）",
)
def credit_report(request, q: Query[CreditPurpose], household_id: int = Id):
    action = "credit.view" if access.may(request.auth, "credit.view") else "credit.query"
    household = _household(request, household_id, action)
    services.credit_query(acting_user=request.auth, household=household, purpose=q.purpose)
    r = selectors.report(household, timezone.localdate())
    return {
        "household_id": household.pk,
        "registry_no": household.registry_no,
        "village_code": household.village_id,
        "status": household.status,
        "blacklisted": r["blacklisted"],
        "ratings": [
            {
                "year": x.round.year,
                "grade": x.grade_code,
                "score": str(x.score) if x.score is not None else None,
                "credit_line": str(x.credit_line) if x.credit_line is not None else None,
            }
            for x in r["ratings"]
        ],
        "loans": [
            {
                "contract_no": ln.contract_no,
                "start": ln.start.isoformat(),
                "principal": f"{ln.principal / 100:.2f}",
                "state": ln.state,
                "ever_late": bool(getattr(getattr(ln, "servicing", None), "ever_late", False)),
            }
            for ln in r["loans"]
        ],
        "items": [_item(i) for _, items in r["categories"] for i in items],
        "hidden": r["hidden"],
    }


class CreditItemIn(Schema):
    category: Choice([*CATEGORIES, *CATEGORIES.values()]) = Field(
        ..., description="basic / economic / bank / nonbank（或中文类别名）"
    )
    name: Text(60, 1)
    value: Text(200, 1)
    source: Text(60, 2) = Field(..., description="来源部门")
    on: IsoDate
    adverse: bool = False
    adverse_end: IsoDate | None = None


@router.post(
    "/households/{household_id}/credit-items",
    response=responses(CreditItemOut, 404, 422, ok_status=201),
    summary="登记一条信用信息（注明来源部门和日期）",
)
def credit_item_add(request, payload: CreditItemIn, household_id: int = Id):
    household = _household(request, household_id, "credit.record")
    item = services.item_add(
        acting_user=request.auth,
        household=household,
        source=payload.source,
        category=payload.category,
        name=payload.name,
        value=payload.value,
        on=payload.on,
        adverse="是" if payload.adverse else "否",
        adverse_end=payload.adverse_end,
    )
    return Status(201, _item(item))


class CreditImportIn(Schema):
    source: Text(60, 2) = Field(..., description="来源部门")
    file_name: Text(120, 1)
    content_base64: str = Field(..., max_length=28_000_000, description="xlsx 文件内容（base64）")


class CreditImportOut(Schema):
    created: int = Field(..., description="新增条数（已有的不重复登记）")


@router.post(
    "/credit-items/import",
    response=responses(CreditImportOut, 422),
    summary="按来源部门导入信用信息 Excel（全部正确才导入）",
)
def credit_items_import(request, payload: CreditImportIn):
    access.require(request.auth, "credit.record")
    with uploaded(payload.content_base64) as path:
        return {
            "created": services.items_import(
                acting_user=request.auth, path=path, source=payload.source, file_name=payload.file_name
            )
        }


class ConsentIn(Schema):
    institution: Text(20, 1) = Field(..., description="被授权金融机构（总社）代码")
    document_no: Text(40, 1) = Field(..., description="农户签字的授权书编号")
    granted_on: IsoDate
    expires_on: IsoDate


class ConsentOut(Schema):
    id: int
    household_id: int
    institution: str
    institution_name: str
    document_no: str
    granted_on: str
    expires_on: str
    revoked_on: str | None


def _consent(c: Consent) -> dict:
    return {
        "id": c.pk,
        "household_id": c.household_id,
        "institution": c.institution,
        "institution_name": c.institution_name,
        "document_no": c.document_no,
        "granted_on": c.granted_on.isoformat(),
        "expires_on": c.expires_on.isoformat(),
        "revoked_on": c.revoked_on.isoformat() if c.revoked_on else None,
    }


@router.get(
    "/households/{household_id}/consents", response=responses(list[ConsentOut], 404), summary="农户的查询授权"
)
def consents(request, household_id: int = Id):
    household = _household(
        request,
        household_id,
        "credit.consent" if access.may(request.auth, "credit.consent") else "credit.view",
    )
    return [_consent(c) for c in household.credit_consents.all()[:100]]


@router.post(
    "/households/{household_id}/consents",
    response=responses(ConsentOut, 404, 422, ok_status=201),
    summary="登记农户对某金融机构的查询授权",
)
def consent_add(request, payload: ConsentIn, household_id: int = Id):
    household = _household(request, household_id, "credit.consent")
    c = services.consent_record(
        acting_user=request.auth,
        household=household,
        institution=payload.institution,
        document_no=payload.document_no,
        granted_on=payload.granted_on,
        expires_on=payload.expires_on,
    )
    return Status(201, _consent(c))


@router.post("/consents/{consent_id}/revoke", response=responses(ConsentOut, 404), summary="撤销查询授权")
def consent_revoke(request, consent_id: int = Id):
    consent = access.get_visible(request.auth, Consent, "credit.consent", pk=consent_id)
    return _consent(services.consent_revoke(acting_user=request.auth, consent=consent))


class CreditQueryOut(Schema):
    id: int
    household_id: int
    institution: str
    user: str
    purpose: str
    at: str
    allowed: bool


@router.get(
    "/credit-queries", response=responses(list[CreditQueryOut]), summary="信用信息查询日志（含被拒绝的查询）"
)
@paginate(Pagination)
def credit_queries(request):
    access.require(request.auth, "credit.log")
    return [
        {
            "id": q.pk,
            "household_id": q.household_id,
            "institution": q.institution,
            "user": q.user.username,
            "purpose": q.purpose,
            "at": q.at.isoformat(),
            "allowed": q.allowed,
        }
        for q in selectors.queries(request.auth)[:5000]
    ]


@router.get(
    "/households/{household_id}/credit-file",
    response=responses(dict[str, Any], 404),
    summary="导出农户信用档案（与县级数据库交换；含证件号码，记入审计日志）",
)
def credit_file(request, household_id: int = Id):
    household = _household(request, household_id, "credit.exchange")
    return services.credit_file_export(acting_user=request.auth, household=household)


class CreditFileIn(Schema):
    format: Text(40) = Field(..., description="fupin-credit-file/1")
    households: list[dict[str, Any]] = Field(..., max_length=10_000)


@router.post(
    "/credit-files",
    response=responses(CreditImportOut, 422),
    summary="导入信用档案（按证件号码匹配；全部正确才导入）",
)
def credit_file_import(request, payload: CreditFileIn):
    return {"created": services.credit_file_import(acting_user=request.auth, data=payload.dict())}


class EntityRatingIn(Schema):
    kind: Choice(["lead", "coop"]) = Field(..., description="lead 带动主体 / coop 扶贫互助社")
    household_id: int | None = Field(None, ge=1, le=MAX_ID)
    coop_id: int | None = Field(None, ge=1, le=MAX_ID)
    output: int | None = Field(None, ge=0, le=10**12, description="带动主体年产值（元）")


class EntityRatingOut(Schema):
    id: int
    kind: str
    household_id: int | None
    coop_id: int | None
    total: int
    grade: str
    lines: list[list[Any]] = Field(..., description="[[项目代码, 项目, 取值, 得分, 满分], …]")
    rated_on: str


def _entity(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "household_id": e.household_id,
        "coop_id": e.coop_id,
        "total": e.total,
        "grade": e.grade,
        "lines": e.lines,
        "rated_on": e.rated_on.isoformat(),
    }


@router.get(
    "/entity-ratings", response=responses(list[EntityRatingOut]), summary="带动主体与扶贫互助社的评级"
)
def entity_ratings(request):
    access.require(request.auth, "credit.view")
    return [_entity(e) for e in selectors.entity_ratings(request.auth)[:1000]]


@router.post(
    "/entity-ratings",
    response=responses(EntityRatingOut, 404, 422, ok_status=201),
    summary="用专门的评分表评定带动主体或扶贫互助社（R-CRD-3）",
)
def entity_rate(request, payload: EntityRatingIn):
    access.require(request.auth, "credit.rate")
    household = _household(request, payload.household_id, "credit.rate") if payload.household_id else None
    coop = (
        access.get_visible(request.auth, Cooperative, "credit.rate", pk=payload.coop_id)
        if payload.coop_id
        else None
    )
    return Status(
        201,
        _entity(
            services.entity_rate(
                acting_user=request.auth,
                kind=payload.kind,
                household=household,
                coop=coop,
                output=payload.output,
            )
        ),
    )
