"""The demo county's 评级授信 (DOMAIN §15: ≈ 2/3 of households rated, 篇5): preset scorecards,
a five-member panel per village, last spring's audited rounds with back-to-back sheets, current
credit lines and their history, a few dynamic grade changes, exclusions, reputation entries,
credit villages — and, in the first village, an open round the demo's village cadre can score."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from fupin import bulk
from fupin.accounts.models import RoleAssignment, User
from fupin.core import rating as core
from fupin.core.calendar import add_months
from fupin.core.eligibility import EXCLUSIONS
from fupin.households.models import Household
from fupin.ratings import services
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
    Scorecard,
    ScoreSheet,
    Seat,
)
from fupin.ratings.rules import PRESET as PRESET_RULES
from fupin.ratings.selectors import village_stats

from .people import make_name

RATINGS = bulk.Table(Rating)
SHEETS = bulk.Table(ScoreSheet, with_pk=False)
LINES = bulk.Table(CreditLine)
CHANGES = bulk.Table(GradeChange, with_pk=False)
SEATS = [Seat.COMMITTEE, Seat.TOWNSHIP, Seat.REPRESENTATIVE, Seat.REPRESENTATIVE, Seat.REPRESENTATIVE]
OPTION_LEVELS = 3  # options are listed best first


def _household_values(card: core.Scorecard, facts: dict, rng: random.Random) -> dict[str, str]:
    """What every member sees alike: registry facts and other plain facts (years resident)."""
    out = {}
    for item in card.items:
        if item.source and facts.get(item.source) is not None:
            out[item.code] = str(facts[item.source])
        elif item.method == "range":
            out[item.code] = str(rng.choice([1, 4, 8, 12, 20, 30, 40]))
        elif item.method == "formula":
            out[item.code] = str(item.standard)
    return out


def _values(card: core.Scorecard, known: dict, quality: float, rng: random.Random) -> dict[str, str]:
    """One member's values: the judgement items are the household's 'quality' (0 best … 1 worst)
    seen with a member's own noise."""
    out = dict(known)
    for item in card.items:
        if item.code not in out and item.method == "option":
            opts = list(item.options)
            q = min(0.999, max(0.0, quality + rng.gauss(0, 0.07)))
            out[item.code] = opts[int(q * len(opts))]
    return out


def _members(
    villages: list[str], first_village: str, rng: random.Random, password: str, first_password: str
) -> dict[str, list[User]]:
    """Five panel members per village; the first village's panel holds the demo's cadres, and its
    other members sign in with the demo password too (the others' accounts cannot sign in)."""
    users, grants = [], []
    per: dict[str, list[User]] = {}
    for code in villages:
        per[code] = []
        for n in range(5):
            u = User(
                username=f"py{code[-6:]}{n + 1}",
                display_name=make_name(rng, rng.random() < 0.5),
                password=first_password if code == first_village else password,
            )
            users.append(u)
            per[code].append(u)
    User.objects.bulk_create(users, batch_size=2000)
    for code, us in per.items():
        grants += [
            RoleAssignment(
                user=u,
                role="township_cadre" if SEATS[i] == Seat.TOWNSHIP else "village_cadre",
                division_id=code if SEATS[i] != Seat.TOWNSHIP else code[:9] + "000",
            )
            for i, u in enumerate(us)
        ]
    RoleAssignment.objects.bulk_create(grants, batch_size=2000)
    demo = {u.username: u for u in User.objects.filter(username__in=["cungan", "xiangzhen"])}
    per[first_village] = [demo["cungan"], demo["xiangzhen"]] + per[first_village][2:]
    return per


def build(
    *,
    villages: list[str],
    county: str,
    seed: int,
    today: dt.date,
    progress=None,
    first_panel_password: str | None = None,
) -> int:
    say = progress or (lambda msg: None)
    rng = random.Random(seed * 104729 + 5)
    services.scorecard_install_presets(acting_user=None, county_code=county)
    # R-ELG-5: the 2014 rules (篇3's 2 500 yuan line) stay as version 1; since 2021 the county lends
    # to households under the monitoring line against a return to poverty (防止返贫监测线)
    services.ruleset_create(
        acting_user=User.objects.get(username="fupinban"),
        county_code=county,
        definition={**PRESET_RULES, "income_line": "8000"},
        effective=dt.date(2021, 1, 1),
        name="脱贫人口小额信贷准入规则",
    )
    sc = Scorecard.objects.get(division_id=county, code="p2", state=Scorecard.State.PUBLISHED)
    card = sc.card
    unusable = make_password(None)
    members = _members(villages, villages[0], rng, unusable, first_panel_password or unusable)
    panels = {}
    for code in villages:
        panels[code] = Panel.objects.create(village_id=code, name="村级评议小组")
        PanelMember.objects.bulk_create(
            [PanelMember(panel=panels[code], user=u, seat=SEATS[i]) for i, u in enumerate(members[code])]
        )
    pm = {(p.panel_id, p.user_id): p for p in PanelMember.objects.filter(panel__in=panels.values())}

    spring = (
        dt.date(today.year, 3, 20) if today >= dt.date(today.year, 3, 20) else dt.date(today.year - 1, 3, 20)
    )
    stamp = timezone.make_aware(dt.datetime.combine(spring, dt.time(10)))
    valid_until = add_months(spring, card.validity_months)
    households = list(
        Household.objects.filter(status__in=services.RATED_STATUSES).order_by("village_id", "pk")
    )
    facts = services.household_facts(households, spring)
    by_village: dict[str, list[Household]] = {}
    for h in households:
        by_village.setdefault(h.village_id, []).append(h)

    rated = 0
    now = timezone.now()
    rating_rows, sheet_rows, line_rows, change_rows = [], [], [], []

    def sheet(rating_id: int, village: str, member: int, v: dict) -> core.Sheet:
        s = card.score_sheet(v)
        sheet_rows.append(
            SHEETS.row(
                {
                    "rating_id": rating_id,
                    "member_id": pm[(panels[village].pk, members[village][member].pk)].pk,
                    "values": s.values,
                    "points": {k: str(x) for k, x in s.points.items()},
                    "total": s.total,
                    "_now": now,
                }
            )
        )
        return s

    for vi, code in enumerate(villages):
        hhs = by_village.get(code, [])
        share = rng.uniform(0.45, 0.93)  # 篇5: ≈ 2/3 rated overall; some villages near-complete
        chosen = [h for h in hhs if rng.random() < share]
        rnd = RatingRound.objects.create(
            village_id=code,
            panel=panels[code],
            scorecard=sc,
            year=spring.year,
            state=RatingRound.State.AUDITED,
            total=len(chosen),
            scored=len(chosen),
            signed_at=stamp,
            signed_by=members[code][0],
            reviewed_at=stamp,
            reviewed_by=members[code][1],
            audited_at=stamp,
        )
        ids = bulk.reserve_ids(Rating, len(chosen))
        for rid, h in zip(ids, chosen, strict=True):
            quality = rng.betavariate(2, 4)
            known = _household_values(card, facts[h.pk], rng)
            values = [_values(card, known, quality, rng) for _ in range(5)]
            if rng.random() < 0.02:  # a reviewer far from the others (R-RAT-1b)
                values[rng.randrange(5)] = _values(card, known, min(0.99, quality + 0.6), rng)
            totals = [sheet(rid, code, i, v).total for i, v in enumerate(values)]
            agg = core.aggregate(totals, card.aggregation, card.outlier_points)
            grade = card.grade_of(agg.score)
            g_code, g_label = (grade.code, grade.label) if grade else ("", "未授信")
            line = card.credit_line(grade)
            rating_rows.append(
                RATINGS.row(
                    {
                        "id": rid,
                        "round_id": rnd.pk,
                        "household_id": h.pk,
                        "scorecard_id": sc.pk,
                        "village_code": code,
                        "state": Rating.State.EFFECTIVE,
                        "facts": facts[h.pk],
                        "sheets_count": 5,
                        "score": agg.score,
                        "spread": agg.spread,
                        "outliers": [members[code][i].username for i in agg.outliers],
                        "grade_code": g_code,
                        "grade_label": g_label,
                        "credit_line": line,
                        "valid_until": valid_until,
                    }
                )
            )
            line_rows.append(
                LINES.row(
                    {
                        "household_id": h.pk,
                        "village_code": code,
                        "scorecard_id": sc.pk,
                        "rating_id": rid,
                        "grade_code": g_code,
                        "grade_label": g_label,
                        "amount": line,
                        "term_months": card.term_months,
                        "granted_on": spring,
                        "valid_until": valid_until,
                        "_now": now,
                    }
                )
            )
            change_rows.append(
                CHANGES.row(
                    {
                        "household_id": h.pk,
                        "village_code": code,
                        "on": spring,
                        "event": GradeChange.Event.RATING,
                        "after_grade": g_code,
                        "after_amount": line,
                        "reason": f"{spring.year} 年评级授信",
                        "rating_id": rid,
                        "_now": now,
                    }
                )
            )
        rated += len(chosen)
        if vi == 0:  # this year's round of the first village (every household not rated in spring),
            rest = [
                h for h in hhs if h not in chosen
            ]  # still being scored: all but the cadre have scored most
            live = RatingRound.objects.create(
                village_id=code, panel=panels[code], scorecard=sc, year=today.year, total=len(rest)
            )
            bulk.insert(Rating, RATINGS.columns, rating_rows)
            rating_rows.clear()
            for rid, h in zip(bulk.reserve_ids(Rating, len(rest)), rest, strict=True):
                known, quality = _household_values(card, facts[h.pk], rng), rng.betavariate(2, 4)
                done = 0
                for i in range(1, 5):
                    if rng.random() < 0.9:
                        sheet(rid, code, i, _values(card, known, quality, rng))
                        done += 1
                rating_rows.append(
                    RATINGS.row(
                        {
                            "id": rid,
                            "round_id": live.pk,
                            "household_id": h.pk,
                            "scorecard_id": sc.pk,
                            "village_code": code,
                            "facts": facts[h.pk],
                            "sheets_count": done,
                        }
                    )
                )
        bulk.insert(Rating, RATINGS.columns, rating_rows)  # before the next village reserves its ids
        rating_rows.clear()
    bulk.insert(ScoreSheet, SHEETS.columns, sheet_rows)
    bulk.insert(CreditLine, LINES.columns, line_rows)
    bulk.insert(GradeChange, CHANGES.columns, change_rows)
    say(f"评级授信：{rated} 户（{len(sheet_rows)} 份背靠背评分），第一个村有一轮评议进行中")

    # dynamic grades since spring (R-RAT-4): mostly up after on-time repayment, some down, a few defaults
    holders = list(CreditLine.objects.order_by("household_id").values_list("household_id", flat=True))
    sample = rng.sample(holders, min(len(holders), max(10, len(holders) // 40)))
    for n, household_id in enumerate(sample):
        event = (
            "default"
            if n < max(1, len(sample) // 60)
            else "overdue"
            if n < len(sample) // 6
            else "repaid_on_time"
        )
        on = spring + dt.timedelta(days=rng.randint(60, max(61, (today - spring).days - 1)))
        services.grade_event(
            household_id=household_id,
            event=event,
            on=on,
            reason={
                "default": "逾期超过 90 天，违约",
                "overdue": "第 3 期逾期",
                "repaid_on_time": "上一笔贷款按时还清",
            }[event],
        )
    _facts(rng, households, today, members, villages)
    return rated


def _facts(rng: random.Random, households: list[Household], today: dt.date, members, villages) -> None:
    """Recorded exclusions, reputation lists and credit villages (R-ELG-2, R-RAT-5, R-RAT-6)."""
    recorder = {v: members[v][0] for v in villages}
    codes = list(EXCLUSIONS)
    reasons = {
        "gambling_drugs": "村委会调查核实，有赌博行为",
        "court_enforcement": "法院执行通知书",
        "previous_loan_unpaid": "2019 年贷款逾期至今未还",
        "lends_on": "将贷款转借亲戚使用，经核实",
    }
    excl = []
    for h in rng.sample(households, min(len(households), len(households) // 100)):
        code = rng.choice(codes)
        excl.append(
            Exclusion(
                household=h,
                village_code=h.village_id,
                code=code,
                reason=reasons.get(code, "村级评议小组核实"),
                recorded_by=recorder[h.village_id],
                recorded_on=today - dt.timedelta(days=rng.randint(20, 500)),
            )
        )
    Exclusion.objects.bulk_create(excl)
    decider = User.objects.get(username="fupinban")
    good = list(CreditLine.objects.filter(grade_code="AAA").values_list("household_id", "village_code")[:30])
    bad = list(
        GradeChange.objects.filter(event=GradeChange.Event.DEFAULT).values_list(
            "household_id", "village_code"
        )
    )
    Reputation.objects.bulk_create(
        [
            Reputation(
                household_id=h,
                village_code=v,
                kind=Reputation.Kind.EXEMPLARY,
                reason="多年按时还款、带头发展产业",
                decision="县信用体系建设领导小组 2026 年第 2 次会议",
                decided_by=decider,
                published_on=today,
            )
            for h, v in good
        ]
        + [
            Reputation(
                household_id=h,
                village_code=v,
                kind=Reputation.Kind.DEFAULTER,
                reason="贷款逾期超过 90 天，经催收仍不还款",
                decision="县信用体系建设领导小组 2026 年第 2 次会议",
                decided_by=decider,
                published_on=today,
            )
            for h, v in bad[:3]
        ]
    )
    # credit villages: those whose rated share reaches the threshold (R-RAT-5)
    stats = {r["code"]: r for r in _village_rows(villages)}
    designations = [
        Designation(
            division_id=c,
            year=today.year,
            metrics=r["stats"],
            published_on=today - dt.timedelta(days=30),
            expires_on=add_months(today - dt.timedelta(days=30), 24),
            decided_by=decider,
        )
        for c, r in stats.items()
        if not r["problems"]
    ]
    Designation.objects.bulk_create(designations)


def _village_rows(villages: list[str]) -> list[dict]:
    office = User.objects.get(username="fupinban")
    return [r for r in village_stats(office) if r["code"] in set(villages)]
