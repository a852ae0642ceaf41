"""Writes of 评级授信 and eligibility (DOMAIN §2, §3). Every write checks the actor's role and
jurisdiction, runs in one transaction and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_many, audit_record
from fupin.core import rating as core
from fupin.core.calendar import add_months
from fupin.core.eligibility import EXCLUSIONS
from fupin.core.errors import Conflict, NotPermitted, ProblemList, ValidationFailed, reason_required
from fupin.core.idcard import age_on
from fupin.divisions.models import Division
from fupin.households.models import Household, Labour, Person
from fupin.ratings import rules as rules_mod
from fupin.ratings.models import (
    CreditLine,
    Designation,
    Exclusion,
    GradeChange,
    Panel,
    PanelMember,
    Rating,
    RatingRound,
    Reputation,
    RuleSet,
    Scorecard,
    ScoreSheet,
    Seat,
)

OPEN_ROUND_STATES = (RatingRound.State.SCORING, RatingRound.State.SIGNED, RatingRound.State.REVIEWED)
RATED_STATUSES = ("poor", "low_income", "monitored", "lifted")  # a whole-village round rates these


def county_of(code: str) -> str:
    return code[:6] + "000000"


def today() -> dt.date:
    return timezone.localdate()


# --- scorecards (R-RAT-1, 1a) -------------------------------------------------------------------


def scorecard_install_presets(*, acting_user, county_code: str) -> list[Scorecard]:
    """Publish version 1 of every preset scorecard (篇2, 篇8, lead) and the programme rules for a
    county that has none yet."""
    if acting_user is not None:
        access.require(acting_user, "scorecard.manage", code=county_code)
    out = []
    with transaction.atomic():
        for code, (name, kind, card) in core.PRESETS.items():
            if Scorecard.objects.filter(division_id=county_code, code=code).exists():
                continue
            sc = Scorecard.objects.create(
                division_id=county_code,
                code=code,
                name=name,
                kind=kind,
                version=1,
                definition=core.scorecard_to_dict(card),
                state=Scorecard.State.PUBLISHED,
                created_by=acting_user,
                published_by=acting_user,
                published_at=timezone.now(),
                note="预置",
            )
            audit_record(
                actor=acting_user,
                action="scorecard.publish",
                obj=sc,
                division_code=county_code,
                after={"code": code, "version": 1},
            )
            out.append(sc)
        if not RuleSet.objects.filter(division_id=county_code).exists():
            rs = RuleSet.objects.create(
                division_id=county_code,
                programme=rules_mod.PROGRAMME,
                name="扶贫小额信贷准入规则",
                version=1,
                effective=dt.date(2014, 1, 1),
                definition=rules_mod.PRESET,
                created_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action="rules.create",
                obj=rs,
                division_code=county_code,
                after={"programme": rs.programme, "version": 1},
            )
    return out


def scorecard_draft(*, acting_user, scorecard: Scorecard) -> Scorecard:
    """A new draft version copied from ``scorecard`` (published versions are never edited)."""
    access.require(acting_user, "scorecard.manage", scorecard)
    with transaction.atomic():
        existing = (
            Scorecard.objects.select_for_update()
            .filter(division_id=scorecard.division_id, code=scorecard.code, state=Scorecard.State.DRAFT)
            .first()
        )
        if existing:
            return existing
        last = (
            Scorecard.objects.filter(division_id=scorecard.division_id, code=scorecard.code)
            .order_by("-version")
            .first()
        )
        draft = Scorecard.objects.create(
            division_id=scorecard.division_id,
            code=scorecard.code,
            name=scorecard.name,
            kind=scorecard.kind,
            version=(last.version if last else 0) + 1,
            definition=scorecard.definition,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="scorecard.draft",
            obj=draft,
            division_code=draft.division_id,
            after={"code": draft.code, "version": draft.version, "from": scorecard.version},
        )
    return draft


def scorecard_update(
    *, acting_user, scorecard: Scorecard, definition: Any, name: str = "", note: str = ""
) -> Scorecard:
    """Replace a draft's definition; every problem of the definition is listed (422)."""
    access.require(acting_user, "scorecard.manage", scorecard)
    if scorecard.state != Scorecard.State.DRAFT:
        raise Conflict("已发布的评分表不能修改，请先生成新版本草稿", code="scorecard_not_draft")
    if not isinstance(definition, Mapping):
        raise ValidationFailed("评分表定义应为 JSON 对象", code="scorecard_invalid")
    card = core.scorecard_from_dict(scorecard.code, str(scorecard.version), definition)
    with transaction.atomic():
        before = scorecard.definition
        scorecard.definition = core.scorecard_to_dict(card)
        scorecard.name = (name or scorecard.name).strip()[:100]
        scorecard.note = note.strip()[:200]
        scorecard.save(update_fields=["definition", "name", "note"])
        audit_record(
            actor=acting_user,
            action="scorecard.update",
            obj=scorecard,
            division_code=scorecard.division_id,
            before={"definition": before},
            after={"definition": scorecard.definition},
        )
    scorecard.__dict__.pop("card", None)
    return scorecard


def scorecard_publish(*, acting_user, scorecard: Scorecard) -> Scorecard:
    """Publish a draft; the version published before it is retired. Ratings already made keep
    their own version (R-RAT-1)."""
    access.require(acting_user, "scorecard.manage", scorecard)
    with transaction.atomic():
        sc = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        if sc.state != Scorecard.State.DRAFT:
            raise Conflict("只有草稿可以发布", code="scorecard_not_draft")
        sc.card  # noqa: B018 — a stored draft that no longer checks cannot be published
        Scorecard.objects.filter(
            division_id=sc.division_id, code=sc.code, state=Scorecard.State.PUBLISHED
        ).update(state=Scorecard.State.RETIRED)
        sc.state, sc.published_by, sc.published_at = Scorecard.State.PUBLISHED, acting_user, timezone.now()
        sc.save(update_fields=["state", "published_by", "published_at"])
        audit_record(
            actor=acting_user,
            action="scorecard.publish",
            obj=sc,
            division_code=sc.division_id,
            after={"code": sc.code, "version": sc.version},
        )
    return sc


def rescore(
    card: core.Scorecard, sheets_values: list[dict], facts: dict
) -> tuple[Decimal, core.Grade | None, Decimal]:
    """Score a household's sheets again with ``card``: values of items the sheets lack come
    from the registry facts (an item's source); the aggregate picks grade and line."""
    totals = []
    for values in sheets_values:
        v = dict(values)
        for item in card.items:
            if item.code not in v and item.source and facts.get(item.source) is not None:
                v[item.code] = facts[item.source]
        v = {k: x for k, x in v.items() if k in {i.code for i in card.items}}
        totals.append(card.score_sheet(v).total)
    agg = core.aggregate(totals, card.aggregation, card.outlier_points)
    grade = card.grade_of(agg.score)
    return agg.score, grade, card.credit_line(grade)


def scorecard_preview(*, acting_user, scorecard: Scorecard, limit: int = 50) -> dict:
    """The effect of ``scorecard`` on the households now holding a line from the same scorecard
    code: each one's panel sheets scored again and compared with what its rating gave
    (R-RAT-1 "preview before publishing"). Publishing changes no existing line; the new
    version applies from the next rating."""
    access.require(acting_user, "scorecard.manage", scorecard)
    card = scorecard.card
    lines = (
        CreditLine.objects.filter(
            scorecard__division_id=scorecard.division_id, scorecard__code=scorecard.code, rating__isnull=False
        )
        .select_related("rating")
        .order_by("household_id")
    )
    sheets: dict[int, list[dict]] = {}
    for rating_id, values in (
        ScoreSheet.objects.filter(rating_id__in=lines.values("rating_id"))
        .values_list("rating_id", "values")
        .iterator(chunk_size=5000)
    ):
        sheets.setdefault(rating_id, []).append(values)
    before_dist: dict[str, int] = {}
    after_dist: dict[str, int] = {}
    out: dict[str, Any] = {
        "households": 0,
        "up": 0,
        "down": 0,
        "same": 0,
        "unscorable": 0,
        "problems": [],
        "total_before": Decimal(0),
        "total_after": Decimal(0),
        "changes": [],
    }
    ladder = card.ladder()
    for line in lines.iterator(chunk_size=2000):
        # before: what the household's own rating gave under its version (dynamic grade steps
        # since then are not the scorecard's doing); after: the same sheets under this version
        rating = line.rating
        before_code, before_amount = rating.grade_code or "—", rating.credit_line or Decimal(0)
        out["households"] += 1
        before_dist[before_code] = before_dist.get(before_code, 0) + 1
        try:
            score, grade, amount = rescore(card, sheets.get(line.rating_id, []), rating.facts)
        except ValidationFailed as e:
            out["unscorable"] += 1
            if len(out["problems"]) < 5:
                out["problems"].append(
                    f"农户 {line.household_id}：{e.details[0]['message'] if e.details else e.message}"
                )
            continue
        code = grade.code if grade else "—"
        after_dist[code] = after_dist.get(code, 0) + 1
        out["total_before"] += before_amount
        out["total_after"] += amount
        if amount > before_amount:
            out["up"] += 1
        elif amount < before_amount:
            out["down"] += 1
        else:
            out["same"] += 1
        if amount != before_amount and len(out["changes"]) < limit:
            out["changes"].append(
                {
                    "household_id": line.household_id,
                    "before_grade": before_code,
                    "after_grade": code,
                    "before": before_amount,
                    "after": amount,
                    "score": score,
                }
            )
    order = ladder + ["—"]
    out["distribution"] = [
        (g, before_dist.get(g, 0), after_dist.get(g, 0))
        for g in order + sorted(set(before_dist) - set(order))
    ]
    return out


def ruleset_create(
    *, acting_user, county_code: str, definition: Any, effective: dt.date, name: str = ""
) -> RuleSet:
    """A new version of the county programme's eligibility rules and credit-village thresholds,
    in force from ``effective`` (R-ELG-5): decisions before that date keep the old version."""
    access.require(acting_user, "scorecard.manage", code=county_code)
    checked = rules_mod.check(definition)
    with transaction.atomic():
        last = (
            RuleSet.objects.select_for_update()
            .filter(division_id=county_code, programme=rules_mod.PROGRAMME)
            .order_by("-version")
            .first()
        )
        if last and effective <= last.effective:
            raise ValidationFailed(
                f"生效日期应晚于上一版本的生效日期 {last.effective}", code="rules_effective"
            )
        rs = RuleSet.objects.create(
            division_id=county_code,
            programme=rules_mod.PROGRAMME,
            name=(name.strip() or (last.name if last else "扶贫小额信贷准入规则"))[:100],
            version=(last.version if last else 0) + 1,
            effective=effective,
            definition=checked,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="rules.create",
            obj=rs,
            division_code=county_code,
            before={"version": last.version, "definition": last.definition} if last else None,
            after={"version": rs.version, "effective": str(effective), "definition": checked},
        )
    return rs


# --- panels and rounds (R-RAT-3, 1b) ------------------------------------------------------------


def panel_create(*, acting_user, village_code: str, name: str, members: Iterable[tuple[Any, str]]) -> Panel:
    """A village evaluation panel. Every member must be a user who may score in this village;
    the 2/5 rule is checked when the panel signs, and shown from the start."""
    access.require(acting_user, "rating.organise", code=village_code)
    village = Division.objects.filter(code=village_code, level=5).first()
    if village is None:
        raise ValidationFailed("请选择一个行政村", code="panel_village")
    problems = ProblemList()
    seen = set()
    rows = list(members)
    if not rows:
        problems.add("评议小组至少要有一名成员")
    for user, seat in rows:
        if seat not in Seat.values:
            problems.add(f"身份“{seat}”不存在", field="seat", value=str(seat))
        if user is None:
            problems.add("成员账号不存在", field="user")
            continue
        if user.pk in seen:
            problems.add(f"{user.username} 重复", field="user", value=user.username)
        seen.add(user.pk)
        if not access.may(user, "rating.score", code=village_code):
            problems.add(f"{user.username} 不在本村辖区，或没有评议权限", field="user", value=user.username)
    problems.raise_if_any("评议小组成员有误", code="panel_members")
    with transaction.atomic():
        panel = Panel.objects.create(
            village=village, name=name.strip()[:100] or f"{village.name}评议小组", created_by=acting_user
        )
        PanelMember.objects.bulk_create([PanelMember(panel=panel, user=u, seat=s) for u, s in rows])
        audit_record(
            actor=acting_user,
            action="panel.create",
            obj=panel,
            division_code=village_code,
            after={"members": [[u.username, s] for u, s in rows]},
        )
    return panel


def household_facts(households: list[Household], on: dt.date) -> dict[int, dict]:
    """Registry facts that prefill a sheet (core.rating.SOURCES), for many households at once."""
    facts = {
        h.pk: {
            "income_per_capita": str(h.income_per_capita) if h.income_per_capita is not None else None,
            "member_count": h.member_count,
            "labour_count": 0,
            "head_age": None,
        }
        for h in households
    }
    for hid, labour, is_head, birth in Person.objects.filter(
        household_id__in=list(facts), left_on__isnull=True
    ).values_list("household_id", "labour", "is_head", "birth_date"):
        if labour in (Labour.FULL, Labour.WEAK):
            facts[hid]["labour_count"] += 1
        if is_head:
            facts[hid]["head_age"] = age_on(birth, on)
    return facts


def round_start(
    *,
    acting_user,
    village_code: str,
    panel: Panel,
    scorecard: Scorecard,
    year: int,
    household_ids: Iterable[int] | None = None,
    unrated_only: bool = False,
) -> RatingRound:
    """Start a village's rating round (整村评级授信): every registered household of the village
    (or the chosen ones) gets a rating to be scored by each panel member. ``unrated_only`` (补评)
    takes only the households with no credit line that no open round holds — those registered
    since the village was rated."""
    access.require(acting_user, "rating.organise", code=village_code)
    if panel.village_id != village_code:
        raise ValidationFailed("评议小组不属于该村", code="round_panel")
    if scorecard.state != Scorecard.State.PUBLISHED or scorecard.division_id != county_of(village_code):
        raise ValidationFailed("请选择本县已发布的评分表", code="round_scorecard")
    qs = Household.objects.filter(village_id=village_code)
    qs = (
        qs.filter(pk__in=list(household_ids))
        if household_ids is not None
        else qs.filter(status__in=RATED_STATUSES)
    )
    if unrated_only:
        qs = qs.filter(credit__isnull=True).exclude(
            pk__in=Rating.objects.filter(
                village_code=village_code, round__state__in=OPEN_ROUND_STATES
            ).values("household_id")
        )
    households = list(qs.order_by("pk"))
    if not households:
        raise ValidationFailed(
            "没有需要补评的未授信农户" if unrated_only else "没有需要评级的农户", code="round_empty"
        )
    busy = set(
        Rating.objects.filter(household__in=households, round__state__in=OPEN_ROUND_STATES).values_list(
            "household_id", flat=True
        )
    )
    if busy:
        raise Conflict(
            f"{len(busy)} 户已在进行中的评级里，不能重复评级",
            code="round_busy",
            details={"households": sorted(busy)[:50]},
        )
    facts = household_facts(households, dt.date(year, 1, 1) if year < today().year else today())
    with transaction.atomic():
        rnd = RatingRound.objects.create(
            village_id=village_code,
            panel=panel,
            scorecard=scorecard,
            year=year,
            total=len(households),
            created_by=acting_user,
        )
        Rating.objects.bulk_create(
            [
                Rating(
                    round=rnd, household=h, scorecard=scorecard, village_code=village_code, facts=facts[h.pk]
                )
                for h in households
            ],
            batch_size=1000,
        )
        audit_record(
            actor=acting_user,
            action="rating.round_start",
            obj=rnd,
            division_code=village_code,
            after={"households": len(households), "scorecard": f"{scorecard.code} v{scorecard.version}"},
        )
    return rnd


def _member_of(user, panel: Panel) -> PanelMember | None:
    return next((m for m in panel.members.all() if m.user_id == user.pk), None)


def sheet_submit(*, acting_user, rating: Rating, values: Mapping[str, Any]) -> ScoreSheet:
    """One member's scores for one household, alone and once (R-RAT-1b): a reviewer outside the
    village or outside the panel cannot score; a submitted sheet cannot be changed — the same
    sheet sent again (the village kit unsure its first reached us, issue 27 (8)) returns the first
    and records nothing. When the last member has scored, the rating is aggregated."""
    access.require(acting_user, "rating.score", code=rating.village_code)
    with transaction.atomic():
        r = (
            Rating.objects.select_for_update()
            .select_related("round", "round__panel", "scorecard")
            .get(pk=rating.pk)
        )
        member = _member_of(acting_user, r.round.panel)
        if member is None:
            raise NotPermitted("您不是该村评议小组成员，不能评分", code="not_panel_member")
        sheet = r.scorecard.card.score_sheet(values)
        sent = ScoreSheet.objects.filter(rating=r, member=member).first()
        if sent is not None:
            if sent.values == sheet.values:  # the same sheet sent again (a phone unsure it arrived)
                return sent
            raise Conflict("您已提交过该户的评分，提交后不能修改", code="sheet_submitted")
        if r.round.state != RatingRound.State.SCORING or r.state != Rating.State.SCORING:
            raise Conflict("该户的评议已结束，不能再评分", code="rating_closed")
        try:
            with transaction.atomic():
                row = ScoreSheet.objects.create(
                    rating=r,
                    member=member,
                    values=sheet.values,
                    points={k: str(v) for k, v in sheet.points.items()},
                    total=sheet.total,
                )
        except IntegrityError:
            raise Conflict("您已提交过该户的评分，提交后不能修改", code="sheet_submitted") from None
        r.sheets_count += 1
        fields = ["sheets_count"]
        if r.sheets_count >= len(r.round.panel.members.all()):
            _aggregate(r)
            fields += ["state", "score", "spread", "outliers", "grade_code", "grade_label", "credit_line"]
            RatingRound.objects.filter(pk=r.round_id).update(scored=F("scored") + 1)
        r.save(update_fields=fields)
        audit_record(
            actor=acting_user,
            action="rating.score",
            obj=row,
            division_code=r.village_code,
            after={"rating": r.pk, "total": str(sheet.total)},
        )
    return row


def _aggregate(r: Rating) -> None:
    card = r.scorecard.card
    sheets = list(r.sheets.select_related("member__user").order_by("id"))
    agg = core.aggregate([s.total for s in sheets], card.aggregation, card.outlier_points)
    grade = card.grade_of(agg.score)
    r.state = Rating.State.SCORED
    r.score, r.spread = agg.score, agg.spread
    r.outliers = [sheets[i].member.user.username for i in agg.outliers]
    r.grade_code, r.grade_label = (grade.code, grade.label) if grade else ("", "未授信")
    r.credit_line = card.credit_line(grade)


def _round_for_update(rnd: RatingRound) -> RatingRound:
    return RatingRound.objects.select_for_update().select_related("panel", "scorecard").get(pk=rnd.pk)


def round_sign(*, acting_user, rnd: RatingRound) -> RatingRound:
    """The panel signs its village evaluation: only a panel that keeps the 2/5 rule, only when
    every household has been scored by every member (R-RAT-3)."""
    access.require(acting_user, "rating.sign", code=rnd.village_id)
    with transaction.atomic():
        r = _round_for_update(rnd)
        if r.state != RatingRound.State.SCORING:
            raise Conflict(f"当前状态为“{r.get_state_display()}”，不能签字", code="round_state")
        if _member_of(acting_user, r.panel) is None:
            raise NotPermitted("只有评议小组成员可以签字", code="not_panel_member")
        problems = r.panel.problems()
        if problems:
            raise Conflict("；".join(problems), code="panel_composition")
        pending = r.ratings.exclude(state=Rating.State.SCORED).count()
        if pending:
            raise Conflict(f"还有 {pending} 户没有评完，不能签字", code="round_incomplete")
        r.state, r.signed_by, r.signed_at = RatingRound.State.SIGNED, acting_user, timezone.now()
        r.save(update_fields=["state", "signed_by", "signed_at"])
        audit_record(
            actor=acting_user,
            action="rating.sign",
            obj=r,
            division_code=r.village_id,
            after={"state": r.state},
        )
    return r


def round_decide(*, acting_user, rnd: RatingRound, approve: bool, reason: str = "") -> RatingRound:
    """Township review of a signed round, then county audit of a reviewed one. Approval by the
    county makes each household's grade and line effective; a rejection returns the round
    with its reason and nothing takes effect."""
    with transaction.atomic():
        r = _round_for_update(rnd)
        if r.state == RatingRound.State.SIGNED:
            action, to = "rating.review", RatingRound.State.REVIEWED
        elif r.state == RatingRound.State.REVIEWED:
            action, to = "rating.audit", RatingRound.State.AUDITED
        else:
            raise Conflict(f"当前状态为“{r.get_state_display()}”，不能审核", code="round_state")
        access.require(acting_user, action, code=r.village_id)
        if not approve:
            r.state, r.returned_reason = (
                RatingRound.State.RETURNED,
                reason_required(reason, "退回原因", at_most=200),
            )
            r.ratings.update(state=Rating.State.RETURNED)
        else:
            r.state = to
        stamp = "reviewed" if action == "rating.review" else "audited"
        setattr(r, f"{stamp}_by", acting_user)
        setattr(r, f"{stamp}_at", timezone.now())
        r.save()
        if r.state == RatingRound.State.AUDITED:
            _make_effective(r, acting_user)
        audit_record(
            actor=acting_user,
            action=action,
            obj=r,
            division_code=r.village_id,
            after={"state": r.state, "reason": reason.strip()[:200]},
        )
    return r


def _make_effective(r: RatingRound, actor) -> None:
    on = today()
    card = r.scorecard.card
    valid_until = add_months(on, card.validity_months)
    ratings = list(r.ratings.all())
    current = {
        c.household_id: c
        for c in CreditLine.objects.select_for_update().filter(
            household_id__in=[x.household_id for x in ratings]
        )
    }
    changes = []
    for x in ratings:
        x.state, x.valid_until = Rating.State.EFFECTIVE, valid_until
        before = current.get(x.household_id)
        line = before or CreditLine(household_id=x.household_id)
        line.village_code, line.scorecard_id, line.rating = x.village_code, x.scorecard_id, x
        line.grade_code, line.grade_label = x.grade_code, x.grade_label
        line.amount, line.term_months, line.granted_on, line.valid_until = (
            x.credit_line,
            card.term_months,
            on,
            valid_until,
        )
        line.save()
        changes.append(
            GradeChange(
                household_id=x.household_id,
                village_code=x.village_code,
                on=on,
                actor=actor,
                event=GradeChange.Event.RATING,
                before_grade=before.grade_code if before else "",
                after_grade=x.grade_code,
                before_amount=before.amount if before else None,
                after_amount=x.credit_line,
                reason=f"{r.year} 年评级授信（第 {r.pk} 轮）",
                rating=x,
            )
        )
    Rating.objects.bulk_update(ratings, ["state", "valid_until"], batch_size=1000)
    GradeChange.objects.bulk_create(changes, batch_size=1000)


# --- dynamic grades (R-RAT-4), called by the close-of-business batch --------------------------


def grade_event(
    *, household_id: int, event: str, on: dt.date, reason: str, actor=None, default_bars_subsidy: bool = True
) -> GradeChange | None:
    """Move a household's grade one step up (full on-time repayment), one step down (any overdue
    instalment) or to the bottom (default, and out of subsidies from next year). Recorded with
    its reason; the same event on the same day is recorded once (the batch may run twice)."""
    changes = grade_events(
        [(household_id, event, reason)], on=on, actor=actor, default_bars_subsidy=default_bars_subsidy
    )
    return changes[0] if changes else None


def grade_events(
    events: Sequence[tuple[int, str, str]], *, on: dt.date, actor=None, default_bars_subsidy: bool = True
) -> list[GradeChange]:
    """:func:`grade_event` for many (household, event, reason) at once, in order — what the
    nightly batch calls: the lines are read and written in a few statements."""
    kinds = (GradeChange.Event.REPAID, GradeChange.Event.OVERDUE, GradeChange.Event.DEFAULT)
    for _, event, _ in events:
        if event not in kinds:
            raise ValidationFailed(f"未知的等级调整事件“{event}”", code="grade_event")
    ids = {hh for hh, _, _ in events}
    with transaction.atomic():
        lines = {
            line.household_id: line
            for line in CreditLine.objects.select_for_update()
            .filter(household_id__in=ids)
            .order_by("household_id")
        }
        cards = {
            pk: sc.card
            for pk, sc in Scorecard.objects.in_bulk({x.scorecard_id for x in lines.values()}).items()
        }
        done = set(
            GradeChange.objects.filter(household_id__in=ids, on=on).values_list("household_id", "event")
        )
        changes: list[GradeChange] = []
        touched: dict[int, CreditLine] = {}
        for household_id, event, reason in events:
            line = lines.get(household_id)
            if line is None or (household_id, event) in done:
                continue  # not rated: nothing to move; or already moved today for this event
            done.add((household_id, event))
            card = cards[line.scorecard_id]
            ladder = card.ladder()
            if line.grade_code not in ladder:  # unrated line: only a default changes anything
                new_code = ladder[-1] if event == GradeChange.Event.DEFAULT else line.grade_code
            else:
                new_code = core.next_grade(ladder, line.grade_code, event)  # type: ignore[arg-type]
            grade = card.grade(new_code) if new_code in ladder else None
            changes.append(
                GradeChange(
                    household_id=household_id,
                    village_code=line.village_code,
                    on=on,
                    actor=actor,
                    event=event,
                    before_grade=line.grade_code,
                    after_grade=new_code,
                    before_amount=line.amount,
                    after_amount=card.credit_line(grade) if grade else line.amount,
                    reason=reason[:200],
                )
            )
            line.grade_code, line.amount = new_code, changes[-1].after_amount
            if grade:
                line.grade_label = grade.label
            if event == GradeChange.Event.DEFAULT and default_bars_subsidy:
                line.subsidy_barred_from = on.year + 1
            touched[household_id] = line
        if not changes:
            return []
        now = timezone.now()
        same: dict[tuple, list[int]] = {}  # lines ending alike are written by one statement
        for line in touched.values():
            same.setdefault(
                (line.grade_code, line.grade_label, line.amount, line.subsidy_barred_from), []
            ).append(line.pk)
        for (code, label, amount, barred), pks in same.items():
            CreditLine.objects.filter(pk__in=pks).update(
                grade_code=code, grade_label=label, amount=amount, subsidy_barred_from=barred, updated_at=now
            )
        GradeChange.objects.bulk_create(changes, batch_size=2000)
        audit_many(
            actor=actor,
            action="rating.grade_event",
            rows=[
                (
                    c,
                    c.village_code,
                    {"grade": c.before_grade, "amount": str(c.before_amount)},
                    {"grade": c.after_grade, "amount": str(c.after_amount), "event": c.event},
                )
                for c in changes
            ],
        )
    return changes


# --- exclusions (R-ELG-2, 2a) ------------------------------------------------------------------


def exclusion_record(
    *, acting_user, household: Household, code: str, reason: str, recorded_on: dt.date | None = None
) -> Exclusion:
    access.require(acting_user, "exclusion.record", household)
    problems = ProblemList()
    if code not in EXCLUSIONS:
        problems.add(f"不予授信情形“{code}”不存在", field="code", value=code)
    if len(reason.strip()) < 4:
        problems.add("请写明事实与依据（至少 4 个字）", field="reason")  # listed with the other problems
    problems.raise_if_any("记录有误", code="exclusion_invalid")
    with transaction.atomic():
        e = Exclusion.objects.create(
            household=household,
            village_code=household.village_id,
            code=code,
            reason=reason.strip()[:300],
            recorded_by=acting_user,
            recorded_on=recorded_on or today(),
        )
        audit_record(
            actor=acting_user,
            action="exclusion.record",
            obj=e,
            division_code=household.village_id,
            after={"household": household.pk, "code": code, "reason": e.reason},
        )
    return e


def _withdraw(acting_user, obj, action: str, reason: str, done: str):
    """Withdraw a recorded fact or a published entry with its reason (both are reversible,
    none is deleted): ``obj`` has withdrawn_on, withdrawn_by and withdraw_reason."""
    access.require(acting_user, action, obj)
    if obj.withdrawn_on:
        raise Conflict(done, code="already_withdrawn")
    obj.withdraw_reason = reason_required(reason, "撤销（撤回）理由")
    with transaction.atomic():
        obj.withdrawn_on, obj.withdrawn_by = today(), acting_user
        obj.save(update_fields=["withdrawn_on", "withdrawn_by", "withdraw_reason"])
        audit_record(
            actor=acting_user,
            action=f"{type(obj).__name__.lower()}.withdraw",
            obj=obj,
            division_code=obj.village_code,
            after={"reason": obj.withdraw_reason},
        )
    return obj


def exclusion_withdraw(*, acting_user, exclusion: Exclusion, reason: str) -> Exclusion:
    return _withdraw(acting_user, exclusion, "exclusion.record", reason, "该记录已撤销")


# --- credit villages (R-RAT-5) and reputation lists (R-RAT-6) ------------------------------------


def designation_publish(
    *,
    acting_user,
    division_code: str,
    year: int,
    stats: Mapping[str, int],
    thresholds: core.VillageThresholds,
) -> Designation:
    access.require(acting_user, "designation.publish", code=division_code)
    problems = core.credit_village_problems(t=thresholds, **stats)
    if problems:
        raise Conflict("不符合信用村（乡镇）条件：" + "；".join(problems), code="designation_thresholds")
    on = today()
    with transaction.atomic():
        if Designation.objects.filter(
            division_id=division_code, withdrawn_on__isnull=True, expires_on__gt=on
        ).exists():
            raise Conflict("该地区已有有效的信用村（乡镇）称号", code="designation_exists")
        d = Designation.objects.create(
            division_id=division_code,
            year=year,
            metrics=dict(stats),
            published_on=on,
            expires_on=add_months(on, 12 * thresholds.validity_years),
            decided_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="designation.publish",
            obj=d,
            division_code=division_code,
            after={"year": year, **stats},
        )
    return d


def designation_withdraw(*, acting_user, designation: Designation) -> Designation:
    access.require(acting_user, "designation.publish", designation)
    with transaction.atomic():
        designation.withdrawn_on = today()
        designation.save(update_fields=["withdrawn_on"])
        audit_record(
            actor=acting_user,
            action="designation.withdraw",
            obj=designation,
            division_code=designation.division_id,
            after={"withdrawn_on": str(designation.withdrawn_on)},
        )
    return designation


def reputation_publish(
    *, acting_user, household: Household, kind: str, reason: str, decision: str
) -> Reputation:
    """Put a household on a public list; a defaulter needs a recorded decision (R-RAT-6)."""
    access.require(acting_user, "reputation.publish", household)
    problems = ProblemList()
    if kind not in Reputation.Kind.values:
        problems.add("类别应为守信典范或失信典型", field="kind", value=kind)
    if len(reason.strip()) < 4:
        problems.add("请写明事实（至少 4 个字）", field="reason")
    if len(decision.strip()) < 4:
        problems.add("公示须有记录在案的决定（会议纪要或文号，至少 4 个字）", field="decision")
    problems.raise_if_any("公示信息有误", code="reputation_invalid")
    with transaction.atomic():
        if Reputation.objects.filter(household=household, kind=kind, withdrawn_on__isnull=True).exists():
            raise Conflict("该户已在此名单上", code="reputation_exists")
        rep = Reputation.objects.create(
            household=household,
            village_code=household.village_id,
            kind=kind,
            reason=reason.strip()[:300],
            decision=decision.strip()[:200],
            decided_by=acting_user,
            published_on=today(),
        )
        audit_record(
            actor=acting_user,
            action="reputation.publish",
            obj=rep,
            division_code=household.village_id,
            after={"kind": kind, "decision": rep.decision},
        )
    return rep


def reputation_withdraw(*, acting_user, entry: Reputation, reason: str) -> Reputation:
    return _withdraw(acting_user, entry, "reputation.publish", reason, "该公示已撤回")
