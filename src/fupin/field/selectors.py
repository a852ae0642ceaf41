"""What the phone takes to the village (issue 27 (8)): the open rounds where the user sits on the
panel with the households left to score, the groups whose collection the user takes with this
week's sheet, and the households the user may visit. Plain JSON values: the phone keeps them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fupin.accounts import access
from fupin.core.money import from_fen
from fupin.households.models import Household, Visit
from fupin.households.selectors import heads_of
from fupin.loans.collections import collection_sheet
from fupin.loans.models import Group
from fupin.ratings.models import Rating, RatingRound

MOST_HOUSEHOLDS = 3000  # a township's worth; a county role takes its kit village by village
MOST_GROUPS = 60


def kit(user, today: dt.date) -> dict[str, Any]:
    """The user's kit as of ``today``: rounds to score, groups to collect, households to visit."""
    return {
        "user": {"username": user.username, "name": user.get_full_name() or user.username},
        "today": today.isoformat(),
        "made_at": timezone.localtime().isoformat(timespec="seconds"),
        "rounds": _rounds(user),
        "groups": _groups(user, today),
        "households": _households(user),
        "visit_kinds": [[k, label] for k, label in Visit.Kind.choices],
    }


def _item(i) -> dict[str, Any]:
    d: dict[str, Any] = {"code": i.code, "label": i.label, "method": i.method, "max": str(i.max_points)}
    if i.method == "option":
        d["options"] = [[k, str(v)] for k, v in i.options.items()]
    return d


def _rounds(user) -> list[dict]:
    """Open rounds where the user has a seat, with the households the user has not scored."""
    if not access.may(user, "rating.score"):
        return []
    rounds = (
        access.visible(user, RatingRound, "rating.score")
        .filter(state=RatingRound.State.SCORING, panel__members__user=user)
        .select_related("village", "scorecard")
        .order_by("pk")
    )
    out = []
    for rnd in rounds:
        left = list(
            rnd.ratings.filter(state=Rating.State.SCORING)
            .exclude(sheets__member__user=user)
            .select_related("household")
            .order_by("pk")
        )
        names = heads_of(r.household_id for r in left)
        card = rnd.scorecard.card
        out.append(
            {
                "id": rnd.pk,
                "village": rnd.village.name,
                "year": rnd.year,
                "scorecard": f"{rnd.scorecard.name} v{rnd.scorecard.version}",
                "items": [_item(i) for i in card.items],
                "households": [
                    {
                        "rating": r.pk,
                        "household": r.household_id,
                        "registry_no": r.household.registry_no,
                        "name": names.get(r.household_id, ("", ""))[0],
                        "prefill": {
                            i.code: str(r.facts.get(i.source, ""))
                            for i in card.items
                            if i.source and r.facts.get(i.source) not in (None, "")
                        },
                    }
                    for r in left
                ],
            }
        )
    return out


def _groups(user, today: dt.date) -> list[dict]:
    """The groups whose collection the user takes, each with this week's sheet (P-GROUP)."""
    if not access.may(user, "repayment.post"):
        return []
    week_of = today - dt.timedelta(days=today.weekday())
    groups = access.visible(user, Group, "repayment.post").select_related("village").order_by("pk")
    out = []
    for g in groups[:MOST_GROUPS]:
        rows = [r for r in collection_sheet(g, week_of) if access.may(user, "repayment.post", r["loan"])]
        if not rows:
            continue
        names = heads_of(r["household"].pk for r in rows)
        out.append(
            {
                "id": g.pk,
                "name": g.name,
                "village": g.village.name,
                "week_of": week_of.isoformat(),
                "rows": [
                    {
                        "loan": r["loan"].pk,
                        "household": r["household"].pk,
                        "registry_no": r["household"].registry_no,
                        "name": names.get(r["household"].pk, ("", ""))[0],
                        "due": str(from_fen(r["due"])),
                        "overdue": str(from_fen(r["overdue"])),
                    }
                    for r in rows
                ],
            }
        )
    return out


def _households(user) -> list[dict]:
    """The households the user may visit, by village and number, each with its head's name."""
    if not access.may(user, "visit.record"):
        return []
    rows = list(
        access.visible(user, Household, "visit.record")
        .select_related("village")
        .order_by("village_id", "registry_no")
        .only("pk", "registry_no", "village__name")[:MOST_HOUSEHOLDS]
    )
    names = heads_of(h.pk for h in rows)
    return [
        {
            "id": h.pk,
            "registry_no": h.registry_no,
            "village": h.village.name,
            "name": names.get(h.pk, ("", ""))[0],
        }
        for h in rows
    ]
