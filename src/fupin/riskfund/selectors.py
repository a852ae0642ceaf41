"""Reads of the risk fund, its claims and the blacklist, scoped to the reader's jurisdiction."""

from __future__ import annotations

from fupin import compiled
from fupin.accounts import access
from fupin.core.errors import NotFound
from fupin.feeds.models import FeedLoan
from fupin.riskfund.models import Blacklist, Claim, Fund, LegalAction, Proof
from fupin.riskfund.services import bank_recoveries, fund_position


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


def recoveries(claim: Claim) -> list[dict]:
    """What came back on a loan the fund paid for, each with its return to the parties: on,
    amount and [name, kind, fen] shares — from the repayments here, or a bank's files."""
    if claim.loan_id is None:
        return bank_recoveries(claim)
    return [
        {"on": r.repayment.received_on, "amount": r.amount, "shares": r.shares}
        for r in claim.recoveries.select_related("repayment")
    ]


def bank_loan_get(reader, pk: int) -> FeedLoan:
    """A loan of a bank's monthly file the reader may claim on (its village in the reader's
    jurisdiction; a bank's staff: their own bank's)."""
    return access.get_visible(
        reader, FeedLoan.objects.select_related("feed__institution"), "fundclaim.submit", pk=pk
    )


def proof_get(reader, pk: int) -> Proof:
    return access.get_visible(reader, Proof.objects.select_related("claim"), "fundclaim.view", pk=pk)


def blacklist(reader, limit: int = 500) -> list[Blacklist]:
    return list(
        access.visible(reader, Blacklist.objects.select_related("household"), "household.view")[:limit]
    )


def household_standing(household, loans: list[int], bank_loans: set[str] = frozenset()) -> dict:
    """What the archive shows of R-RSK-4: the live blacklisting, every legal action, and the fund's
    claims on the household's ``loans`` — and on its loans at banks that keep their own core
    system, by their contract numbers (``bank_loans``, which the archive has read already)."""
    mine = {"household": household.pk}
    return {  # the blacklisting in its model's order (decided, latest first)
        "blacklist": compiled.rows(Blacklist, where=mine, limit=20),
        "legal": compiled.rows(LegalAction, where=mine, related=("recorded_by",), limit=50),
        "claims": compiled.rows(Claim, where={"loan__in": loans}) + _bank_claims(household, bank_loans),
    }


def _bank_claims(household, numbers: set[str]) -> list[Claim]:
    if not numbers:
        return []
    return list(
        Claim.objects.filter(loan__isnull=True, contract_no__in=numbers, village_code=household.village_id)
    )
