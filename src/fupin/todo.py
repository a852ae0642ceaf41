"""What waits for a person (issue 27 (3)): the households left for them to score in an open rating
round, the applications at their step, the notices about to end, today's collection list, the
subsidy batches and fund claims at their step — each with a count and where to act. The home page
shows it; the morning's text to staff says it (:mod:`fupin.sms`).

Every count goes through the reader's jurisdiction and the role the step needs, so a person sees
only what they may act on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from fupin.accounts import access
from fupin.cob.selectors import collection_list
from fupin.core.origination import CHAIN, STEP_LABELS
from fupin.loans.models import Notice
from fupin.loans.selectors import awaiting
from fupin.ratings.models import Rating, RatingRound
from fupin.riskfund.models import Claim
from fupin.riskfund.services import CHAIN as CLAIM_STEPS
from fupin.subsidies.models import Batch
from fupin.subsidies.services import STEPS as BATCH_STEPS

NOTICE_ENDING = 2  # days: a notice ending within them is on its village cadre's list


@dataclass(frozen=True)
class Item:
    label: str
    count: int
    url: str


def todo(user, today: dt.date) -> list[Item]:
    items: list[Item] = []
    items += _scoring(user)
    if access.may(user, "application.view"):
        rows = awaiting(user).values("state").annotate(n=Count("pk")).order_by("state")
        for r in rows:
            step = STEP_LABELS[CHAIN[r["state"]][0]]
            items.append(Item(f"贷款申请待{step}", r["n"], reverse("application_list") + "?mine=1"))
    if access.may(user, "notice.publish"):
        ending = access.visible(
            user,
            Notice.objects.filter(end__gte=today, end__lte=today + dt.timedelta(days=NOTICE_ENDING)),
            "notice.publish",
        ).count()
        if ending:
            items.append(Item(f"{NOTICE_ENDING} 天内结束的公示", ending, reverse("notice_list")))
    if access.may(user, "collection.view"):
        due = len(collection_list(user, today))
        if due:
            items.append(Item("今日收款与逾期", due, reverse("collection_list")))
    # the subsidy batches and the fund claims at a step of the reader's role
    steps = [(Batch, state, action, "subsidy_overview", "贴息申报") for state, action in BATCH_STEPS.values()]
    steps += [
        (Claim, state, action, "riskfund_overview", "风险补偿金代偿")
        for state, (_, action, _, _) in CLAIM_STEPS.items()
    ]
    steps.append((Claim, Claim.State.APPROVED, "fundclaim.pay", "riskfund_overview", "风险补偿金代偿"))
    for model, state, action, page, what in steps:
        if access.may(user, action):
            n = access.visible(user, model.objects.filter(state=state), action).count()
            if n:
                items.append(Item(f"{what}：{model.State(state).label}", n, reverse(page)))
    return items


def _scoring(user) -> list[Item]:
    """The open rounds where the user sits on the panel, with the households they have not scored."""
    rounds = RatingRound.objects.filter(state=RatingRound.State.SCORING, panel__members__user=user)
    out = []
    for rnd in rounds.select_related("village").order_by("village_id", "id"):
        left = (
            Rating.objects.filter(round=rnd, state=Rating.State.SCORING)
            .exclude(sheets__member__user=user)
            .count()
        )
        if left:
            out.append(
                Item(
                    f"{rnd.village.name} {rnd.year} 年评级：待我评分",
                    left,
                    reverse("round_detail", args=[rnd.pk]),
                )
            )
    return out
