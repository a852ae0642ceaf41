"""评级授信 pages: scorecards, panels, rounds and back-to-back scoring, the printable rating
form, exclusions, 应贷未贷, credit villages and reputation lists."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.accounts.models import User
from fupin.core.errors import ValidationFailed
from fupin.core.rating import AGGREGATIONS, SOURCES
from fupin.divisions.models import Division
from fupin.divisions.selectors import picker
from fupin.households.models import Household
from fupin.households.selectors import name_heads
from fupin.ratings import exports, selectors, services
from fupin.ratings.models import (
    Designation,
    Exclusion,
    Panel,
    Rating,
    RatingRound,
    Reputation,
    RuleSet,
    Scorecard,
    Seat,
)
from fupin.ratings.rules import PRESET
from fupin.web.responses import act, attachment, pdf_inline


def _villages(user, action: str):
    return access.visible(user, Division.objects.filter(level=5), action).values_list("code", "name")[:1000]


@requires("rating.view")
def overview(request):
    """Rating rounds in scope with their progress per village (整村评级授信)."""
    village = request.GET.get("village", "").strip()[:12]
    state = request.GET.get("state", "")
    state = state if state in RatingRound.State.values else ""
    page = Paginator(selectors.rounds_visible(request.user, village=village, state=state), 50).get_page(
        request.GET.get("page")
    )
    organise = access.may(request.user, "rating.organise")
    ctx = {
        "page": page,
        "village": village,
        "state": state,
        "states": RatingRound.State.choices,
        "query": urlencode({k: v for k, v in (("village", village), ("state", state)) if v}),
        "may_organise": organise,
        "year": timezone.localdate().year,
        "picker": picker(request.user, "rating.view", levels=(5,)),
    }
    if organise:
        ctx["villages"] = _villages(request.user, "rating.organise")
        ctx["panels"] = access.visible(request.user, Panel, "rating.organise").select_related("village")[:500]
        ctx["scorecards"] = selectors.scorecards_visible(request.user).filter(state=Scorecard.State.PUBLISHED)
    return render(request, "ratings/overview.html", ctx)


# --- scorecards -------------------------------------------------------------------------------


@requires("rating.view")
def scorecard_list(request):
    cards = selectors.scorecards_visible(request.user)
    counties = [
        g.prefixes[0][:6] + "000000"
        for g in access.grants(request.user)
        if g.role == "poverty_office" and g.prefixes
    ]
    return render(
        request,
        "ratings/scorecards.html",
        {
            "cards": cards,
            "may_manage": access.may(request.user, "scorecard.manage"),
            "county_without_cards": next(
                (c for c in counties if not cards.filter(division_id=c).exists()), None
            ),
        },
    )


@require_POST
@requires("scorecard.manage")
def scorecard_presets(request):
    county = request.POST.get("county", "").strip()[:12]
    return act(
        request,
        lambda: services.scorecard_install_presets(acting_user=request.user, county_code=county),
        "已发布预置评分表（篇2、篇8、带动大户）与准入规则",
        "scorecard_list",
    )


@requires("rating.view")
def scorecard_detail(request, pk: int):
    sc = selectors.scorecard_get(request.user, pk)
    may_manage = access.may(request.user, "scorecard.manage", sc)
    ctx = {
        "sc": sc,
        "card": sc.card,
        "may_manage": may_manage,
        "sources": SOURCES,
        "aggregations": AGGREGATIONS,
        "definition": json.dumps(sc.definition, ensure_ascii=False, indent=1),
        "versions": Scorecard.objects.filter(division_id=sc.division_id, code=sc.code).order_by("-version"),
    }
    if may_manage and request.GET.get("preview") == "1":
        ctx["preview"] = services.scorecard_preview(acting_user=request.user, scorecard=sc)
    return render(request, "ratings/scorecard.html", ctx)


@require_POST
@requires("scorecard.manage")
def scorecard_draft(request, pk: int):
    sc = selectors.scorecard_get(request.user, pk)
    return act(
        request,
        lambda: services.scorecard_draft(acting_user=request.user, scorecard=sc),
        lambda draft: f"已生成第 {draft.version} 版草稿，可修改后预览并发布",
        "scorecard_detail",
        pk=sc.pk,
        then=lambda draft: ("scorecard_detail", {"pk": draft.pk}),
    )


@require_POST
@requires("scorecard.manage")
def scorecard_update(request, pk: int):
    sc = selectors.scorecard_get(request.user, pk)

    def run():
        try:
            definition = json.loads(request.POST.get("definition", ""))
        except json.JSONDecodeError as e:
            raise ValidationFailed(
                f"评分表定义不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列）", code="scorecard_json"
            ) from None
        services.scorecard_update(
            acting_user=request.user,
            scorecard=sc,
            definition=definition,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
        )

    return act(request, run, "草稿已保存", "scorecard_detail", pk=sc.pk)


@require_POST
@requires("scorecard.manage")
def scorecard_publish(request, pk: int):
    sc = selectors.scorecard_get(request.user, pk)
    return act(
        request,
        lambda: services.scorecard_publish(acting_user=request.user, scorecard=sc),
        f"第 {sc.version} 版已发布；此前的评级仍按原版本保存",
        "scorecard_detail",
        pk=sc.pk,
    )


# --- panels and rounds ------------------------------------------------------------------------


@requires("rating.organise")
def panel_list(request):
    if request.method == "POST":
        f = request.POST
        rows = []
        for username, seat in zip(f.getlist("member"), f.getlist("seat"), strict=False):
            if username.strip():
                rows.append((User.objects.filter(username=username.strip()[:150]).first(), seat))
        return act(
            request,
            lambda: services.panel_create(
                acting_user=request.user,
                village_code=f.get("village", "")[:12],
                name=f.get("name", ""),
                members=rows,
            ),
            "评议小组已建立",
            "panel_list",
        )
    panels = (
        access.visible(request.user, Panel, "rating.organise")
        .select_related("village")
        .prefetch_related("members__user")[:200]
    )
    return render(
        request,
        "ratings/panels.html",
        {
            "panels": panels,
            "villages": _villages(request.user, "rating.organise"),
            "seats": Seat.choices,
            "rows": range(5),
        },
    )


@require_POST
@requires("rating.organise")
def round_new(request):
    f = request.POST
    village = f.get("village", "").strip()[:12]

    def run():
        panel = access.get_visible(request.user, Panel, "rating.organise", pk=_int(f.get("panel")))
        sc = selectors.scorecard_get(request.user, _int(f.get("scorecard")))
        rnd = services.round_start(
            acting_user=request.user,
            village_code=village,
            panel=panel,
            scorecard=sc,
            year=_int(f.get("year")) or timezone.localdate().year,
            unrated_only=f.get("scope") == "unrated",
        )
        request.session["last_round"] = rnd.pk
        return rnd

    return act(
        request,
        run,
        lambda rnd: f"评级已开始（{rnd.total} 户），评议小组成员可以背靠背评分",
        "rating_overview",
        then=lambda rnd: ("round_detail", {"pk": rnd.pk}),
    )


def _int(v) -> int:
    try:
        return max(0, min(int(v), 2**31 - 1))
    except (TypeError, ValueError):
        return 0


@requires("rating.view")
def round_detail(request, pk: int):
    rnd = selectors.round_get(request.user, pk)
    members = list(rnd.panel.members.select_related("user"))
    ratings = selectors.round_ratings(request.user, rnd)
    left = request.GET.get("left") == "1"  # only the households I have not scored (issue 27 (4))
    is_member = any(m.user_id == request.user.pk for m in members)
    return render(
        request,
        "ratings/round.html",
        {
            "rnd": rnd,
            "ratings": [r for r in ratings if not r.mine and r.state == "scoring"] if left else ratings,
            "left": left,
            "next": selectors.next_to_score(request.user, rnd) if is_member else None,
            "members": members,
            "panel_problems": rnd.panel.problems(),
            "is_member": is_member,
            "may_sign": access.may(request.user, "rating.sign", code=rnd.village_id),
            "may_review": access.may(request.user, "rating.review", code=rnd.village_id),
            "may_audit": access.may(request.user, "rating.audit", code=rnd.village_id),
        },
    )


@require_POST
@requires("rating.sign")
def round_sign(request, pk: int):
    rnd = selectors.round_get(request.user, pk)
    return act(
        request,
        lambda: services.round_sign(acting_user=request.user, rnd=rnd),
        "评议小组已签字，提交乡镇审核",
        "round_detail",
        pk=rnd.pk,
    )


@require_POST
@requires("rating.decide")
def round_decide(request, pk: int):
    rnd = selectors.round_get(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        lambda: services.round_decide(
            acting_user=request.user, rnd=rnd, approve=approve, reason=request.POST.get("reason", "")
        ),
        (lambda r: f"已通过：{r.get_state_display()}。{AFTER.get(r.state, '')}") if approve else "已退回",
        "round_detail",
        pk=rnd.pk,
    )


# what happens after a round's decision, and who acts (issue 27 (3))
AFTER = {
    RatingRound.State.REVIEWED: "下一步：县扶贫办审定",
    RatingRound.State.AUDITED: "各户的等级与授信额度已生效，可打印评级授信表",
}


@requires("rating.view")
def rating_detail(request, pk: int):
    rating = selectors.rating_get(request.user, pk)
    name_heads([rating.household])
    if request.method == "POST":
        values = {i.code: request.POST.get(i.code, "").strip()[:40] for i in rating.scorecard.card.items}

        nxt = selectors.next_to_score(request.user, rating.round, after=rating.pk)
        if nxt is not None and nxt.pk == rating.pk:
            nxt = None

        def onward(_):  # straight to the next household left to score, else this one's result
            return "rating_detail", {"pk": nxt.pk if nxt else rating.pk}

        return act(
            request,
            lambda: services.sheet_submit(acting_user=request.user, rating=rating, values=values),
            "评分已提交（提交后不能修改），请评下一户"
            if nxt
            else "评分已提交（提交后不能修改），本轮您已全部评完",
            "rating_detail",
            then=onward,
            pk=rating.pk,
        )
    sheets = selectors.sheets_shown(request.user, rating)
    member = next((m for m in rating.round.panel.members.all() if m.user_id == request.user.pk), None)
    mine = next((s for s in sheets if member and s.member_id == member.pk), None)
    card = rating.scorecard.card
    prefill = {i.code: rating.facts.get(i.source, "") for i in card.items if i.source}
    return render(
        request,
        "ratings/rating.html",
        {
            "rating": rating,
            "card": card,
            "sheets": sheets,
            "mine": mine,
            "prefill": prefill,
            "may_score": member is not None
            and mine is None
            and rating.state == Rating.State.SCORING
            and access.may(request.user, "rating.score", code=rating.village_code),
            "members_total": rating.round.panel.members.count(),
            "next": selectors.next_to_score(request.user, rating.round, after=rating.pk) if member else None,
        },
    )


@requires("rating.view")
def rating_form_pdf(request, pk: int):
    """The 评级授信表 in three copies: household, bank, poverty office (R-RAT-3)."""
    rating = selectors.rating_get(request.user, pk)
    if rating.state == Rating.State.SCORING:
        return render(
            request,
            "error.html",
            {"message": "该户尚未评完，不能打印评级授信表", "code": "rating_open"},
            status=409,
        )
    return pdf_inline(exports.rating_form_pdf(rating), f"评级授信表-{rating.household.registry_no}.pdf")


# --- exclusions, reputation, 应贷未贷, credit villages ---------------------------------------


@require_POST
@requires("exclusion.record")
def exclusion_record(request, pk: int):
    hh = access.get_visible(request.user, Household, "exclusion.record", pk=pk)
    return act(
        request,
        lambda: services.exclusion_record(
            acting_user=request.user,
            household=hh,
            code=request.POST.get("code", ""),
            reason=request.POST.get("reason", ""),
        ),
        "不予授信情形已记录",
        "household_detail",
        pk=hh.pk,
    )


@require_POST
@requires("exclusion.record")
def exclusion_withdraw(request, pk: int):
    e = access.get_visible(request.user, Exclusion, "exclusion.record", pk=pk)
    return act(
        request,
        lambda: services.exclusion_withdraw(
            acting_user=request.user, exclusion=e, reason=request.POST.get("reason", "")
        ),
        "记录已撤销",
        "household_detail",
        pk=e.household_id,
    )


@requires("household.view")
def unborrowed_list(request):
    village = request.GET.get("village", "").strip()[:12]
    rows = selectors.unborrowed(request.user, village=village, on=timezone.localdate())
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/unborrowed.html",
        {
            "page": page,
            "village": village,
            "villages": _villages(request.user, "household.view"),
            "total": len(rows),
            "query": urlencode({"village": village}) if village else "",
        },
    )


@requires("household.view")
def unborrowed_export(request):
    village = request.GET.get("village", "").strip()[:12]
    rows = selectors.unborrowed(request.user, village=village, on=timezone.localdate())
    return attachment(exports.unborrowed_xlsx(rows), "应贷未贷名单.xlsx")


@requires("rating.view")
def credit_villages(request):
    township = request.GET.get("township", "").strip()[:12]
    rows = selectors.village_stats(request.user, township=township)
    townships = access.visible(request.user, Division.objects.filter(level=4), "rating.view").values_list(
        "code", "name"
    )
    return render(
        request,
        "ratings/villages.html",
        {
            "rows": rows,
            "township": township,
            "townships": townships,
            "town_rows": selectors.township_stats(request.user),
            "may_publish": access.may(request.user, "designation.publish"),
            "year": timezone.localdate().year,
        },
    )


@require_POST
@requires("designation.publish")
def designation_publish(request, code: str):
    stats = (
        selectors.township_stats(request.user)
        if code.endswith("000")
        else selectors.village_stats(request.user)
    )
    rows = [r for r in stats if r["code"] == code]
    if not rows:
        messages.error(request, "该村（乡镇）不存在或不在您的辖区内")
        return redirect("credit_villages")
    county = code[:6] + "000000"
    _, thresholds = selectors.rules_for(county, timezone.localdate())
    return act(
        request,
        lambda: services.designation_publish(
            acting_user=request.user,
            division_code=code,
            year=timezone.localdate().year,
            stats=rows[0]["stats"],
            thresholds=thresholds,
        ),
        f"{rows[0]['name']}已评定为{'信用乡镇' if code.endswith('000') else '信用村'}",
        "credit_villages",
    )


@require_POST
@requires("designation.publish")
def designation_withdraw(request, pk: int):
    d = access.get_visible(request.user, Designation, "designation.publish", pk=pk)
    return act(
        request,
        lambda: services.designation_withdraw(acting_user=request.user, designation=d),
        "称号已撤销",
        "credit_villages",
    )


@requires("rating.view")
def rules_list(request):
    """The county programme's rule versions (R-ELG-5) and a form for the next one."""

    versions = RuleSet.objects.filter(selectors.counties_of(request.user, "rating.view")).order_by(
        "-effective"
    )
    manage = [
        g.prefixes[0][:6] + "000000"
        for g in access.grants(request.user)
        if g.role == "poverty_office" and g.prefixes
    ]
    if request.method == "POST":
        if not manage:
            return render(
                request,
                "error.html",
                {"message": "只有县扶贫办可以修改准入规则", "code": "forbidden"},
                status=403,
            )
        f = request.POST

        def run():
            try:
                definition = json.loads(f.get("definition", ""))
                effective = dt.date.fromisoformat(f.get("effective", ""))
            except (json.JSONDecodeError, ValueError):
                raise ValidationFailed(
                    "规则须为有效的 JSON，生效日期格式为 YYYY-MM-DD", code="rules_invalid"
                ) from None
            services.ruleset_create(
                acting_user=request.user,
                county_code=manage[0],
                definition=definition,
                effective=effective,
                name=f.get("name", ""),
            )

        return act(request, run, "新版本准入规则已保存，自生效日期起适用", "rules_list")
    latest = versions.first()
    return render(
        request,
        "ratings/rules.html",
        {
            "versions": versions[:50],
            "may_manage": bool(manage),
            "definition": json.dumps(latest.definition if latest else PRESET, ensure_ascii=False, indent=1),
            "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        },
    )


@requires("rating.view")
def reputation_list(request):
    kind = request.GET.get("kind", "")
    qs = access.visible(request.user, Reputation, "rating.view").select_related(
        "household", "household__village"
    )
    if kind in Reputation.Kind.values:
        qs = qs.filter(kind=kind)
    show_withdrawn = request.GET.get("all") == "1"
    if not show_withdrawn:
        qs = qs.filter(withdrawn_on__isnull=True)
    qs = qs.prefetch_related(selectors.heads("household__members"))
    return render(
        request,
        "ratings/reputation.html",
        {
            "entries": qs[:500],
            "kind": kind,
            "kinds": Reputation.Kind.choices,
            "show_withdrawn": show_withdrawn,
            "may_publish": access.may(request.user, "reputation.publish"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires("reputation.publish")
def reputation_publish(request, pk: int):
    hh = access.get_visible(request.user, Household, "reputation.publish", pk=pk)
    f = request.POST
    return act(
        request,
        lambda: services.reputation_publish(
            acting_user=request.user,
            household=hh,
            kind=f.get("kind", ""),
            reason=f.get("reason", ""),
            decision=f.get("decision", ""),
        ),
        "已列入公示名单",
        "household_detail",
        pk=hh.pk,
    )


@require_POST
@requires("reputation.publish")
def reputation_withdraw(request, pk: int):
    entry = access.get_visible(request.user, Reputation, "reputation.publish", pk=pk)
    return act(
        request,
        lambda: services.reputation_withdraw(
            acting_user=request.user, entry=entry, reason=request.POST.get("reason", "")
        ),
        "已撤回公示",
        "reputation_list",
    )
