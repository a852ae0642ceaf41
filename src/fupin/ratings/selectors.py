"""Reads of 评级授信 and eligibility, always through the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fupin import compiled
from fupin.accounts import access
from fupin.core import eligibility as core_elig
from fupin.core.errors import NotFound
from fupin.core.rating import VillageThresholds, credit_village_problems
from fupin.divisions.models import Division
from fupin.households.models import Household, Person
from fupin.ratings import rules as rules_mod
from fupin.ratings.models import (
    CreditLine,
    Designation,
    Exclusion,
    GradeChange,
    Rating,
    RatingRound,
    Reputation,
    RuleSet,
    Scorecard,
)


def heads(path: str = "members") -> Prefetch:
    """Prefetch each household's current head as ``.heads`` (a list of 0 or 1)."""
    return Prefetch(path, queryset=Person.objects.filter(is_head=True, left_on__isnull=True), to_attr="heads")


def counties_of(reader, action: str) -> Q:
    """County-level programme data (scorecards, rules) is visible to whoever may act anywhere
    in that county: a filter on ``division_id`` by the first six digits of the reader's scope."""
    q = Q(pk__in=[])
    for g in access.grants(reader):
        if g.role in access.roles_for(action):
            if g.everywhere:
                return Q()
            for p in g.prefixes:
                q |= Q(division__code__startswith=p[:6])
    return q


def scorecards_visible(reader) -> QuerySet[Scorecard]:
    access.require(reader, "rating.view")
    return Scorecard.objects.filter(counties_of(reader, "rating.view")).order_by("code", "-version")


def scorecard_get(reader, pk: int) -> Scorecard:
    access.require(reader, "rating.view")
    sc = scorecards_visible(reader).filter(pk=pk).first()
    if sc is None:
        raise NotFound("评分表不存在或不在您的辖区内", code="not_found")
    return sc


def rounds_visible(reader, *, village: str = "", state: str = "") -> QuerySet[RatingRound]:
    access.require(reader, "rating.view")
    qs = access.visible(reader, RatingRound, "rating.view").select_related(
        "village", "village__parent", "scorecard"
    )
    if village:
        qs = qs.filter(village_id=village)
    if state:
        qs = qs.filter(state=state)
    return qs


def round_get(reader, pk: int) -> RatingRound:
    return access.get_visible(
        reader, RatingRound.objects.select_related("village", "panel", "scorecard"), "rating.view", pk=pk
    )


def round_ratings(reader, rnd: RatingRound) -> list[Rating]:
    """The round's ratings with each household's head and whether the reader has scored it."""
    ratings = list(rnd.ratings.select_related("household").prefetch_related(heads("household__members")))
    mine = set(rnd.ratings.filter(sheets__member__user=reader).values_list("pk", flat=True))
    for r in ratings:
        r.mine = r.pk in mine
    return ratings


def next_to_score(reader, rnd: RatingRound, after: int = 0) -> Rating | None:
    """The next household of an open round the reader has not scored (back to back, one after
    another on a phone: 下一户, issue 27 (4)) — after ``after`` in the list, else from its top."""
    left = (
        rnd.ratings.filter(state=Rating.State.SCORING)
        .exclude(sheets__member__user=reader)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pks = list(left)
    later = [pk for pk in pks if pk > after]
    pk = (later or pks or [None])[0]
    return None if pk is None else rnd.ratings.get(pk=pk)


def rating_get(reader, pk: int) -> Rating:
    return access.get_visible(
        reader,
        Rating.objects.select_related(
            "household", "household__village", "round", "round__panel", "scorecard"
        ),
        "rating.view",
        pk=pk,
    )


def sheets_shown(reader, rating: Rating) -> list:
    """Back-to-back (R-RAT-1b): while a household is being scored, a reader sees only their own
    sheet; everyone's sheets (and the spread) appear once all members have submitted."""
    sheets = rating.sheets.select_related("member__user").order_by("id")
    if rating.state == Rating.State.SCORING:
        sheets = sheets.filter(member__user=reader)
    return list(sheets)


def rules_for(county_code: str, on: dt.date) -> tuple[core_elig.Rules, VillageThresholds]:
    rules, definition = programme_rules(county_code, on)
    return rules, rules_mod.thresholds_of(definition)


def programme_rules(county_code: str, on: dt.date) -> tuple[core_elig.Rules, dict]:
    """The county's eligibility rules in force on ``on`` and that version's whole stored
    definition (thresholds, approval bands, group size), or the preset when none is set."""
    versions = compiled.rows(RuleSet, where={"division": county_code})
    if not versions:
        return rules_mod.rules_of(
            rules_mod.PROGRAMME, 0, dt.date(2000, 1, 1), rules_mod.PRESET
        ), rules_mod.PRESET
    by_key = {(v.programme, str(v.version)): v for v in versions}
    rules = core_elig.rules_in_force(
        [rules_mod.rules_of(v.programme, v.version, v.effective, v.definition) for v in versions],
        rules_mod.PROGRAMME,
        on,
    )
    return rules, {**rules_mod.PRESET, **by_key[(rules.programme, rules.version)].definition}


def _applicant(
    hh: Household,
    head: Person | None,
    line: CreditLine | None,
    exclusions: Iterable[Exclusion],
    bad_record: bool,
    on: dt.date,
    lead: bool = False,
) -> core_elig.Applicant:
    return core_elig.Applicant(
        status=hh.status,
        registry_year=hh.status_year,
        income_per_capita=hh.income_per_capita,
        borrower_birth=head.birth_date if head else on,
        full_civil_capacity=head is not None,
        borrower_labour=(head.labour or "full") if head else "none",
        project="",
        unpaid_or_late_microloan=False,  # loans join with origination (issue 6)
        bad_credit_record=bad_record,
        rated=line is not None and line.valid_until >= on,
        credit_line=line.amount if line else 0,  # type: ignore[arg-type]
        exclusions=tuple(
            core_elig.Exclusion(e.code, str(e.recorded_by), e.reason, e.recorded_on, e.withdrawn_on)
            for e in exclusions
        ),
        lead_household=lead,
    )


def eligibility(
    hh: Household, on: dt.date, known: dict | None = None, *, lead: bool = False
) -> core_elig.Verdict:
    """Every rule the household's head fails on ``on`` under the county's rules in force
    (R-ELG-4). ``known``: the archive's rating section, to read nothing twice."""
    known = known if known is not None else archive_rating(hh)
    heads = getattr(hh, "heads", None)
    head = heads[0] if heads else hh.members.filter(is_head=True, left_on__isnull=True).first()
    bad = any(r.kind == Reputation.Kind.DEFAULTER and r.withdrawn_on is None for r in known["reputations"])
    rules, _ = rules_for(hh.village_id[:6] + "000000", on)
    return core_elig.evaluate(
        _applicant(hh, head, known["credit"], known["exclusions"], bad, on, lead), rules, on
    )


def _standing(ids: list[int]) -> tuple[dict[int, list[Exclusion]], set[int]]:
    """Of many households at once: each one's recorded exclusions, and those on the defaulters'
    list (what :func:`eligibility` reads from the archive, one household at a time)."""
    excluded: dict[int, list[Exclusion]] = {}
    for e in Exclusion.objects.filter(household_id__in=ids).select_related("recorded_by"):
        excluded.setdefault(e.household_id, []).append(e)
    bad = set(
        Reputation.objects.filter(
            household_id__in=ids, kind=Reputation.Kind.DEFAULTER, withdrawn_on__isnull=True
        ).values_list("household_id", flat=True)
    )
    return excluded, bad


def eligibilities(
    households: list[Household], on: dt.date
) -> dict[int, tuple[core_elig.Verdict, CreditLine | None]]:
    """:func:`eligibility` of many households in a fixed number of queries (the registry-change
    worklist recomputes a county's import at once, issue 28 (3)): each household's verdict and
    its credit line."""
    ids = [h.pk for h in households]
    lines = {c.household_id: c for c in CreditLine.objects.filter(household_id__in=ids)}
    excluded, bad = _standing(ids)
    heads = {
        p.household_id: p
        for p in Person.objects.filter(household_id__in=ids, is_head=True, left_on__isnull=True)
    }
    rules = {county: rules_for(county, on)[0] for county in {h.village_id[:6] + "000000" for h in households}}
    return {
        h.pk: (
            core_elig.evaluate(
                _applicant(h, heads.get(h.pk), lines.get(h.pk), excluded.get(h.pk, ()), h.pk in bad, on),
                rules[h.village_id[:6] + "000000"],
                on,
            ),
            lines.get(h.pk),
        )
        for h in households
    }


def archive_rating(hh: Household) -> dict:
    """The rating section of the household archive, in a fixed number of queries."""
    mine = {"household": hh.pk}
    return {
        "ratings": compiled.rows(
            Rating, where=mine, related=("round", "scorecard"), order=("-id",), limit=20
        ),
        "grade_changes": compiled.rows(
            GradeChange, where={"household": hh.pk}, order=("-on", "-id"), limit=50
        ),
        "exclusions": compiled.rows(Exclusion, where=mine, related=("recorded_by", "withdrawn_by")),
        "reputations": compiled.rows(Reputation, where={"household": hh.pk}),
        "credit": next(iter(compiled.rows(CreditLine, where={"household": hh.pk}, limit=1)), None),
    }


def unborrowed(reader, *, village: str = "", on: dt.date) -> list[tuple[Household, CreditLine]]:
    """应贷未贷 (R-ELG-2c): households with a valid credit line, eligible under the rules in force,
    that have not borrowed — so that cadres can reach them."""
    access.require(reader, "household.view")
    lines = access.visible(
        reader, CreditLine.objects.filter(amount__gt=0, valid_until__gte=on), "household.view"
    )
    if village:
        lines = lines.filter(village_code=village)
    # not those holding a loan not yet settled, at any lender (the loans app's rows, read through
    # the household's relation: this layer imports nothing above it)
    lines = lines.exclude(household__loans__state__in=("contracted", "active"))
    lines = (
        lines.select_related("household", "household__village")
        .prefetch_related(heads("household__members"))
        .order_by("village_code", "household__registry_no")
    )
    lines = list(lines[:50_000])
    excl, bad = _standing([x.household_id for x in lines])
    rules_cache: dict[str, core_elig.Rules] = {}
    out = []
    for line in lines:
        hh = line.household
        county = hh.village_id[:6] + "000000"
        if county not in rules_cache:
            rules_cache[county] = rules_for(county, on)[0]
        head = hh.heads[0] if hh.heads else None
        if core_elig.evaluate(
            _applicant(hh, head, line, excl.get(hh.pk, ()), hh.pk in bad, on), rules_cache[county], on
        ).eligible:
            out.append((hh, line))
    return out


def township_stats(reader) -> list[dict]:
    """Per township in scope: the totals of its villages and the same verdict (信用乡镇, R-RAT-5)."""

    towns = dict(
        access.visible(reader, Division.objects.filter(level=4), "rating.view").values_list("code", "name")
    )
    totals: dict[str, dict] = {}
    for r in village_stats(reader):
        t = r["code"][:9] + "000"
        if t in towns:
            agg = totals.setdefault(t, {"households": 0, "rated": 0, "due": 0, "repaid": 0, "defaults": 0})
            for k in agg:
                agg[k] += r["stats"][k]
    today = timezone.localdate()
    current = {
        d.division_id: d
        for d in Designation.objects.filter(
            division_id__in=list(totals), withdrawn_on__isnull=True, expires_on__gt=today
        )
    }
    out = []
    for code in sorted(totals):
        stats = totals[code]
        out.append(
            {
                "code": code,
                "name": towns[code],
                **stats,
                "stats": stats,
                "share": round(100 * stats["rated"] / stats["households"], 1) if stats["households"] else 0,
                "problems": credit_village_problems(t=rules_for(code[:6] + "000000", today)[1], **stats),
                "designation": current.get(code),
            }
        )
    return out


def village_stats(reader, *, township: str = "") -> list[dict]:
    """Per village in scope: registered and rated households, the credit-village verdict
    (R-RAT-5) and any designation in force. Repayment figures join with servicing (issue 7)."""

    villages = access.visible(reader, Division.objects.filter(level=5), "rating.view").order_by("code")
    if township:
        villages = villages.filter(parent_id=township)
    codes = list(villages.values_list("code", "name"))
    hh = dict(
        Household.objects.filter(
            village_id__in=[c for c, _ in codes], status__in=("poor", "low_income", "monitored", "lifted")
        )
        .values_list("village_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    today = timezone.localdate()
    rated = dict(
        CreditLine.objects.filter(village_code__in=[c for c, _ in codes], valid_until__gte=today)
        .values_list("village_code")
        .annotate(n=Count("household_id"))
        .order_by()
    )
    defaults = dict(
        GradeChange.objects.filter(village_code__in=[c for c, _ in codes], event=GradeChange.Event.DEFAULT)
        .values_list("village_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    current = {
        d.division_id: d
        for d in Designation.objects.filter(
            division_id__in=[c for c, _ in codes], withdrawn_on__isnull=True, expires_on__gt=today
        )
    }
    thresholds: dict[str, VillageThresholds] = {}
    out = []
    for code, name in codes:
        county = code[:6] + "000000"
        if county not in thresholds:
            thresholds[county] = rules_for(county, today)[1]
        stats = {
            "households": hh.get(code, 0),
            "rated": rated.get(code, 0),
            "due": 0,
            "repaid": 0,
            "defaults": defaults.get(code, 0),
        }
        out.append(
            {
                "code": code,
                "name": name,
                **stats,
                "stats": stats,
                "share": round(100 * stats["rated"] / stats["households"], 1) if stats["households"] else 0,
                "problems": credit_village_problems(t=thresholds[county], **stats),
                "designation": current.get(code),
            }
        )
    return out
