"""Reads of the risk fund, its claims and the blacklist, scoped to the reader's jurisdiction."""

from __future__ import annotations

from fupin import compiled
from fupin.accounts import access
from fupin.core.errors import NotFound
from fupin.riskfund.models import Blacklist, Claim, Fund, LegalAction, Proof
from fupin.riskfund.services import fund_position


def _funds(reader):
    """The funds of the counties the reader works in (a county fund is seen by its townships and
    branches too) — of a bank's staff, their own bank's agreements only (issue 25)."""
    rows = Fund.objects.filter(access.county_q(reader, "riskfund.view", "county_code"))
    single, lender = access.scope_lender(reader, "riskfund.view")
    return rows.filter(institution=lender) if single and lender is not None else rows


def funds(reader) -> list[tuple[Fund, dict]]:
    """The funds the reader may see (:func:`_funds`), each with its position."""
    return [(f, fund_position(f)) for f in _funds(reader)]


def fund_get(reader, pk: int) -> Fund:
    access.require(reader, "riskfund.view")
    fund = _funds(reader).filter(pk=pk).first()
    if fund is None:
        raise NotFound("风险补偿金不存在或不在您的辖区内", code="not_found")
    return fund


def claims(reader, limit: int = 200) -> list[Claim]:
    return list(
        access.visible(reader, Claim.objects.select_related("loan", "fund"), "fundclaim.view")[:limit]
    )


def claim_get(reader, pk: int) -> Claim:
    return access.get_visible(reader, Claim.objects.select_related("loan", "fund"), "fundclaim.view", pk=pk)


def proof_get(reader, pk: int) -> Proof:
    return access.get_visible(reader, Proof.objects.select_related("claim"), "fundclaim.view", pk=pk)


def blacklist(reader, limit: int = 500) -> list[Blacklist]:
    return list(
        access.visible(reader, Blacklist.objects.select_related("household"), "household.view")[:limit]
    )


def household_standing(household, loans: list[int]) -> dict:
    """What the archive shows of R-RSK-4: the live blacklisting, every legal action, and the fund's
    claims on the household's ``loans``."""
    mine = {"household": household.pk}
    return {  # the blacklisting in its model's order (decided, latest first)
        "blacklist": compiled.rows(Blacklist, where=mine, limit=20),
        "legal": compiled.rows(LegalAction, where=mine, related=("recorded_by",), limit=50),
        "claims": compiled.rows(Claim, where={"loan__in": loans}),
    }
