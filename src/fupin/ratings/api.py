import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.accounts.models import User
from fupin.api.common import MAX_ID, Choice, DivisionCode, Pagination, Text, responses
from fupin.core.eligibility import EXCLUSIONS
from fupin.core.errors import ValidationFailed
from fupin.households.models import Household
from fupin.ratings import selectors, services
from fupin.ratings.models import Panel, Rating, RatingRound, Seat

router = Router(tags=["评级授信 Ratings"])
Id = Path(..., ge=1, le=MAX_ID)


class ScorecardOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    version: int
    state: str
    county_code: str = Field(..., alias="division_id")
    published_at: dt.datetime | None = None


class ScorecardDetail(ScorecardOut):
    definition: dict[str, Any] = Field(
        ..., description="指标 items、等级 grades、上限 cap 等；数值以字符串表示"
    )
    note: str


class ScorecardIn(Schema):
    definition: dict[str, Any] = Field(..., description="完整的评分表定义（只能修改草稿）")
    name: Text(100) = ""
    note: Text(200) = ""


class PreviewOut(Schema):
    households: int
    up: int
    down: int
    same: int
    unscorable: int
    total_before: Decimal
    total_after: Decimal
    problems: list[str]


class RoundOut(Schema):
    id: int
    village_code: str = Field(..., alias="village_id")
    year: int
    state: str
    scorecard_id: int
    total: int
    scored: int
    progress: int


class SheetOut(Schema):
    member: str
    seat: str
    points: dict[str, str]
    total: Decimal

    @staticmethod
    def resolve_member(obj) -> str:
        return obj.member.user.username

    @staticmethod
    def resolve_seat(obj) -> str:
        return obj.member.seat


class RatingOut(Schema):
    id: int
    household_id: int
    round_id: int
    scorecard_id: int
    state: str
    sheets_count: int
    score: Decimal | None = None
    spread: Decimal | None = None
    outliers: list[str]
    grade_code: str
    grade_label: str
    credit_line: Decimal | None = None
    sheets: list[SheetOut] = Field(..., description="背靠背：评完之前只返回本人的评分")


class SheetIn(Schema):
    values: dict[str, Text(40)] = Field(..., description="每个指标的值：区间与公式填数值，选项填选项名称")


class FailureOut(Schema):
    rule: str
    message: str


class CreditOut(Schema):
    grade_code: str
    grade_label: str
    amount: Decimal
    term_months: int
    valid_until: dt.date
    subsidy_barred_from: int | None = None


class EligibilityOut(Schema):
    household_id: int
    eligible: bool
    failures: list[FailureOut] = Field(..., description="每一条不符合的准入规则（R-ELG-4），不只第一条")
    credit: CreditOut | None = None


class UnborrowedOut(Schema):
    household_id: int
    registry_no: str
    village_code: str
    head_name: str
    grade_label: str
    amount: Decimal
    valid_until: dt.date


class ExclusionIn(Schema):
    code: Choice(EXCLUSIONS) = Field(..., description="不予授信情形：" + "、".join(EXCLUSIONS))
    reason: Text(300, 1)


class ExclusionOut(Schema):
    id: int
    household_id: int
    code: str
    reason: str
    recorded_on: dt.date


@router.get("/scorecards", response=responses(list[ScorecardOut]), summary="本县的评分表（各版本）")
@paginate(Pagination)
def scorecard_list(request):
    return selectors.scorecards_visible(request.auth)


@router.get(
    "/scorecards/{scorecard_id}", response=responses(ScorecardDetail, 404), summary="评分表的一个版本"
)
def scorecard_detail(request, scorecard_id: int = Id):
    return selectors.scorecard_get(request.auth, scorecard_id)


@router.put(
    "/scorecards/{scorecard_id}",
    response=responses(ScorecardDetail, 404, 409, 422),
    summary="修改评分表草稿（县扶贫办；已发布的版本不能修改）",
)
def scorecard_update(request, payload: ScorecardIn, scorecard_id: int = Id):
    sc = selectors.scorecard_get(request.auth, scorecard_id)
    return services.scorecard_update(
        acting_user=request.auth,
        scorecard=sc,
        definition=payload.definition,
        name=payload.name,
        note=payload.note,
    )


@router.get(
    "/scorecards/{scorecard_id}/preview",
    response=responses(PreviewOut, 404),
    summary="预览：按此版本重新计算现有农户的等级与额度",
)
def scorecard_preview(request, scorecard_id: int = Id):
    sc = selectors.scorecard_get(request.auth, scorecard_id)
    return services.scorecard_preview(acting_user=request.auth, scorecard=sc)


@router.post(
    "/scorecards/{scorecard_id}/publish",
    response=responses(ScorecardOut, 404, 409),
    summary="发布评分表草稿（此前的评级保留原版本）",
)
def scorecard_publish(request, scorecard_id: int = Id):
    sc = selectors.scorecard_get(request.auth, scorecard_id)
    return services.scorecard_publish(acting_user=request.auth, scorecard=sc)


class RoundFilter(Schema):
    village: DivisionCode | None = Field(None, description="行政村代码")
    state: Choice(RatingRound.State.values) | None = Field(
        None, description="、".join(RatingRound.State.values)
    )


@router.get("/rating-rounds", response=responses(list[RoundOut]), summary="整村评级授信及其进度")
@paginate(Pagination)
def round_list(request, filters: Query[RoundFilter]):
    state = filters.state if filters.state in RatingRound.State.values else ""
    return selectors.rounds_visible(request.auth, village=filters.village or "", state=state or "")


class RatingRowOut(Schema):
    id: int
    household_id: int
    registry_no: str
    head_name: str = Field(..., description="户主姓名")
    round_id: int
    year: int = Field(..., description="评级年度")
    state: str
    state_label: str
    sheets_count: int
    score: Decimal | None = Field(None, description="得分（评完后）")
    grade_code: str
    grade_label: str
    credit_line: Decimal | None = Field(None, description="授信额度（元）")
    valid_until: dt.date | None = None
    mine: bool | None = Field(None, description="本人是否已评（只在一轮评级的名单中给出）")

    @staticmethod
    def resolve_registry_no(obj: Rating) -> str:
        return obj.household.registry_no

    @staticmethod
    def resolve_head_name(obj: Rating) -> str:
        heads = getattr(obj.household, "heads", None)
        return heads[0].name if heads else ""

    @staticmethod
    def resolve_year(obj: Rating) -> int:
        return obj.round.year

    @staticmethod
    def resolve_state_label(obj: Rating) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_mine(obj: Rating) -> bool | None:
        return getattr(obj, "mine", None)


@router.get(
    "/rating-rounds/{round_id}/ratings",
    response=responses(list[RatingRowOut], 404),
    summary="一轮整村评级的名单：每户的进度、等级与授信（背靠背：分项评分不在此列）",
)
def round_ratings(request, round_id: int = Id):
    rnd = selectors.round_get(request.auth, round_id)
    return selectors.round_ratings(request.auth, rnd)


class GradeChangeOut(Schema):
    on: dt.date
    event: str
    event_label: str
    before_grade: str
    after_grade: str
    before_amount: Decimal | None = None
    after_amount: Decimal
    reason: str

    @staticmethod
    def resolve_event_label(obj) -> str:
        return obj.get_event_display()


class HouseholdRatingsOut(Schema):
    household_id: int
    credit: CreditOut | None = Field(None, description="现行授信")
    ratings: list[RatingRowOut] = Field(..., description="历次评级，新的在前（最多 20 次）")
    grade_changes: list[GradeChangeOut] = Field(..., description="等级与额度的变动（升降级、冻结……）")


@router.get(
    "/households/{household_id}/ratings",
    response=responses(HouseholdRatingsOut, 404),
    summary="一户的历次评级、现行授信与等级变动",
)
def household_ratings(request, household_id: int = Id):
    access.require(request.auth, "rating.view")
    hh = access.get_visible(request.auth, Household, "household.view", pk=household_id)
    known = selectors.archive_rating(hh)
    for r in known["ratings"]:
        r.household = hh
    hh.heads = [p for p in hh.members.filter(is_head=True, left_on__isnull=True)]
    return {
        "household_id": hh.pk,
        "credit": known["credit"],
        "ratings": known["ratings"],
        "grade_changes": known["grade_changes"],
    }


@router.get(
    "/ratings/{rating_id}",
    response=responses(RatingOut, 404),
    summary="一户的评级（背靠背：评完前只见本人评分）",
)
def rating_detail(request, rating_id: int = Id):
    r = selectors.rating_get(request.auth, rating_id)
    r.sheets_shown = selectors.sheets_shown(request.auth, r)
    return _rating_out(r)


def _rating_out(r: Rating) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in (
                "id",
                "household_id",
                "round_id",
                "scorecard_id",
                "state",
                "sheets_count",
                "score",
                "spread",
                "outliers",
                "grade_code",
                "grade_label",
                "credit_line",
            )
        },
        "sheets": r.sheets_shown,
    }


@router.post(
    "/ratings/{rating_id}/sheets",
    response=responses(RatingOut, 404, 409, 422, ok_status=201),
    summary="评议小组成员提交对一户的评分（只能提交一次）",
)
def sheet_submit(request, payload: SheetIn, rating_id: int = Id):
    r = selectors.rating_get(request.auth, rating_id)
    services.sheet_submit(acting_user=request.auth, rating=r, values=payload.values)
    r = selectors.rating_get(request.auth, rating_id)
    r.sheets_shown = selectors.sheets_shown(request.auth, r)
    return Status(201, _rating_out(r))


@router.post(
    "/households/{household_id}/exclusions",
    response=responses(ExclusionOut, 404, 422, ok_status=201),
    summary="记录一条不予授信情形（事实、记录人、依据）",
)
def exclusion_record(request, payload: ExclusionIn, household_id: int = Id):
    hh = access.get_visible(request.auth, Household, "exclusion.record", pk=household_id)
    return Status(
        201,
        services.exclusion_record(
            acting_user=request.auth, household=hh, code=payload.code, reason=payload.reason
        ),
    )


class UnborrowedFilter(Schema):
    village: DivisionCode | None = Field(None, description="行政村代码")


@router.get("/unborrowed", response=responses(list[UnborrowedOut]), summary="应贷未贷名单（R-ELG-2c）")
@paginate(Pagination)
def unborrowed(request, filters: Query[UnborrowedFilter]):
    rows = selectors.unborrowed(request.auth, village=filters.village or "", on=timezone.localdate())
    return [
        {
            "household_id": hh.pk,
            "registry_no": hh.registry_no,
            "village_code": hh.village_id,
            "head_name": hh.heads[0].name if hh.heads else "",
            "grade_label": line.grade_label,
            "amount": line.amount,
            "valid_until": line.valid_until,
        }
        for hh, line in rows
    ]


class PanelMemberIn(Schema):
    user_id: int = Field(..., ge=1, le=MAX_ID)
    seat: Choice(Seat.values) = Field(
        ..., description="身份：" + " / ".join(f"{s.value} {s.label}" for s in Seat)
    )


class PanelIn(Schema):
    village_code: DivisionCode
    name: Text(100, 1)
    members: list[PanelMemberIn] = Field(..., min_length=1, max_length=30)


class PanelOut(Schema):
    id: int
    village_code: str
    name: str
    members: list[dict[str, Any]] = Field(..., description="[{user_id, seat}]")


def _panel(p) -> dict:
    return {
        "id": p.pk,
        "village_code": p.village_id,
        "name": p.name,
        "members": [{"user_id": m.user_id, "seat": m.seat} for m in p.members.all()],
    }


@router.get("/panels", response=responses(list[PanelOut]), summary="辖区内的评议小组")
def panel_list(request):
    access.require(request.auth, "rating.view")
    return [
        _panel(p)
        for p in access.visible(request.auth, Panel.objects.prefetch_related("members"), "rating.view")[:500]
    ]


@router.post(
    "/panels",
    response=responses(PanelOut, 404, 422, ok_status=201),
    summary="组建村评议小组（村民代表不少于 2/5）",
)
def panel_create(request, payload: PanelIn):
    users = {u.pk: u for u in User.objects.filter(pk__in=[m.user_id for m in payload.members])}
    if len(users) != len({m.user_id for m in payload.members}):
        raise ValidationFailed("评议小组成员须为系统用户", code="panel_member")
    p = services.panel_create(
        acting_user=request.auth,
        village_code=payload.village_code,
        name=payload.name,
        members=[(users[m.user_id], m.seat) for m in payload.members],
    )
    return Status(201, _panel(p))


class RoundIn(Schema):
    village_code: DivisionCode
    panel_id: int = Field(..., ge=1, le=MAX_ID)
    scorecard_id: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    household_ids: list[int] | None = Field(None, max_length=5000, description="只评这些农户（默认全村）")
    unrated_only: bool = Field(False, description="只补评未授信、且不在进行中评级里的农户（如新纳入的）")


@router.post(
    "/rating-rounds", response=responses(RoundOut, 404, 409, 422, ok_status=201), summary="开始整村评级授信"
)
def round_start(request, payload: RoundIn):
    panel = access.get_visible(request.auth, Panel, "rating.organise", pk=payload.panel_id)
    card = selectors.scorecard_get(request.auth, payload.scorecard_id)
    rnd = services.round_start(
        acting_user=request.auth,
        village_code=payload.village_code,
        panel=panel,
        scorecard=card,
        year=payload.year,
        household_ids=payload.household_ids,
        unrated_only=payload.unrated_only,
    )
    return Status(201, selectors.rounds_visible(request.auth).get(pk=rnd.pk))


@router.post(
    "/rating-rounds/{round_id}/signature",
    response=responses(RoundOut, 404, 409, 422),
    summary="评议小组签字（每户都由每位成员评完、村民代表不少于 2/5）",
)
def round_sign(request, round_id: int = Id):
    rnd = services.round_sign(acting_user=request.auth, rnd=selectors.round_get(request.auth, round_id))
    return selectors.rounds_visible(request.auth).get(pk=rnd.pk)


class RoundDecisionIn(Schema):
    approve: bool
    reason: Text(300) = ""


@router.post(
    "/rating-rounds/{round_id}/decision",
    response=responses(RoundOut, 404, 409, 422),
    summary="乡镇审核、县扶贫办审定（通过后授信生效；退回须写原因）",
)
def round_decide(request, payload: RoundDecisionIn, round_id: int = Id):
    access.require(request.auth, "rating.decide")
    rnd = services.round_decide(
        acting_user=request.auth,
        rnd=selectors.round_get(request.auth, round_id),
        approve=payload.approve,
        reason=payload.reason,
    )
    return selectors.rounds_visible(request.auth).get(pk=rnd.pk)
