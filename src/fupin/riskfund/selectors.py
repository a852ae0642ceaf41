"""Reads of the risk fund, its claims and the blacklist, scoped to the reader's jurisdiction."""

from __future__ import annotations

from fupin.accounts import access
from fupin.riskfund.models import Blacklist, Claim, Fund, LegalAction, Proof
from fupin.riskfund.services import fund_position


def funds(reader) -> list[tuple[Fund, dict]]:
    return [(f, fund_position(f)) for f in access.visible(reader, Fund.objects.all(), "riskfund.view")]


def fund_get(reader, pk: int) -> Fund:
    return access.get_visible(reader, Fund.objects.all(), "riskfund.view", pk=pk)


def claims(reader, limit: int = 200) -> list[Claim]:
    return list(access.visible(reader, Claim.objects.select_related("loan", "fund"), "fundclaim.view")[:limit])


def claim_get(reader, pk: int) -> Claim:
    return access.get_visible(reader, Claim.objects.select_related("loan", "fund"), "fundclaim.view", pk=pk)


def proof_get(reader, pk: int) -> Proof:
    return access.get_visible(reader, Proof.objects.select_related("claim"), "fundclaim.view", pk=pk)


def blacklist(reader, limit: int = 500) -> list[Blacklist]:
    return list(access.visible(reader, Blacklist.objects.select_related("household"), "household.view")[:limit])


def household_standing(household) -> dict:
    """What the archive shows of R-RSK-4: the live blacklisting, and every legal action."""
    return {"blacklist": Blacklist.objects.filter(household=household).order_by("-decided_on", "-id"),
            "legal": LegalAction.objects.filter(household=household)}
